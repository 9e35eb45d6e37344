"""Native template batches: chunking, per-recipient outcomes in input order, never misattributed."""

from __future__ import annotations

import json
import math

import pytest

from whatsapp_async import (
    APIStatusError,
    BulkItem,
    Conversation,
    HttpResponse,
    Image,
    Phone,
    RecipientError,
    SendOptions,
    SendResult,
    ServerError,
    Template,
    Text,
    UnsupportedFeature,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway import GatewayProvider, GatewaySettings
from whatsapp_async_providers.gateway.simulator import GatewaySimulator

from .helpers import fixture_bytes, numbers

REMINDER = Template("appointment_reminder", language="es", body=["Ada", "15 de marzo"])
ORDER = Template("order_update", body=["Ada", "#1234"])


def template_requests(sb: Sandbox) -> list[list[str]]:
    """Recipients of every send-template request, each in request order."""
    return [
        [r["phoneNumber"] for r in rec.json["recipients"]]
        for rec in sb.requests("gateway")
        if rec.path == "/api/whatsapp/send-template"
    ]


async def test_250_templates_with_3_unreachable(sb: Sandbox, sim: GatewaySimulator) -> None:
    chunk = 100
    wa = sb.client("gateway", batch_size=chunk, max_retries=0)
    phones = numbers(250, seed=3)
    bad = {7, 128, 249}
    sim.unreachable.update(phones[i] for i in bad)

    bulk = await wa.send_many([(p, REMINDER) for p in phones], concurrency=8)

    batches = template_requests(sb)
    assert len(sb.requests("gateway")) == len(batches) == math.ceil(250 / chunk) == 3
    # Each request is a run of the input, in input order; together they cover it once.
    assert sorted(batches, key=lambda b: phones.index(b[0])) == [
        phones[0:100],
        phones[100:200],
        phones[200:250],
    ]
    assert (len(bulk), bulk.sent, bulk.failed) == (250, 247, 3)

    failures = dict(bulk.failures())
    assert set(failures) == bad
    for index, error in failures.items():
        assert isinstance(error, RecipientError) and error.code == 131026
        assert phones[index] in error.message
        assert error.details["phoneNumber"] == phones[index]

    accepted = {a["id"]: a for a in sim.accepted}
    assert len(accepted) == len(sim.accepted) == 247
    results = dict(bulk.results())
    assert {r.id for r in results.values()} == set(accepted)  # one to one
    for index, result in results.items():
        assert result.recipient == phones[index]
        assert accepted[result.id]["phone"] == phones[index]
        assert accepted[result.id]["template"] == "appointment_reminder"


async def test_batch_size_setting_sets_the_chunks(sb: Sandbox) -> None:
    wa = sb.client("gateway", batch_size=40, max_retries=0)
    bulk = await wa.send_many([(p, ORDER) for p in numbers(130, seed=4)])
    assert bulk.sent == 130
    assert sorted(len(b) for b in template_requests(sb)) == [10, 40, 40, 40]


async def test_mixing_texts_and_templates(sb: Sandbox, sim: GatewaySimulator) -> None:
    wa = sb.client("gateway", max_retries=0)
    phones = numbers(12, seed=5)
    items: list[BulkItem | tuple[str, object]] = [
        (phones[0], Text("text 0")),
        (phones[1], ORDER),
        (phones[2], REMINDER),
        (phones[3], ORDER),
        (phones[4], Text("text 4")),
        BulkItem(to=phones[5], message=ORDER, extra={"requestId": 77}),
        (phones[6], ORDER),
        (phones[7], REMINDER),
        BulkItem(to=phones[8], message=ORDER, extra={"requestId": 77}),
        (phones[9], Template("order_update", body=["Bob", "#1234"])),
        (phones[10], Image(link="https://example.com/a.png")),
        (phones[11], Text("text 11")),
    ]
    bulk = await wa.send_many(items, concurrency=4)

    assert (bulk.sent, bulk.failed) == (11, 1)
    [(index, error)] = list(bulk.failures())
    assert index == 10 and isinstance(error, UnsupportedFeature)
    for i, outcome in enumerate(bulk):
        if i == 10:
            continue
        assert isinstance(outcome, SendResult) and outcome.recipient == phones[i]
        is_text = i in (0, 4, 11)  # gateway message ids for texts, wamids for templates
        assert outcome.id.isdigit() if is_text else outcome.id.startswith("wamid.")

    texts = [r for r in sb.requests("gateway") if r.path == "/api/whatsapp/send"]
    assert sorted(r.json["content"] for r in texts) == ["text 0", "text 11", "text 4"]
    groups = sorted(template_requests(sb))
    assert groups == sorted(
        [
            [phones[1], phones[3], phones[6]],  # same template and options: one batch
            [phones[2], phones[7]],
            [phones[5], phones[8]],  # same template, same requestId: one batch
            [phones[9]],  # different parameters: its own request
        ]
    )
    by_first = {
        rec.json["recipients"][0]["phoneNumber"]: rec.json
        for rec in sb.requests("gateway")
        if rec.path == "/api/whatsapp/send-template"
    }
    assert by_first[phones[5]]["recipients"] == [
        {"phoneNumber": phones[5], "requestId": 77},
        {"phoneNumber": phones[8], "requestId": 77},
    ]
    assert {a["id"] for a in sim.accepted} == {o.id for _, o in bulk.results()}


async def test_repeated_recipient_gets_one_message_each(sb: Sandbox, sim: GatewaySimulator) -> None:
    wa = sb.client("gateway", max_retries=0)
    phone, other = numbers(2, seed=6)
    bulk = await wa.send_many([(phone, ORDER), (other, ORDER), (phone, ORDER)])
    assert template_requests(sb) == [[phone, other, phone]]
    ids = [o.id for o in bulk if isinstance(o, SendResult)]
    assert len(set(ids)) == 3
    assert [a["id"] for a in sim.accepted if a["phone"] == phone] == [ids[0], ids[2]]


async def test_a_failed_chunk_fails_only_its_items(sb: Sandbox) -> None:
    wa = sb.client("gateway", batch_size=50, max_retries=0)
    phones = numbers(120, seed=7)
    sb.fail_next("gateway", status=503)
    bulk = await wa.send_many([(p, ORDER) for p in phones], concurrency=1)
    failures = dict(bulk.failures())
    assert sorted(failures) == list(range(50))  # the first chunk went first and failed
    assert all(isinstance(e, ServerError) and e.status == 503 for e in failures.values())
    assert bulk.sent == 70


# -- parse_batch on crafted responses (sans-I/O) ----------------------------------------------
def provider() -> GatewayProvider:
    return GatewayProvider(GatewaySettings(token="tok-offline-1234", base_url="https://gw.test"))


def ok(phone: str, wamid: str) -> dict[str, object]:
    return {"phoneNumber": phone, "success": True, "data": {"messages": [{"id": wamid}]}}


def response(results: object) -> HttpResponse:
    body = {"success": True, "summary": {"total": 0, "sent": 0, "failed": 0}, "results": results}
    return HttpResponse(status=200, body=json.dumps(body).encode())


def test_reordered_results_land_on_the_right_items() -> None:
    a, b, c = (Phone(p) for p in numbers(3, seed=8))
    outcomes = provider().parse_batch(
        response([ok(c.e164, "w-c"), ok(a.e164, "w-a"), ok(b.e164, "w-b")]),
        [a, b, c],
        ORDER,
    )
    assert [(o.recipient, o.id) for o in outcomes if isinstance(o, SendResult)] == [
        (a.e164, "w-a"),
        (b.e164, "w-b"),
        (c.e164, "w-c"),
    ]


def test_duplicates_are_matched_in_order_and_digits_without_plus_match() -> None:
    a, b = (Phone(p) for p in numbers(2, seed=9))
    outcomes = provider().parse_batch(
        response([ok(a.digits, "w-a1"), ok(b.e164, "w-b"), ok(a.e164, "w-a2")]),
        [a, b, a],
        ORDER,
    )
    assert [o.id for o in outcomes if isinstance(o, SendResult)] == ["w-a1", "w-b", "w-a2"]


def test_a_missing_or_malformed_entry_is_an_error_for_that_item_only() -> None:
    a, b, c, d = (Phone(p) for p in numbers(4, seed=10))
    stranger = numbers(5, seed=11)[4]
    outcomes = provider().parse_batch(
        response(
            [
                ok(stranger, "w-x"),  # not ours: ignored, never given to someone else
                ok(a.e164, "w-a"),
                {"phoneNumber": c.e164, "success": "yes"},
                {"phoneNumber": d.e164, "success": True, "data": {"messages": []}},
                "garbage",
            ]
        ),
        [a, b, c, d],
        ORDER,
    )
    assert isinstance(outcomes[0], SendResult) and outcomes[0].id == "w-a"
    for outcome, phone in zip(outcomes[1:], (b, c, d), strict=True):
        assert type(outcome) is APIStatusError
        assert phone.e164 in outcome.message


def test_partial_failure_fixture_maps_each_error() -> None:
    phones = [Phone("+14155552671"), Phone("+442079460958"), Phone("+4915123456789")]
    outcomes = provider().parse_batch(
        HttpResponse(status=200, body=fixture_bytes("send_template_partial_failure_response.json")),
        phones,
        ORDER,
    )
    assert isinstance(outcomes[0], RecipientError) and outcomes[0].code == 131026
    assert isinstance(outcomes[1], SendResult) and outcomes[1].recipient == "+442079460958"
    third = outcomes[2]
    assert isinstance(third, APIStatusError) and third.code is None
    assert "does not exist" in third.message


@pytest.mark.parametrize(
    "body", [b"", b"<html>oops</html>", b'{"results": 5}', b'{"results": [', b"[]"]
)
def test_an_unreadable_batch_body_is_a_typed_error(body: bytes) -> None:
    with pytest.raises(APIStatusError):
        provider().parse_batch(HttpResponse(status=200, body=body), [Phone("+14155552671")], ORDER)


def test_batch_key_groups_equal_templates_and_options_only() -> None:
    p = provider()
    a, b = (Phone(x) for x in numbers(2, seed=12))
    key = p.batch_key(a, ORDER, SendOptions())
    assert key is not None
    assert p.batch_key(b, Template("order_update", body=["Ada", "#1234"]), SendOptions()) == key
    assert p.batch_key(a, ORDER, SendOptions(extra={"requestId": 1})) != key
    assert p.batch_key(a, REMINDER, SendOptions()) != key
    assert p.batch_key(a, Text("hi"), SendOptions()) is None
    assert p.batch_key(Conversation("5"), ORDER, SendOptions()) is None
    # Mapping order does not matter.
    first = p.batch_key(a, ORDER, SendOptions(extra={"x": 1, "y": 2}))
    assert first == p.batch_key(a, ORDER, SendOptions(extra={"y": 2, "x": 1}))
