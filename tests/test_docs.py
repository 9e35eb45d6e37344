"""The docs say what the code does: the capability table and the README's first section."""

from __future__ import annotations

import re
from pathlib import Path

from whatsapp_async._features import markdown_table

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN = ["meta", "magpipe", "pilot", "gateway"]
START, END = "<!-- capability-table:start -->", "<!-- capability-table:end -->"


def test_provider_table_matches_capabilities() -> None:
    text = (ROOT / "docs" / "providers.md").read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == markdown_table(BUILT_IN).strip(), (
        "docs/providers.md is stale: regenerate the table with "
        "`whatsapp-async providers --write docs/providers.md meta magpipe pilot gateway`"
    )


def test_readme_first_section_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first = readme.split("\n## ", 2)[1]
    commands = re.findall(r"```bash\n(.*?)\n```", first, flags=re.S)
    assert len(commands) == 2
    assert commands[0].endswith("whatsapp-async demo")
    assert commands[1].endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".venv/bin/python -m pytest" in ci
