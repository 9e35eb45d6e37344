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
    # The richer kinds go through every provider that can express them, the rest say so.
    rows = {line.split("  ")[0].strip(): line.split() for line in out.splitlines()}
    header = rows["message"][1:]
    expected = {
        "flow": {"meta": "accepted"},
        "cta_url": {"meta": "accepted", "pilot": "queued"},
        "template (carousel)": {"meta": "accepted", "magpipe": "accepted"},
        "template (otp)": {"meta": "accepted", "magpipe": "accepted", "gateway": "accepted"},
    }
    for label, sent in expected.items():
        cells = dict(zip(header, rows[label][-len(header) :], strict=True))
        assert cells == {p: sent.get(p, "unsupported") for p in header}, label
    # Statuses come back by webhook from the providers that send them.
    status_lines = [line for line in out.splitlines() if line.startswith(("meta ", "pilot "))]
    assert any("delivered" in line for line in status_lines)
    assert "\r" not in out  # no progress redraws when the output is not a terminal
