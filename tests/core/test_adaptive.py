"""The adaptive limiter's decisions on scripted feedback, throttling as back-pressure in bulk, and
the retry budget in an outage — decisions and counts, never timings.
"""

from __future__ import annotations

from collections import Counter

import pytest

from whatsapp_async import RateLimitError, RetryPolicy, SendResult, ServerError, Text, WhatsApp
from whatsapp_async._adaptive import AdaptiveLimiter, PairBackoff
from whatsapp_async._budget import RetryBudget
from whatsapp_async.testing import Fault, Sandbox

KEY = "meta:1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def saturate(limiter: AdaptiveLimiter, clock: Clock, seconds: float, step: float = 0.001) -> None:
    """Keep callers waiting (demand) for ``seconds``: reserve slots faster than the rate."""
    end = clock.now + seconds
    while clock.now < end:
        limiter.delay_for(KEY, clock.now)
        limiter.delay_for(KEY, clock.now)
        clock.now += step


def test_it_probes_upwards_only_while_callers_wait() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(80, ceiling=1000, ramp_seconds=0.3, clock=clock)
    for _ in range(50):  # one caller every second: never waiting, no demand
        limiter.delay_for(KEY, clock.now)
        clock.now += 1.0
    assert limiter.rate == 80
    saturate(limiter, clock, 0.3)
    assert limiter.rate == pytest.approx(160, rel=0.05)  # doubles per ramp of demand
    saturate(limiter, clock, 2.0)
    assert limiter.rate == 1000  # and stops at the ceiling


def test_a_throttle_cuts_to_beta_of_the_rate_it_was_sent_at_once_per_round_trip() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(200, ceiling=200, beta=0.85, clock=clock)
    limiter.delay_for(KEY, clock.now)
    sent = clock.now
    clock.now += 0.2
    limiter.observe(KEY, sent_at=sent, throttled=True)
    assert limiter.rate == pytest.approx(170)
    # Requests sent before the cut were sent at the old rate: their throttles change nothing.
    limiter.observe(KEY, sent_at=sent + 0.05, throttled=True)
    assert limiter.rate == pytest.approx(170)
    # One sent after the cut and throttled too: cut again from the rate it was sent at.
    clock.now += 0.01
    later = clock.now
    clock.now += 0.2
    limiter.observe(KEY, sent_at=later, throttled=True)
    assert limiter.rate == pytest.approx(170 * 0.85)


def test_far_above_the_limit_the_accepted_share_sets_the_estimate() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(1000, ceiling=1000, clock=clock)
    limiter.delay_for(KEY, clock.now)
    sent = clock.now
    clock.now += 0.2
    for _ in range(20):  # of the first answers, 1 in 5 accepted...
        limiter.observe(KEY, sent_at=sent, throttled=False)
    limiter.observe(KEY, sent_at=sent, throttled=True)
    assert limiter.rate == pytest.approx(850, rel=0.05)  # one throttle among 21: a plain cut
    for _ in range(79):  # ...but the rest of that burst says the provider takes a fifth
        limiter.observe(KEY, sent_at=sent, throttled=True)
    assert limiter.rate == pytest.approx(0.85 * 1000 * 20 / 100, rel=0.05)  # ~170, not 850


def test_after_a_cut_it_grows_back_flat_near_the_limit_then_probes() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(100, ceiling=1000, cubic_seconds=1.0, clock=clock)
    limiter.delay_for(KEY, clock.now)
    sent = clock.now
    clock.now += 0.1
    limiter.observe(KEY, sent_at=sent, throttled=True)
    assert limiter.rate == pytest.approx(85)
    saturate(limiter, clock, 1.0)  # one cubic period: back at the limit it saw
    assert limiter.rate == pytest.approx(100, rel=0.03)
    saturate(limiter, clock, 0.5)  # flat near it
    assert 100 <= limiter.rate <= 105
    saturate(limiter, clock, 0.5)  # then it creeps above it (5% of it per second)...
    assert 104.5 <= limiter.rate <= 105.5
    saturate(limiter, clock, 2.5)
    assert 117 <= limiter.rate <= 118
    saturate(limiter, clock, 2.0)
    assert 127 <= limiter.rate <= 128
    saturate(limiter, clock, 4.0)  # ...and 8 s above it with no throttle: the tier was raised
    assert limiter.rate > 200


def test_retry_after_pauses_the_key() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(100, clock=clock)
    limiter.delay_for(KEY, clock.now)
    limiter.observe(KEY, sent_at=clock.now, throttled=True, retry_after=3.0)
    assert limiter.delay_for(KEY, clock.now) >= 2.9


