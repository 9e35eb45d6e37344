"""The same call sites over every provider: identical semantics, declared differences only."""

from __future__ import annotations

import logging
import random
from collections import Counter

import pytest

from whatsapp_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InvalidRecipient,
    RateLimitError,
    RetryPolicy,
    SendResult,
    ServerError,
    Template,
    Text,
    UnsupportedFeature,
    WhatsApp,
)
from whatsapp_async._demo import demo_messages
from whatsapp_async._registry import load as load_provider
from whatsapp_async.testing import Sandbox

from .profiles import ALL_KINDS, Profile

CUSTOMER = "+14155552671"
FAST = RetryPolicy(initial_delay=0.001, max_delay=0.005)


def sends(sb: Sandbox, profile: Profile) -> list[object]:
    return [r for r in sb.requests(profile.name) if profile.send_path(r.path)]


async def notify(wa: WhatsApp, to: str) -> tuple[SendResult, SendResult]:
    """A call site written once, used unchanged with every provider."""
    shipped = await wa.send(to, Text("Your order #1234 has shipped"))
    update = await wa.send(to, Template("order_update", body=["Ada", "#1234"]))
    return shipped, update


def test_declared_differences_match_capabilities(profile: Profile) -> None:
    caps = load_provider(profile.name).capabilities
    assert caps.messages == profile.messages
    assert caps.recipients == profile.recipients
    assert caps.options == profile.options
    assert caps.operations == profile.operations
    assert caps.template_features == profile.template_features
    assert profile.messages <= ALL_KINDS


async def test_same_call_site_same_result_shape(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name)
    for result in await notify(wa, "+1 (415) 555-2671"):
        assert isinstance(result, SendResult)
        assert result.provider == profile.name
        assert result.recipient == CUSTOMER
        assert result.status == profile.send_status
        assert isinstance(result.id, str) and result.id
        assert result.raw is not None
    assert len(sends(sb, profile)) == 2


async def test_unsupported_features_raise_before_any_request(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name)
    missing = ALL_KINDS - profile.messages
    for message in demo_messages("wamid.X"):
        if message.kind in missing:
            with pytest.raises(UnsupportedFeature) as info:
                await wa.send(CUSTOMER, message)
            assert info.value.provider == profile.name
    for option, value in (
        ("reply_to", "wamid.X"),
        ("metadata", {"k": "v"}),
    ):
        if option not in profile.options:
            with pytest.raises(UnsupportedFeature):
                await wa.send(CUSTOMER, Text("x"), **{option: value})
    for operation in ("mark_read", "get_status"):
        if operation not in profile.operations:
            with pytest.raises(UnsupportedFeature):
                await getattr(wa, operation)("wamid.X")
    assert sb.requests(profile.name) == []


@pytest.mark.parametrize("bad", ["12", "+1 415 555", "not a number", "+999 123"])
async def test_invalid_recipient(sb: Sandbox, profile: Profile, bad: str) -> None:
    with pytest.raises(InvalidRecipient):
        await sb.client(profile.name).send(bad, Text("x"))
    assert sb.requests(profile.name) == []


async def test_bad_credentials(sb: Sandbox, profile: Profile) -> None:
    secret = "wrong-credential-0123456789abcdef"
    wa = sb.client(profile.name, retry=FAST, **{profile.credential: secret})
    with pytest.raises(AuthenticationError) as info:
        await wa.send(CUSTOMER, Text("x"))
    err = info.value
    assert err.provider == profile.name and err.status == 401
    for text in (str(err), repr(err), err.body.decode("utf-8", "replace"), repr(wa)):
        assert secret not in text
    assert len(sb.requests(profile.name)) == 1  # not retried


async def test_rate_limit_is_retried_then_succeeds(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name, retry=FAST)
    sb.fail_next(profile.name, retry_after=0.01, **profile.rate_limit_fault)
    result = await wa.send(CUSTOMER, Text("x"))
    assert result.status == profile.send_status
    assert len(sb.requests(profile.name)) == 2


async def test_throttling_waits_its_turn_without_spending_error_retries(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name, retry=FAST, max_retries=0)
    sb.fail_next(profile.name, retry_after=0.01, times=3, **profile.rate_limit_fault)
    result = await wa.send(CUSTOMER, Text("x"))
    assert result.status == profile.send_status
    assert len(sb.requests(profile.name)) == 4


async def test_a_throttle_that_outlasts_the_deadline_is_a_rate_limit_error(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name, retry=FAST)
    sb.fail_next(profile.name, retry_after=0.05, times=100, **profile.rate_limit_fault)
    with pytest.raises(RateLimitError) as info:
        await wa.send(CUSTOMER, Text("x"), deadline=0.3)
    assert info.value.provider == profile.name
    assert info.value.retry_after == pytest.approx(0.05)
    assert not info.value.in_doubt
    assert 3 <= len(sb.requests(profile.name)) <= 8


async def test_server_errors_are_in_doubt_and_resent_only_with_an_idempotency_key(
    sb: Sandbox, profile: Profile
) -> None:
    # A 5xx may come after the provider accepted the message: resending could deliver it
    # twice, so only a provider that honours idempotency keys (the same key on every
    # attempt) gets it again by default.
    wa = sb.client(profile.name, retry=FAST)
    sb.fail_next(profile.name, times=3, **profile.server_fault)
    with pytest.raises(ServerError) as info:
        await wa.send(CUSTOMER, Text("x"))
    assert info.value.status == profile.server_fault["status"]
    assert info.value.in_doubt
    assert len(sb.requests(profile.name)) == (3 if profile.retries_ambiguous else 1)


