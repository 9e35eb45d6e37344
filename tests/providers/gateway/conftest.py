"""Gateway tests run against the gateway simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from whatsapp_async import RetryPolicy, WhatsApp
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway.simulator import GatewaySimulator


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["gateway"]) as sandbox:
        yield sandbox


@pytest.fixture
def sim(sb: Sandbox) -> GatewaySimulator:
    simulator = sb.simulator("gateway")
    assert isinstance(simulator, GatewaySimulator)
    return simulator


@pytest.fixture
def gw(sb: Sandbox) -> WhatsApp:
    """A client with no retries (throttling raised at once too), so every fault shows as it is."""
    return sb.client("gateway", retry=RetryPolicy(max_retries=0, throttle_deadline=0))
