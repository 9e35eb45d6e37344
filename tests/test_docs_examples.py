"""Every Python code block in README.md and docs/ runs as written, imports included.

Each page runs in a fresh interpreter (``tests/docs_harness.py``): its blocks in order, each
in its own namespace, against the provider simulators on 127.0.0.1, with the files the
examples name. A page with no Python block is still checked to have none that is broken.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs_harness import blocks

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_python_block_of_the_page_runs(page: Path) -> None:
    count = len(blocks(page))
    if count == 0:
        return  # nothing to run on this page (tables and prose only)
    result = subprocess.run(
        [sys.executable, "-m", "tests.docs_harness", str(page.relative_to(ROOT))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().splitlines()[-1] == f"ok {count}"


def test_the_readme_and_the_guides_have_examples() -> None:
    assert len(blocks(ROOT / "README.md")) >= 5
    assert len(blocks(ROOT / "docs" / "writing-a-provider.md")) == 3
