"""Shared fixtures: sandboxes of provider simulators on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from whatsapp_async.testing import Sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """Every registered provider's simulator."""
    async with Sandbox() as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Callable[..., AbstractAsyncContextManager[Sandbox]]:
    """``async with make_sandbox(["meta"]) as sb:`` for tests that pick providers."""
    return Sandbox
