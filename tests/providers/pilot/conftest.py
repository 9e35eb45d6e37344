"""Pilot tests run against the Pilot simulator on 127.0.0.1 (fast status steps)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import msgspec
import pytest

from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

FIXTURES = Path(__file__).parent / "fixtures"
PHONE = "+5511987654321"
GROUP = "120363025246125486@g.us"
CHANNEL = "120363000000000000@newsletter"


def fixture_bytes(name: str) -> bytes:
    """The raw bytes of a fixture file."""
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    """A fixture file, decoded."""
    return msgspec.json.decode(fixture_bytes(name))


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["pilot"]) as sandbox:
        sim = cast(PilotSimulator, sandbox.simulator("pilot"))
        sim.progress_delay = 0.01
        yield sandbox


@pytest.fixture
def sim(sb: Sandbox) -> PilotSimulator:
    return cast(PilotSimulator, sb.simulator("pilot"))