async def test_retry_in_doubt_opts_in_to_at_least_once(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name, retry=FAST, retry_in_doubt=True)
    sb.fail_next(profile.name, times=2, **profile.server_fault)
    result = await wa.send(CUSTOMER, Text("x"))
    assert result.provider == profile.name
    assert len(sb.requests(profile.name)) == 3


async def test_a_send_that_may_have_gone_out_stays_in_doubt_whatever_follows(
    sb: Sandbox, profile: Profile
) -> None:
    # The first attempt is delivered and its answer lost (in doubt); the resend is throttled
    # until the deadline. The final RateLimitError must not say "not delivered".
    wa = sb.client(profile.name, retry=FAST, retry_in_doubt=True)
    sb.fail_next(profile.name, after_accept=True, **profile.server_fault)
    sb.fail_next(profile.name, retry_after=0.05, times=100, **profile.rate_limit_fault)
    with pytest.raises(RateLimitError) as info:
        await wa.send(CUSTOMER, Text("x"), deadline=0.3)
    assert info.value.in_doubt
    accepted = [r for r in sb.requests(profile.name) if r.accepted and profile.send_path(r.path)]
    assert len(accepted) == 1  # it was delivered, once


async def test_dropped_connection(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name, retry=FAST)
    sb.fail_next(profile.name, drop=True)
    if profile.retries_ambiguous:
        await wa.send(CUSTOMER, Text("x"))
        assert len(sb.requests(profile.name)) == 2
    else:
        with pytest.raises(APIConnectionError):
            await wa.send(CUSTOMER, Text("x"))
        assert len(sb.requests(profile.name)) == 1


async def test_slow_response_times_out(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name, retry=FAST, max_retries=0, timeout=0.2)
    sb.fail_next(profile.name, delay=2)
    with pytest.raises(APITimeoutError) as info:
        await wa.send(CUSTOMER, Text("x"))
    assert info.value.timeout == "total" and info.value.provider == profile.name


@pytest.mark.parametrize(
    ("status", "body"),
    [(502, b"<html><h1>502 Bad Gateway</h1></html>"), (500, b""), (400, b'{"error": {"mes')],
)
async def test_unknown_bodies_map_by_status(
    sb: Sandbox, profile: Profile, status: int, body: bytes
) -> None:
    wa = sb.client(profile.name, max_retries=0)
    sb.fail_next(profile.name, status=status, body=body, content_type="text/html")
    with pytest.raises(ServerError if status >= 500 else Exception) as info:
        await wa.send(CUSTOMER, Text("x"))
    err = info.value
    assert getattr(err, "status", None) == status and getattr(err, "body", None) == body
    assert type(err).__name__ == ("ServerError" if status >= 500 else "BadRequestError")


def distinct_numbers(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(f"+1415{rng.randint(200, 999)}{rng.randint(0, 9999):04d}")
    return sorted(out)


async def test_send_many_keeps_input_order(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name)
    numbers = distinct_numbers(30, seed=1)
    items: list[tuple[str, object]] = [(n, Text(f"#{i}")) for i, n in enumerate(numbers)]
    items[4] = ("bad", Text("x"))
    items[9] = (numbers[9], Template("order_update", body=["Ada", "#9"]))
    bulk = await wa.send_many(items, concurrency=7)  # type: ignore[arg-type]
    assert len(bulk) == 30 and bulk.failed == 1
    assert [i for i, _ in bulk.failures()] == [4]
    for index, result in bulk.results():
        assert result.recipient == numbers[index] and result.provider == profile.name


async def test_two_thousand_with_random_failures_lose_nothing(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name, max_retries=0, rate_limit=None)
    sb.simulator(profile.name).fail_randomly(0.1, seed=2024, **profile.server_fault)
    numbers = distinct_numbers(2000, seed=7)
    bulk = await wa.send_many([(n, Text("promo")) for n in numbers], concurrency=64)
    assert len(bulk) == 2000
    assert 100 < bulk.failed < 300
    assert all(isinstance(e, ServerError) for _, e in bulk.failures())
    accepted = [
        profile.recipient_in_body(r.json)  # type: ignore[attr-defined]
        for r in sends(sb, profile)
        if 200 <= r.status < 300  # type: ignore[attr-defined]
    ]
    delivered = [r.recipient.lstrip("+") for _, r in bulk.results()]
    assert Counter(accepted) == Counter(delivered)
    assert len(set(r.id for _, r in bulk.results())) == bulk.sent


async def test_failing_run_leaks_no_secret(
    sb: Sandbox, profile: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sekrit-" + "f" * 32
    wa = sb.client(profile.name, retry=FAST, **{profile.credential: secret})
    sb.fail_next(profile.name, times=2, **profile.server_fault)
    errors: list[Exception] = []
    for _ in range(3):
        try:
            await wa.send(CUSTOMER, Text("x"))
        except Exception as exc:
            errors.append(exc)
    assert errors
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(wa)]
    texts += [r.getMessage() for r in caplog.records]
    assert all(secret not in t for t in texts)
