"""The public API is exactly what docs/architecture.md lists, and it type-checks for users."""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import whatsapp_async

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
USER_SCRIPT = Path(__file__).resolve().parent / "typing_user_script.py"


def _documented(marker: str) -> set[str]:
    text = ARCHITECTURE.read_text()
    block = text.split(f"<!-- {marker}:start -->", 1)[1].split(f"<!-- {marker}:end -->", 1)[0]
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", block.replace("```", "")))


def test_all_is_exactly_the_documented_public_names() -> None:
    documented = _documented("public-names")
    exported = set(whatsapp_async.__all__)
    assert exported == documented, (
        f"exported but not documented: {sorted(exported - documented)}; "
        f"documented but not exported: {sorted(documented - exported)}"
    )
    for name in exported:
        assert getattr(whatsapp_async, name) is not None


def test_every_module_without_an_underscore_is_a_documented_public_module() -> None:
    public = {whatsapp_async.__name__}
    for info in pkgutil.walk_packages(whatsapp_async.__path__, prefix="whatsapp_async."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts[1:]):
            continue
        # A module of a public package (contrib.arq's own files) is public with it.
        if "whatsapp_async.contrib.arq" in info.name and info.name != "whatsapp_async.contrib.arq":
            continue
        public.add(info.name)
    assert public == _documented("public-modules")


def test_a_user_script_using_every_public_name_passes_mypy_strict(tmp_path: Path) -> None:
    # An editable install maps the folder providers/ to whatsapp_async_providers with an import
    # hook mypy cannot follow; a symlink gives mypy the layout a wheel install has.
    site = tmp_path / "site"
    site.mkdir()
    (site / "whatsapp_async_providers").symlink_to(ROOT / "providers", target_is_directory=True)
    script = USER_SCRIPT.read_text()
    unused = [name for name in whatsapp_async.__all__ if not re.search(rf"\b{name}\b", script)]
    assert not unused, f"the typing script does not use {unused}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(USER_SCRIPT),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(site)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
