"""The provider-by-feature table, generated from each provider's ``Capabilities``.

``docs/providers.md`` and ``whatsapp-async providers`` both come from here, so
the documentation cannot drift from the code (a test compares them).

Example::

    print(markdown_table())
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _registry
from .messages import MESSAGE_KINDS, TEMPLATE_FEATURES
from .provider import Capabilities

__all__ = ["FEATURE_ROWS", "feature_rows", "markdown_table", "write_table"]

START = "<!-- capability-table:start -->"
END = "<!-- capability-table:end -->"

RECIPIENT_KINDS = ("phone", "user", "group", "channel", "conversation")
OPTION_KINDS = ("reply_to", "metadata", "deliver_at", "deliver_until")
OPERATION_KINDS = (
    "mark_read",
    "get_status",
    "list_templates",
    "upload_media",
    "inline_media",
    "native_batch",
    "idempotency",
    "webhooks",
)

FEATURE_ROWS: tuple[tuple[str, str, str], ...] = (
    *((f"message: {k}", "messages", k) for k in MESSAGE_KINDS),
    *((f"template: {k}", "template_features", k) for k in TEMPLATE_FEATURES),
    *((f"to: {k}", "recipients", k) for k in RECIPIENT_KINDS),
    *((f"option: {k}", "options", k) for k in OPTION_KINDS),
    *((f"operation: {k}", "operations", k) for k in OPERATION_KINDS),
)
"""(label, Capabilities field, value) for every row of the table."""


def _cell(caps: Capabilities, field: str, value: str) -> str:
    if field == "template_features":
        if "template" not in caps.messages:
            return "-"
        if caps.template_features is None:
            return "?"  # not declared: the provider's build_send decides
        return "yes" if value in caps.template_features else "-"
    return "yes" if value in getattr(caps, field) else "-"


def feature_rows(names: Sequence[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Column names and rows (``yes``/``-``) for the named providers (default: all installed).

    A template feature a provider does not declare (``template_features=None``) shows ``?``.

    Example::

        header, rows = feature_rows(["meta", "pilot"])
    """
    providers = list(names) if names is not None else _registry.available()
    caps = {name: _registry.load(name).capabilities for name in providers}
    header = ["feature", *providers]
    rows = [
        [label, *(_cell(caps[p], field, value) for p in providers)]
        for label, field, value in FEATURE_ROWS
    ]
    extra_ops = sorted({op for c in caps.values() for op in c.operations} - set(OPERATION_KINDS))
    rows.extend(
        [f"operation: {op}", *("yes" if op in caps[p].operations else "-" for p in providers)]
        for op in extra_ops
    )
    return header, rows


def markdown_table(names: Sequence[str] | None = None) -> str:
    """The feature table as Markdown.

    Example::

        Path("docs/providers.md").write_text(markdown_table())
    """
    header, rows = feature_rows(names)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def write_table(path: str, names: Sequence[str]) -> None:
    """Replace the table between the capability-table markers of ``path``.

    Example (shell)::

        whatsapp-async providers --write docs/providers.md meta magpipe pilot gateway
    """
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{head}{START}\n{markdown_table(names)}{END}{tail}")
