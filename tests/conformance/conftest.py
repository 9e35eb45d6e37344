"""One sandbox per provider; tests are parametrised over every built-in provider."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from whatsapp_async.testing import Sandbox

from .profiles import PROFILES, Profile


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> Profile:
    return PROFILES[request.param]


@pytest.fixture
async def sb(profile: Profile) -> AsyncIterator[Sandbox]:
    async with Sandbox([profile.name]) as sandbox:
        yield sandbox
