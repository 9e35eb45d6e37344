"""A send's ``metadata=`` comes back on its status webhooks as ``StatusUpdate.metadata``.

Meta echoes ``biz_opaque_callback_data`` (the compact JSON the SDK sends) in every status
of the message; the simulator does the same.
"""

from __future__ import annotations

import copy
import json

import pytest

from whatsapp_async import StatusUpdate, Text
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.meta.webhooks import parse_payload

from .conftest import TO, load_json
from .test_end_to_end import Inbox, serve


async def test_metadata_round_trips_through_status_webhooks(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    inbox = Inbox()
    metadata = {"order": "1234", "attempt": 2, "tags": ["vip"], "nested": {"ok": True}}
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        tagged = await wa.send(TO, Text("Your order has shipped"), metadata=metadata)
        raw = await wa.send(TO, Text("Flash sale"), extra={"biz_opaque_callback_data": "c-7"})
        plain = await wa.send(TO, Text("No tags"))

        def statuses(message_id: str) -> list[StatusUpdate]:
            return [
                e
                for e in inbox.events
                if isinstance(e, StatusUpdate) and e.message_id == message_id
            ]

        await inbox.wait_for(lambda _: all(len(statuses(r.id)) == 2 for r in (tagged, raw, plain)))

    # The client's correlation id rides first; the caller's metadata follows as given.
    sent = json.loads(sb.requests("meta")[0].json["biz_opaque_callback_data"])
    assert list(sent) == ["_wa_cid", *metadata]
    assert {k: v for k, v in sent.items() if k != "_wa_cid"} == metadata
    assert [u.correlation_id for u in statuses(tagged.id)] == [sent["_wa_cid"]] * 2
    assert [u.metadata for u in statuses(tagged.id)] == [metadata, metadata]
    assert [u.metadata for u in statuses(raw.id)] == [{"value": "c-7"}] * 2
    assert [u.metadata for u in statuses(plain.id)] == [None, None]


def _status_payload(opaque: object) -> bytes:
    payload = copy.deepcopy(load_json("webhooks/batch_mixed.json"))
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    if opaque is None:
        status.pop("biz_opaque_callback_data", None)
    else:
        status["biz_opaque_callback_data"] = opaque
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("opaque", "expected"),
    [
        ('{"order":"1234"}', {"order": "1234"}),
        ("{}", {}),
        ("campaign-7", {"value": "campaign-7"}),
        ("[1, 2]", {"value": "[1, 2]"}),
        ("42", {"value": "42"}),
        ('{"truncated":', {"value": '{"truncated":'}),
        ("", {"value": ""}),
        (None, None),
    ],
)
def test_callback_data_decoding(opaque: str | None, expected: object) -> None:
    first = parse_payload(_status_payload(opaque))[0]
    assert isinstance(first, StatusUpdate)
    assert first.metadata == expected


def test_callback_data_of_another_type_does_not_lose_the_status() -> None:
    # Meta sends a string; anything else is still kept, and the status still counts.
    first = parse_payload(_status_payload(12345))[0]
    assert isinstance(first, StatusUpdate)
    assert first.metadata == {"value": 12345}
    first = parse_payload(_status_payload({"order": "1"}))[0]
    assert isinstance(first, StatusUpdate)
    assert first.metadata == {"order": "1"}
