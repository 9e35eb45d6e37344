"""The main job: `whatsapp-async demo` runs every provider end to end and exits 0."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs_every_provider_and_exits_zero() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "whatsapp_async", "demo", "--fanout", "300"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for provider in ("meta", "magpipe", "pilot", "gateway"):
        assert f"== {provider}: one message of each kind" in out
    assert "demo finished cleanly" in out
    assert "unsupported" in out  # differences are shown, not hidden
    # Statuses come back by webhook from the providers that send them.
    status_lines = [line for line in out.splitlines() if line.startswith(("meta ", "pilot "))]
    assert any("delivered" in line for line in status_lines)
    assert "\r" not in out  # no progress redraws when the output is not a terminal
