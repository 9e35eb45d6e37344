"""No request a built-in provider builds shows its credential, whichever way it is printed.

``repr(request)`` was redacted from the start, but ``request.headers`` reaches logs and
tracebacks on its own (a debugger, an f-string, a failing assert): every provider's headers
are a ``RedactedHeaders``, whose repr and str hide the secret while lookups, and the aiohttp
headers built from them, still carry it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

import pytest
from multidict import CIMultiDict

from whatsapp_async import Phone, Template, Text
from whatsapp_async.provider import FormFile, HttpRequest, Provider, SendOptions

PHONE = Phone("+14155552671")
NO_OPTIONS = SendOptions()

Build = Callable[[Provider], HttpRequest]

# Per built-in provider: its settings (each with its own recognisable credential), the header
# that carries it, and the requests to check: a send, and each other kind of request it builds
# headers for (for Magpipe, which has no other operation, its second send endpoint).
CASES: dict[str, tuple[dict[str, Any], str, str, dict[str, Build]]] = {
    "meta": (
        {"token": "EAAG-meta-s3cret", "phone_number_id": "106540352242922", "waba_id": "102"},
        "Authorization",
        "EAAG-meta-s3cret",
        {
            "send": lambda p: p.build_send(PHONE, Text("hi"), NO_OPTIONS),
            "mark_read": lambda p: p.build_mark_read("wamid.X", typing=True),
            "list_templates": lambda p: p.build_list_templates(None),
            "upload_media": lambda p: p.build_upload_media(
                FormFile(filename="a.png", content_type="image/png", data=b"png")
            ),
            "download": lambda p: p.build_download("https://lookaside.fbsbx.com/whatsapp/1"),
        },
    ),
    "magpipe": (
        {
            "api_key": "mgp_magpipe-s3cret",
            "phone_number_id": "1026733600525693",
            "agent_id": "d920763c-59d8-490e-ad69-b6a3295e23a8",
        },
        "Authorization",
        "mgp_magpipe-s3cret",
        {
            "send": lambda p: p.build_send(PHONE, Text("hi"), NO_OPTIONS),
            "send_template": lambda p: p.build_send(PHONE, Template("hello"), NO_OPTIONS),
        },
    ),
    "pilot": (
        {"api_key": "ps_pilot-s3cret"},
        "x-api-key",
        "ps_pilot-s3cret",
        {
            "send": lambda p: p.build_send(
                PHONE, Text("hi"), SendOptions(idempotency_key="order-1")
            ),
            "get_status": lambda p: p.build_get_status("msg_1"),
            "cancel": lambda p: p.operations["cancel"].build(p, ["msg_1"]),
        },
    ),
    "gateway": (
        {"token": "gw-gateway-s3cret", "base_url": "https://gw.example.com"},
        "Authorization",
        "gw-gateway-s3cret",
        {
            "send": lambda p: p.build_send(PHONE, Text("hi"), NO_OPTIONS),
            "list_templates": lambda p: p.build_list_templates(None),
        },
    ),
}


def _built_in() -> dict[str, type[Provider]]:
    return {
        ep.name: ep.load()
        for ep in entry_points(group="whatsapp_async.providers")
        if ep.value.startswith("whatsapp_async_providers.")
    }


def test_every_built_in_provider_is_checked() -> None:
    assert set(_built_in()) == set(CASES)


@pytest.mark.parametrize(
    ("name", "operation"),
    [(name, operation) for name, case in CASES.items() for operation in case[3]],
)
def test_request_headers_never_show_the_credential(name: str, operation: str) -> None:
    settings, header, secret, builds = CASES[name]
    provider_type = _built_in()[name]
    provider = provider_type(provider_type.settings_type(**settings))
    request = builds[operation](provider)

    for shown in (repr(request), repr(request.headers), str(request.headers)):
        assert secret not in shown
    assert "***" in repr(request.headers)
    # What the transport sends: the mapping itself, and aiohttp's copy of it.
    assert secret in request.headers[header]
    assert secret in CIMultiDict(request.headers)[header]
