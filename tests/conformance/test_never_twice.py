"""Never twice, never silently lost: 2,000 sends under faults before AND after acceptance.

Every provider's simulator fails about 10% of requests with a mix of faults: refusals before
processing (a 5xx, a dropped connection, throttling) and faults after the message was
accepted and recorded as delivered (a 5xx, a dropped connection, an answer held back past the
client's timeout). Deliveries are counted per recipient at the simulator. With the defaults:

- every item has exactly one outcome;
- no recipient gets the message twice;
- an item reported as sent was delivered exactly once;
- an item that was delivered but reported as failed says so (``in_doubt``), and an item
  reported as failed and not in doubt was not delivered.

Pilot honours idempotency keys, so its in-doubt failures are retried with the same key and
end up sent exactly once; for the others they are reported, never resent (at most once).
"""

from __future__ import annotations

from collections import Counter

from whatsapp_async import RetryPolicy, SendResult, Text
from whatsapp_async.testing import Fault, Sandbox

from .profiles import Profile
from .test_semantics import distinct_numbers

FAST = RetryPolicy(initial_delay=0.001, max_delay=0.005)
ITEMS = 2000


def _faults(profile: Profile) -> list[Fault]:
    server = dict(profile.server_fault)
    throttle = dict(profile.rate_limit_fault)
    return [
        Fault(status=server["status"], code=server.get("code")),  # refused
        Fault(drop=True),  # reset while connecting... or before the routes saw it
        Fault(status=throttle["status"], code=throttle.get("code"), retry_after=0),
        Fault(status=server["status"], code=server.get("code"), after_accept=True),
        Fault(status=502, body=b"<html>bad gateway</html>", after_accept=True),
        Fault(drop=True, after_accept=True),
        Fault(delay=1.0, after_accept=True),  # the answer comes after the client gave up
    ]


def _deliveries(sb: Sandbox, profile: Profile) -> Counter[str]:
    if profile.name == "pilot":
        # Pilot replays a repeated Idempotency-Key with the first answer: count its messages.
        messages = sb.simulator("pilot").messages  # type: ignore[attr-defined]
        return Counter(
            "".join(ch for ch in m.request.destination[1] if ch.isdigit())
            for m in messages.values()
        )
    return Counter(
        profile.recipient_in_body(r.json)
        for r in sb.requests(profile.name)
        if r.accepted and profile.send_path(r.path)
    )


async def test_two_thousand_sends_under_faults_after_acceptance(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name, retry=FAST, rate_limit=None, timeout=0.4)
    sb.simulator(profile.name).fail_randomly(0.1, seed=17, faults=_faults(profile))
    numbers = distinct_numbers(ITEMS, seed=11)
    bulk = await wa.send_many([(n, Text("promo")) for n in numbers], concurrency=64)
    sb.simulator(profile.name).fail_randomly(0)

    assert len(bulk) == ITEMS
    delivered = _deliveries(sb, profile)
    twice = {n: c for n, c in delivered.items() if c > 1}
    assert twice == {}, f"{len(twice)} recipients got the message more than once"
    lost = 0
    for index, outcome in enumerate(bulk):
        digits = numbers[index][1:]
        count = delivered.get(digits, 0)
        if isinstance(outcome, SendResult):
            assert count == 1, f"item {index} reported sent but delivered {count} times"
        elif count == 1:
            assert outcome.in_doubt, f"item {index} was delivered but reported {outcome!r}"
        else:
            lost += 1  # failed, nothing delivered: fine whether or not it says in doubt
    in_doubt = dict(bulk.in_doubt())
    assert bulk.sent + bulk.failed == ITEMS
    if profile.retries_ambiguous:
        # Idempotency keys make every resend safe: only an item whose every attempt (3) met a
        # fault fails (about 0.1% at a 10% fault rate), and none of them is delivered twice.
        assert bulk.failed <= ITEMS // 100, bulk.failed
    else:
        assert bulk.failed > lost >= 0
        assert in_doubt, "after-acceptance faults must show up as in-doubt items"
