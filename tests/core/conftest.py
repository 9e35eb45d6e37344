"""Core tests run against the toy provider's simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from whatsapp_async.testing import Sandbox

from . import toy  # noqa: F401  (registers the "toy" provider)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["toy"]) as sandbox:
        yield sandbox
