"""check_templates=True against the gateway's listing: mismatches never reach the send endpoint."""

from __future__ import annotations

import pytest

from whatsapp_async import Template, TemplateMismatch
from whatsapp_async.testing import Sandbox

from .helpers import numbers as valid_numbers

SEND_PATHS = ("/api/whatsapp/send-template", "/api/whatsapp/send")


def sends(sb: Sandbox) -> int:
    return sum(1 for r in sb.requests("gateway") if r.path in SEND_PATHS)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (Template("order_update", body=["Ada"]), "body takes 2 parameters, got 1"),
        (Template("order_update", language="pt_BR", body=["a", "b"]), "not in the provider's"),
        (Template("no_such_template"), "not in the provider's"),
        (Template("welcome_named", body={"first_name": "Ada"}), "missing offer"),
        (Template("order_update", body=["a", "b"], header="x"), "has no header"),
    ],
)
async def test_mismatches_raise_before_any_send(
    sb: Sandbox, template: Template, problem: str
) -> None:
    wa = sb.client("gateway", check_templates=True)
    [to] = valid_numbers(1)
    with pytest.raises(TemplateMismatch, match=problem):
        await wa.send(to, template)
    assert sends(sb) == 0


async def test_matching_sends_go_out_and_the_listing_is_cached(sb: Sandbox) -> None:
    wa = sb.client("gateway", check_templates=True)
    numbers = valid_numbers(3)
    for to in numbers:
        await wa.send(to, Template("order_update", body=["Ada", "#1"]))
    bulk = await wa.send_many(
        [
            (to, Template("welcome_named", body={"first_name": "A", "offer": "10%"}))
            for to in numbers
        ]
        + [(numbers[0], Template("order_update", body=["only one"]))]
    )
    assert bulk.sent == 3 and isinstance(bulk[3], TemplateMismatch)
    listings = [r for r in sb.requests("gateway") if r.path == "/api/whatsapp/templates"]
    assert len(listings) == 1
    assert sends(sb) == 4  # 3 singles + one native batch of 3
