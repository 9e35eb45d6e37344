"""Fixtures of the Meta provider tests: a sandboxed simulator and the repaired spec schema.

Every ``/messages`` send body the simulator records during a test that uses ``sb`` is
validated against ``fixtures/message.schema.json`` when the test ends, so no body the SDK
builds escapes the schema check. A body with a part the spec cannot express (``spec_gaps``:
a CTA URL, a carousel, a Flow button ...) must fail the schema, and the rest of it must pass.
Requests made by the tests' own raw HTTP client (to probe the simulator with bodies the SDK
would never build) carry ``User-Agent: raw-client`` and are not checked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator

from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .spec_gaps import spec_gaps, without_gaps

FIXTURES = Path(__file__).parent / "fixtures"
RAW_CLIENT = "raw-client"
TO = "+16505551234"


def load_json(relative: str) -> Any:
    """A fixture file, decoded."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def load_bytes(relative: str) -> bytes:
    """A fixture file's bytes, as a webhook would carry them."""
    return (FIXTURES / relative).read_bytes()


_VALIDATOR = Draft202012Validator(load_json("message.schema.json"))


def schema_errors(body: Any) -> list[str]:
    """Why ``body`` does not satisfy the repaired ``Message`` schema (empty when it does)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in _VALIDATOR.iter_errors(body)
    ]


def check_against_the_spec(body: Any) -> None:
    """Assert ``body`` fits the spec, or that only the parts the spec lacks keep it from fitting."""
    problems = schema_errors(body)
    gaps = spec_gaps(body)
    if not gaps:
        assert not problems, f"SDK body fails the spec schema: {problems} in {body}"
        return
    assert problems, f"the spec should refuse {gaps} but accepts {body}"
    rest = without_gaps(body)
    if rest is not None:
        leftover = schema_errors(rest)
        assert not leftover, f"besides {gaps}, the body fails the spec: {leftover} in {rest}"


def is_send_body(record: Any) -> bool:
    """Whether a recorded request is a message send made by the SDK (not mark-read or raw)."""
    return (
        record.method == "POST"
        and record.path.endswith("/messages")
        and isinstance(record.json, dict)
        and "status" not in record.json
        and not record.headers.get("User-Agent", "").startswith(RAW_CLIENT)
    )


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox running only the Meta simulator; checks every send body against the schema."""
    async with Sandbox(["meta"]) as sandbox:
        yield sandbox
        for record in sandbox.requests("meta"):
            if is_send_body(record):
                check_against_the_spec(record.json)


@pytest.fixture
def sim(sb: Sandbox) -> MetaSimulator:
    """The running Meta simulator (typed)."""
    simulator = sb.simulator("meta")
    assert isinstance(simulator, MetaSimulator)
    return simulator


@pytest.fixture
def sends(sb: Sandbox) -> Callable[[], list[dict[str, Any]]]:
    """The JSON bodies of the SDK's sends recorded so far, in order."""

    def bodies() -> list[dict[str, Any]]:
        return [r.json for r in sb.requests("meta") if is_send_body(r)]

    return bodies


class Graph:
    """A minimal third-party Meta client: versioned paths, Bearer token, JSON (tests probe the
    simulator with it; its requests are marked raw, so the schema check leaves them alone)."""

    def __init__(self, session: aiohttp.ClientSession, base: str, token: str, node: str) -> None:
        self.session = session
        self.base = base
        self.token = token
        self.node = node

    async def post(
        self,
        body: Any,
        *,
        token: str | None = None,
        node: str | None = None,
        version: str = API,
    ) -> tuple[int, Any]:
        headers = {"User-Agent": RAW_CLIENT}
        if token != "":
            headers["Authorization"] = f"Bearer {token or self.token}"
        url = f"{self.base}/{version}/{node or self.node}/messages"
        async with self.session.post(url, json=body, headers=headers) as response:
            return response.status, await response.json()


@pytest.fixture
async def graph(sb: Sandbox) -> AsyncIterator[Graph]:
    """A raw Graph client aimed at the sandboxed simulator."""
    settings = sb.settings("meta")
    async with aiohttp.ClientSession() as session:
        yield Graph(session, sb.base_url("meta"), settings["token"], settings["phone_number_id"])


def without_correlation(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the client's correlation id (checked) in ``biz_opaque_callback_data``.

    Every send carries one (``_wa_cid``, first); the caller's metadata follows it unchanged.
    A caller's own ``biz_opaque_callback_data`` (through ``extra=``) replaces it whole.
    """
    body = dict(body)
    opaque = body.get("biz_opaque_callback_data")
    if not isinstance(opaque, str) or not opaque.startswith('{"_wa_cid":'):
        return body
    data = json.loads(opaque)
    correlation_id = data.pop("_wa_cid")
    assert isinstance(correlation_id, str) and 8 <= len(correlation_id) <= 24
    if data:
        body["biz_opaque_callback_data"] = json.dumps(data, separators=(",", ":"))
    else:
        del body["biz_opaque_callback_data"]
    return body
