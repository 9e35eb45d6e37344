"""Magpipe tests run against the Magpipe simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from whatsapp_async.testing import Sandbox


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox running only the Magpipe simulator."""
    async with Sandbox(["magpipe"]) as sandbox:
        yield sandbox