def test_pair_backoff_spaces_only_throttled_pairs() -> None:
    pairs = PairBackoff(interval=6.0, hold=60.0)
    assert pairs.delay_for("meta:1:+14155552671", 0.0) == 0.0
    pairs.observe("meta:1:+14155552671", sent_at=0.0, throttled=True)
    assert pairs.delay_for("meta:1:+14155552672", 0.0) == 0.0  # another pair: untouched
    first = pairs.delay_for("meta:1:+14155552671")
    second = pairs.delay_for("meta:1:+14155552671")
    assert first > 5 and second - first == pytest.approx(6.0, abs=0.1)


def test_the_retry_budget_spends_and_refills() -> None:
    budget = RetryBudget(capacity=3, refill=0.5)
    assert [budget.take() for _ in range(4)] == [True, True, True, False]
    budget.succeeded()
    budget.succeeded()
    assert budget.take() and not budget.take()


async def test_throttled_items_go_back_in_line_and_each_gets_one_outcome() -> None:
    async with Sandbox(["meta"]) as sb:
        # max_retries=0: throttling must not spend retries, or items would fail. Random
        # throttles (not rate-driven) would drive an adaptive limiter down: none here, so
        # throttled items back off by the policy's waits instead.
        fast = RetryPolicy(max_retries=0, initial_delay=0.001, max_delay=0.01)
        wa = sb.client("meta", retry=fast, rate_limit=None)
        throttle = Fault(status=400, code=130429)
        sb.simulator("meta").fail_randomly(0.3, seed=9, faults=[throttle])
        numbers = [f"+1415555{i:04d}" for i in range(2000, 2400)]
        bulk = await wa.send_many([(n, Text("x")) for n in numbers])
        sb.simulator("meta").fail_randomly(0)
    assert len(bulk) == 400 and bulk.sent == 400
    assert all(isinstance(outcome, SendResult) for outcome in bulk)
    delivered = Counter(r.json["to"] for r in sb.requests("meta") if r.accepted)
    assert set(delivered) == set(numbers) and set(delivered.values()) == {1}
    assert len(sb.requests("meta")) > 400  # the throttled ones went again


async def test_a_bulk_deadline_turns_a_lasting_throttle_into_rate_limit_errors() -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta")
        sb.simulator("meta").fail_randomly(1.0, faults=[Fault(status=400, code=130429)])
        bulk = await wa.send_many(
            [(f"+1415555{i:04d}", Text("x")) for i in range(2000, 2020)], deadline=0.5
        )
        sb.simulator("meta").fail_randomly(0)
    assert bulk.failed == 20
    assert all(isinstance(error, RateLimitError) for _, error in bulk.failures())
    assert not any(error.in_doubt for _, error in bulk.failures())


async def test_in_an_outage_retries_add_a_small_fraction_of_the_traffic() -> None:
    async with Sandbox(["pilot"]) as sb:
        # Pilot's requests carry idempotency keys, so 503s are retried: up to the budget.
        wa = sb.client("pilot", retry=RetryPolicy(initial_delay=0.001, max_delay=0.002))
        sb.simulator("pilot").fail_randomly(1.0, status=503)
        bulk = await wa.send_many(
            [(f"+5511987{i:06d}", Text("x")) for i in range(1000)], concurrency=1000
        )
        sb.simulator("pilot").fail_randomly(0)
    assert bulk.failed == 1000
    assert all(isinstance(error, ServerError) for _, error in bulk.failures())
    assert len(sb.requests("pilot")) <= 1100  # not 3,000


def test_a_rate_limit_is_a_ceiling_learned_up_to_from_the_documented_rate() -> None:
    meta = WhatsApp("meta", token="t", phone_number_id="1", rate_limit=1000)
    limiter = meta.rate_limiter
    assert isinstance(limiter, AdaptiveLimiter)
    # No opening burst at the ceiling: a 200 msg/s number told "1000" starts at Meta's 80.
    assert (limiter.rate, limiter.ceiling) == (80, 1000)
    low = WhatsApp("meta", token="t", phone_number_id="1", rate_limit=20).rate_limiter
    assert isinstance(low, AdaptiveLimiter) and (low.rate, low.ceiling) == (20, 20)
    pilot = WhatsApp("pilot", api_key="ps_x", rate_limit=50).rate_limiter  # no documented rate
    assert isinstance(pilot, AdaptiveLimiter) and (pilot.rate, pilot.ceiling) == (50, 50)
