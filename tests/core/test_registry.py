"""Third-party providers plug in through the entry-point group, like the built-in ones."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from whatsapp_async import (
    ConfigurationError,
    Text,
    WhatsApp,
    available_providers,
    register_provider,
)
from whatsapp_async.testing import Sandbox


def install_fake_distribution(root: Path) -> None:
    """Lay out what `pip install acme-whatsapp` would: a package and its dist-info."""
    package = root / "acme_whatsapp"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            '''
            """A provider shipped by another distribution."""
            from tests.core.toy import ToyProvider, ToySimulator

            class AcmeProvider(ToyProvider):
                name = "acme"

            class AcmeSimulator(ToySimulator):
                name = "acme"
            '''
        )
    )
    info = root / "acme_whatsapp-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-whatsapp\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[whatsapp_async.providers]\nacme = acme_whatsapp:AcmeProvider\n"
        "[whatsapp_async.simulators]\nacme = acme_whatsapp:AcmeSimulator\n"
    )


async def test_entry_point_provider_is_discovered_and_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_distribution(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert "acme" in available_providers()
    async with Sandbox(["acme"]) as sb:
        wa = sb.client("acme")
        result = await wa.send("+14155552671", Text("hello from a plug-in"))
        assert result.provider == "acme"
        assert sb.requests("acme")[0].json["text"] == "hello from a plug-in"


def test_register_at_run_time_and_bad_registrations() -> None:
    with pytest.raises(TypeError):
        register_provider("bad", object)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"available: .*meta"):
        WhatsApp("definitely-not-installed")
