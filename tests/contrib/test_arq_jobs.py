"""The arq integration in one process: job shapes, enqueueing, the worker, collection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timezone
from typing import Any, cast

import msgspec
import pytest
from arq.connections import ArqRedis
from arq.jobs import Job

from whatsapp_async import (
    APIConnectionError,
    BadRequestError,
    BulkItem,
    Buttons,
    Contact,
    ContactName,
    ContactPhone,
    Contacts,
    Document,
    Image,
    InvalidRecipient,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    RateLimitError,
    Reaction,
    ReplyButton,
    SendResult,
    Sticker,
    Template,
    TemplateButton,
    Text,
    UnsupportedFeature,
    Video,
    WhatsApp,
    WhatsAppError,
)
from whatsapp_async._idempotency import SendInProgress
from whatsapp_async.contrib.arq import (
    FUNCTION_NAME,
    JobOutcome,
    RecipientRef,
    SendFailure,
    SendJob,
    as_bulk_result,
    collect_results,
    encode_message,
    enqueue_bulk,
    main,
    make_worker_settings,
)
from whatsapp_async.contrib.redis import RedisIdempotencyStore
from whatsapp_async.messages import Message, message_from_dict
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.errors import IdempotencyKeyInUse
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import RedisServer
from .helpers import in_process_worker, phone, text_items

# arq 0.28 closes its pool with redis' deprecated close(); not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")

LATER = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
EVERY_KIND: list[Message] = [
    Text("hi", preview_url=True),
    Image(link="https://example.com/a.png", caption="A"),
    Video(id="1013859600285441"),
    Document(link="https://example.com/inv.pdf", filename="invoice.pdf"),
    Sticker(id="798882015472548"),
    Location(37.4847, -122.1473, name="HQ"),
    Contacts([Contact(name=ContactName(formatted_name="Ada"), phones=(ContactPhone("+1415"),))]),
    Reaction("wamid.X", "👍"),
    Template(
        "order_update",
        body={"name": "Ada"},
        header=Image(link="https://example.com/h.png"),
        buttons=[TemplateButton(sub_type="url", value="order/1", index=0)],
    ),
    Template("loc", header=Location(1.0, 2.0)),
    Buttons("Confirm?", [ReplyButton("y", "Yes")], header=Document(id="9"), footer="Acme"),
    ListMessage("Pick", "Options", [ListSection("A", [ListRow("1", "One", "first")])]),
]


@pytest.mark.parametrize("message", EVERY_KIND, ids=lambda m: type(m).__name__)
def test_every_message_kind_survives_the_job_encoding(message: Message) -> None:
    data = encode_message(message)
    assert data["type"] == message.kind
    wire = msgspec.json.decode(msgspec.json.encode(data))  # what a JSON serializer would carry
    again = message_from_dict(wire)
    assert type(again) is type(message)
    assert msgspec.json.encode(encode_message(again)) == msgspec.json.encode(data)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["pilot"]) as sandbox:
        cast(PilotSimulator, sandbox.simulator("pilot")).progress_delay = 3600
        yield sandbox


def pilot_config(sb: Sandbox, **extra: Any) -> dict[str, Any]:
    return {"provider": "pilot", **sb.settings("pilot"), "base_url": sb.base_url("pilot"), **extra}


async def run_worker_once(settings: type[Any], **overrides: Any) -> None:
    worker = in_process_worker(settings, **overrides)
    try:
        await worker.main()
    finally:
        await worker.close()


async def test_batch_round_trip_keeps_input_order_and_every_item(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    items: list[Any] = [
        *text_items(3),
        ("12", Text("not a number")),
        (phone(50), Location(1.0, 2.0)),  # Pilot sends no locations
        BulkItem(to=phone(51), message={"type": "text", "body": "from a mapping"}),
        (phone(52), {"type": "nonsense"}),
    ]
    batch = await enqueue_bulk(arq_redis, items, provider="pilot")
    assert (batch.enqueued, batch.rejected, batch.duplicates) == (5, 2, 0)
    assert batch.job_ids[3] is None and batch.job_ids[6] is None
    await run_worker_once(make_worker_settings(pilot_config(sb), redis_server.settings))
    outcomes = await collect_results(arq_redis, batch, timeout=5)
    assert [type(o).__name__ for o in outcomes] == [
        "SendResult",
        "SendResult",
        "SendResult",
        "SendFailure",
        "SendFailure",
        "SendResult",
        "SendFailure",
    ]
    sent = [o for o in outcomes if isinstance(o, SendResult)]
    assert [o.recipient for o in sent] == [phone(0), phone(1), phone(2), phone(51)]
    failures = [o for o in outcomes if isinstance(o, SendFailure)]
    assert [f.error for f in failures] == [
        "InvalidRecipient",
        "UnsupportedFeature",
        "ValidationError",
    ]
    assert len(sb.requests("pilot")) == 4  # nothing was requested for the bad items
    bulk = as_bulk_result(outcomes)
    assert (bulk.sent, bulk.failed) == (4, 3)
    assert isinstance(bulk[3], InvalidRecipient) and isinstance(bulk[4], UnsupportedFeature)


async def test_an_api_error_is_the_result_not_an_arq_retry(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    config = pilot_config(sb, max_retries=1)
    sb.fail_next("pilot", status=400, code="VALIDATION_ERROR")
    bad = await enqueue_bulk(arq_redis, text_items(1, "bad"), provider="pilot")
    await run_worker_once(make_worker_settings(config, redis_server.settings))
    sb.fail_next("pilot", status=503)  # the SDK retries this once, inside the same job
    good = await enqueue_bulk(arq_redis, text_items(1, "good"), provider="pilot")
    await run_worker_once(make_worker_settings(config, redis_server.settings))
    [failure] = await collect_results(arq_redis, bad, timeout=5)
    [result] = await collect_results(arq_redis, good, timeout=5)
    assert isinstance(failure, SendFailure) and failure.error == "BadRequestError"
    assert (failure.status, failure.code, failure.provider) == (400, "VALIDATION_ERROR", "pilot")
    assert isinstance(result, SendResult)
    assert len(sb.requests("pilot")) == 3  # 1 for the 400, 2 (SDK retry) for the 503
    for batch in (bad, good):
        job_id = batch.job_ids[0]
        assert job_id is not None
        info = await Job(job_id, arq_redis).result_info()
        assert info is not None and info.success and info.job_try == 1


async def test_enqueueing_the_same_items_again_enqueues_nothing(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    items = text_items(3)
    first = await enqueue_bulk(arq_redis, items, provider="pilot")
    queued_again = await enqueue_bulk(arq_redis, items, provider="pilot")
    assert (first.enqueued, queued_again.enqueued, queued_again.duplicates) == (3, 0, 3)
    assert queued_again.job_ids == first.job_ids
    await run_worker_once(make_worker_settings(pilot_config(sb), redis_server.settings))
    done_again = await enqueue_bulk(arq_redis, items, provider="pilot")
    assert done_again.duplicates == 3  # the kept results refuse the jobs too
    outcomes = await collect_results(arq_redis, done_again, timeout=5)
    assert all(isinstance(o, SendResult) for o in outcomes)
    assert len(sb.requests("pilot")) == 3


async def test_job_ids_come_from_the_idempotency_key(arq_redis: ArqRedis) -> None:
    items: list[Any] = [
        BulkItem(to=phone(1), message=Text("a"), idempotency_key="order-1234"),
        (phone(1), Text("a")),
        ("+55 11 98765-0001", Text("a")),  # the same logical send, written differently
        (phone(1), Text("b")),
        BulkItem(to=phone(1), message=Text("a"), metadata={"campaign": "x"}, deliver_at=LATER),
    ]
    batch = await enqueue_bulk(arq_redis, items, provider="pilot", job_id_prefix="wa:")
    ids = batch.job_ids
    assert ids[0] == "wa:order-1234"
    assert ids[1] == ids[2] and len({ids[1], ids[3], ids[4]}) == 3
    assert [i.duplicate for i in batch.items] == [False, False, True, False, False]
    other = await enqueue_bulk(arq_redis, [(phone(1), Text("a"))], provider="meta:1")
    assert other.items[0].key != batch.items[1].key  # the provider is part of the fingerprint
    # Jobs carry plain data only: any arq serializer can hold them.
    job_id = ids[4]
    assert job_id is not None
    info = await Job(job_id, arq_redis).info()
    assert info is not None and info.function == FUNCTION_NAME
    payload = info.args[0]
    assert msgspec.json.decode(msgspec.json.encode(payload)) == payload
    job = msgspec.convert(payload, SendJob)
    assert job.deliver_at == LATER
    assert (job.to.id, job.metadata, job.message) == (
        phone(1),
        {"campaign": "x"},
        encode_message(Text("a")),
    )


async def test_collection_never_drops_an_item(
    redis_server: RedisServer, arq_redis: ArqRedis, sb: Sandbox
) -> None:
    store = RedisIdempotencyStore(arq_redis)
    batch = await enqueue_bulk(arq_redis, text_items(3), provider="pilot")
    ids = [i for i in batch.job_ids if i is not None]
    keys = [i.key for i in batch.items if i.key is not None]
    await arq_redis.delete(f"arq:job:{ids[1]}", f"arq:job:{ids[2]}")  # two jobs vanish
    await store.reserve(keys[2])
    stored = SendResult(id="msg_9", status="queued", provider="pilot", recipient=phone(2))
    await store.complete(keys[2], stored)  # ...one of them had been sent and recorded
    outcomes = await collect_results(arq_redis, batch, timeout=0.3, poll_interval=0.05, store=store)
    assert isinstance(outcomes[0], SendFailure) and outcomes[0].error == "NotFinished"
    assert isinstance(outcomes[1], SendFailure) and outcomes[1].error == "JobMissing"
    assert outcomes[2] == SendResult(
        id="msg_9", status="queued", provider="pilot", recipient=phone(2), idempotent_replayed=True
    )


@pytest.mark.parametrize("resend", [True, False])
async def test_a_key_held_by_a_dead_sender(
    resend: bool, sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    batch = await enqueue_bulk(arq_redis, text_items(1), provider="pilot")
    key = batch.items[0].key
    assert key is not None
    # A worker reserved the key, then died: its reservation lasts out its lock TTL.
    assert await RedisIdempotencyStore(arq_redis, lock_ttl=0.4).reserve(key) is None
    settings = make_worker_settings(pilot_config(sb), redis_server.settings, resend_in_doubt=resend)
    await run_worker_once(settings)
    [outcome] = await collect_results(arq_redis, batch, timeout=5)
    job_id = batch.job_ids[0]
    assert job_id is not None
    info = await Job(job_id, arq_redis).result_info()
    assert info is not None
    if resend:
        assert isinstance(outcome, SendResult)
        assert len(sb.requests("pilot")) == 1
        assert info.job_try == 2  # deferred once, until the reservation expired
    else:
        assert isinstance(outcome, SendFailure) and outcome.error == "SendInProgress"
        assert isinstance(outcome.to_exception(), SendInProgress)
        assert sb.requests("pilot") == []


async def test_a_malformed_job_is_a_validation_failure(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    await arq_redis.enqueue_job(FUNCTION_NAME, {"to": "nobody"}, _job_id="whatsapp:bad")
    await run_worker_once(make_worker_settings(pilot_config(sb), redis_server.settings))
    info = await Job("whatsapp:bad", arq_redis).result_info()
    assert info is not None and info.success
    failure = msgspec.convert(info.result["failure"], SendFailure)
    assert failure.error == "ValidationError" and "malformed job" in failure.message
    assert sb.requests("pilot") == []


async def test_the_shared_rate_comes_from_the_config_or_the_arguments(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    created: list[Mapping[str, Any]] = []

    def factory(**options: Any) -> WhatsApp:
        created.append(options)
        return WhatsApp("pilot", base_url=sb.base_url("pilot"), **sb.settings("pilot"), **options)

    # Slow rates, so the limiter's key (alive until the next free slot) outlives the run.
    rate_key = "whatsapp_async:rate:pilot:default"
    for settings, interval_ms in (
        (make_worker_settings(pilot_config(sb, rate_limit=0.5), redis_server.settings), 2000),
        (
            make_worker_settings(factory=factory, rate=0.25, redis_settings=redis_server.settings),
            4000,
        ),
        (make_worker_settings(factory=factory, rate=None, redis_settings=redis_server.settings), 0),
        (make_worker_settings(pilot_config(sb), redis_server.settings), 0),  # Pilot: no default
    ):
        await arq_redis.delete(rate_key)
        await enqueue_bulk(arq_redis, text_items(1, f"rate {interval_ms}"), provider="pilot")
        await run_worker_once(settings)
        ttl = await arq_redis.pttl(rate_key)
        if interval_ms:
            assert interval_ms - 1000 < ttl <= interval_ms
        else:
            assert ttl == -2  # no shared limiter key at all
    assert sorted(created[0]) == ["idempotency_store", "rate_limit"]


def test_worker_settings_are_an_arq_settings_class(redis_server: RedisServer) -> None:
    settings = make_worker_settings(
        {"provider": "pilot", "api_key": "k"}, redis_server.settings, max_jobs=7, queue_name="q"
    )
    own = vars(settings)  # arq reads the class's own attributes
    assert own["max_jobs"] == 7 and own["queue_name"] == "q"
    assert [f.name for f in own["functions"]] == [FUNCTION_NAME]
    assert own["functions"][0].max_tries == 5
    with pytest.raises(WhatsAppError, match="exactly one"):
        make_worker_settings()
    with pytest.raises(WhatsAppError, match="exactly one"):
        make_worker_settings({"provider": "pilot"}, factory=lambda **_: None)  # type: ignore[arg-type]


def test_failures_keep_their_type_and_details() -> None:
    limited = SendFailure.from_exception(
        IdempotencyKeyInUse(
            "busy", provider="pilot", status=409, code="IDEMPOTENCY_KEY_IN_USE", retry_after=2
        )
    )
    assert (limited.error, limited.category, limited.retry_after) == (
        "IdempotencyKeyInUse",
        "RateLimitError",
        2,
    )
    rebuilt = limited.to_exception()
    assert (
        isinstance(rebuilt, RateLimitError) and rebuilt.retry_after == 2 and rebuilt.status == 409
    )
    wire = msgspec.json.decode(msgspec.json.encode(limited), type=SendFailure)
    assert wire == limited
    unsent = SendFailure.from_exception(
        APIConnectionError("refused", request_sent=False)
    ).to_exception()
    assert isinstance(unsent, APIConnectionError) and unsent.request_sent is False
    field = SendFailure.from_exception(UnsupportedFeature("no", feature="location")).to_exception()
    assert isinstance(field, UnsupportedFeature) and field.feature == "location"
    status = SendFailure.from_exception(BadRequestError("bad", status=400, details={"f": 1}))
    assert status.details == {"f": 1}
    crash = SendFailure.from_exception(RuntimeError("boom"))
    assert (crash.error, crash.message) == ("JobFailed", "RuntimeError: boom")
    assert type(crash.to_exception()) is WhatsAppError


def test_the_command_line_reports_configuration_errors(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err


async def test_a_redelivered_job_is_never_resent_when_resending_is_off(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    store = RedisIdempotencyStore(arq_redis)
    recorded = SendResult(id="msg_5", status="queued", provider="pilot", recipient=phone(5))
    await store.reserve("done-before")
    await store.complete("done-before", recorded)
    for key in ("done-before", "in-doubt"):
        job = SendJob(
            to=RecipientRef("phone", phone(5)), message=encode_message(Text(key)), key=key
        )
        # Try 2: an earlier attempt of this job died somewhere in the middle.
        await arq_redis.enqueue_job(
            FUNCTION_NAME, msgspec.to_builtins(job), _job_id=f"whatsapp:{key}", _job_try=2
        )
    settings = make_worker_settings(pilot_config(sb), redis_server.settings, resend_in_doubt=False)
    await run_worker_once(settings)
    outcomes = {}
    for key in ("done-before", "in-doubt"):
        info = await Job(f"whatsapp:{key}", arq_redis).result_info()
        assert info is not None and info.success and info.job_try == 2
        outcomes[key] = msgspec.convert(info.result, JobOutcome).outcome()
    assert outcomes["done-before"] == msgspec.structs.replace(recorded, idempotent_replayed=True)
    doubt = outcomes["in-doubt"]
    assert isinstance(doubt, SendFailure) and doubt.error == "DeliveryInDoubt"
    error = doubt.to_exception()
    assert isinstance(error, APIConnectionError) and error.request_sent
    assert sb.requests("pilot") == []  # at most once: nothing was sent again


async def test_a_rerun_under_a_new_job_prefix_sends_only_what_failed(
    sb: Sandbox, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    items = text_items(4)
    settings = make_worker_settings(pilot_config(sb, max_retries=0), redis_server.settings)
    sb.simulator("pilot").fail_randomly(0.5, seed=1, status=503)
    first = await enqueue_bulk(arq_redis, items, provider="pilot")
    await run_worker_once(settings)
    failed = [
        i
        for i, o in enumerate(await collect_results(arq_redis, first))
        if isinstance(o, SendFailure)
    ]
    assert 0 < len(failed) < 4
    sb.simulator("pilot").fail_randomly(0)
    requests_before = len(sb.requests("pilot"))
    # The same items again: new job ids, the same idempotency keys.
    rerun = await enqueue_bulk(arq_redis, items, provider="pilot", job_id_prefix="whatsapp:rerun:")
    assert rerun.enqueued == 4
    await run_worker_once(settings)
    outcomes = await collect_results(arq_redis, rerun, timeout=5)
    assert all(isinstance(o, SendResult) for o in outcomes)
    replayed = [
        i for i, o in enumerate(outcomes) if isinstance(o, SendResult) and o.idempotent_replayed
    ]
    assert sorted(set(range(4)) - set(replayed)) == failed
    assert len(sb.requests("pilot")) - requests_before == len(failed)


async def test_items_that_cannot_become_jobs_are_rejected_alone(arq_redis: ArqRedis) -> None:
    naive = datetime(2030, 1, 1)
    items: list[Any] = [
        BulkItem(to=phone(1), message=Text("a"), metadata={"when": object()}),
        BulkItem(to=phone(2), message=Text("b"), deliver_at=naive),
        BulkItem(to=phone(3), message=Text("c"), idempotency_key=""),
        ("not", "a message", "triple"),
        (phone(4), "not a message"),
        (phone(5), Text("fine")),
    ]
    batch = await enqueue_bulk(arq_redis, items, provider="pilot")
    assert (batch.enqueued, batch.rejected) == (1, 5)
    fields = [i.failure.field if i.failure else None for i in batch.items]
    assert fields == [None, "deliver_at", "idempotency_key", None, "message", None]
    assert all(i.failure.error == "ValidationError" for i in batch.items[:5] if i.failure)
    assert await arq_redis.zcard("arq:queue") == 1
