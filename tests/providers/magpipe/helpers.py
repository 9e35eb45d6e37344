"""Helpers shared by the Magpipe tests: fixture files, the simulator, a loopback server."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.magpipe.simulator import MagpipeSimulator

FIXTURES = Path(__file__).parent / "fixtures"

TO = "+14155552671"
"""A valid US number (phonenumbers agrees); Magpipe's wa_id form is the digits."""
TO_DIGITS = "14155552671"


def fixture_bytes(name: str) -> bytes:
    """The raw bytes of ``fixtures/<name>``."""
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    """``fixtures/<name>`` decoded."""
    return json.loads(fixture_bytes(name))


def simulator(sb: Sandbox) -> MagpipeSimulator:
    """The sandbox's Magpipe simulator, typed."""
    sim = sb.simulator("magpipe")
    assert isinstance(sim, MagpipeSimulator)
    return sim


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (ephemeral port); yields its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
