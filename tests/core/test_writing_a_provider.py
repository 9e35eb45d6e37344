"""docs/writing-a-provider.md builds a working provider from the provider SDK alone.

The page's Python blocks are run as they are, in order, in one namespace: the adapter, the
simulator, then a send through the sandbox (which asserts what the simulator received).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "writing-a-provider.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)\n```", PAGE.read_text(), flags=re.S)


def test_the_page_has_an_adapter_a_simulator_and_a_send() -> None:
    adapter, simulator, send = _blocks()
    assert "class AcmeProvider(Provider)" in adapter
    assert "class AcmeSimulator(Simulator)" in simulator
    assert "Sandbox" in send


def test_the_adapter_imports_only_the_provider_sdk() -> None:
    adapter = _blocks()[0]
    modules = {
        node.module
        for node in ast.walk(ast.parse(adapter))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {m for m in modules if m.startswith("whatsapp_async")} == {"whatsapp_async.provider"}


def test_the_example_runs_end_to_end(tmp_path: Path) -> None:
    # A fresh interpreter: the example registers "acme" and runs its own event loop.
    script = tmp_path / "acme_example.py"
    script.write_text("\n\n".join(textwrap.dedent(b) for b in _blocks()) + "\nprint('ok')\n")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
