"""``whatsapp-async``: demo, send, send-bulk and providers.

User errors print one line (``error: ...``) and exit 2; a send that fails
exits 1; success exits 0; an interrupted ``send-bulk`` exits 130 (its rows and
files: :mod:`._cli_bulk`). Clients are configured from ``--config``/``--profile``
(a TOML profiles file, see ``WhatsApp.from_file``) or from ``WHATSAPP_*``
environment variables (:mod:`._cli_config`).

Example (shell)::

    whatsapp-async demo
    export WHATSAPP_PROVIDER=pilot WHATSAPP_API_KEY=ps_...
    whatsapp-async send --to +5511987654321 --text Oi
    whatsapp-async send-bulk customers.csv --template order_update --out results.csv
    whatsapp-async send-bulk customers.csv --template order_update --resume results.csv
    whatsapp-async providers
    whatsapp-async --version
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

import msgspec

from . import __version__
from ._cli_bulk import add_bulk_parser, cmd_send_bulk
from ._cli_config import add_config_flags, client_from_args
from ._console import Console
from ._features import feature_rows, write_table
from ._registry import available as available_providers
from .errors import APIError, WhatsAppError
from .messages import Message, Template, Text, message_from_dict

__all__ = ["main"]


def _message_from_args(args: argparse.Namespace) -> Message:
    chosen = [x for x in (args.text, args.template, args.json) if x]
    if len(chosen) != 1:
        raise WhatsAppError("give exactly one of --text, --template or --json")
    if args.text:
        return Text(args.text)
    if args.template:
        named = dict(_split_named(p) for p in args.named)
        if named and args.param:
            raise WhatsAppError("use either --param (positional) or --named, not both")
        return Template(args.template, language=args.language, body=named or list(args.param))
    try:
        data = json.loads(args.json)
    except json.JSONDecodeError as exc:
        raise WhatsAppError(f"--json is not valid JSON: {exc.msg}") from None
    return message_from_dict(data)


def _split_named(value: str) -> tuple[str, str]:
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise WhatsAppError(f"--named takes key=value, got {value!r}")
    return key, val


async def _cmd_send(args: argparse.Namespace, console: Console) -> int:
    message = _message_from_args(args)
    extra = json.loads(args.extra) if args.extra else None
    async with client_from_args(args) as wa:
        result = await wa.send(args.to, message, reply_to=args.reply_to, extra=extra)
    console.line(msgspec.json.encode(msgspec.structs.asdict(result)).decode())
    return 0


def _cmd_providers(args: argparse.Namespace, console: Console) -> int:
    names = args.names or None
    if args.write:
        write_table(args.write, names or available_providers())
        console.line(f"wrote the capability table into {args.write}")
        return 0
    header, rows = feature_rows(names)
    console.table(header, rows)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="whatsapp-async",
        description="Send WhatsApp messages through any provider with the same semantics.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run every provider end to end on the built-in sandbox (no credentials)",
        description="Start the provider simulators on 127.0.0.1, send the same messages "
        "through each provider, fan out a bulk send and receive statuses by webhook.",
    )
    demo.add_argument("--fanout", type=int, default=1000, help="texts per provider (default 1000)")
    demo.add_argument("--concurrency", type=int, default=100, help="bulk concurrency")

    send = sub.add_parser(
        "send",
        help="send one message",
        description="Send one message. Example: whatsapp-async send --to +14155552671 --text hi",
    )
    send.add_argument("--to", required=True, help="phone number (E.164) or id")
    send.add_argument("--text", help="a text message")
    send.add_argument("--template", help="a template name")
    send.add_argument("--language", default="en_US", help="template language (default en_US)")
    send.add_argument(
        "--param", action="append", default=[], help="positional template parameter (repeat)"
    )
    send.add_argument(
        "--named", action="append", default=[], help="named template parameter key=value (repeat)"
    )
    send.add_argument("--json", help='any message as JSON, e.g. {"type": "image", "link": "..."}')
    send.add_argument("--reply-to", help="message id to reply to")
    send.add_argument("--extra", help="provider-specific JSON merged into the request body")
    add_config_flags(send)

    add_bulk_parser(sub)

    providers = sub.add_parser(
        "providers",
        help="show which features each installed provider supports",
        description="The provider-by-feature table, from each provider's capabilities.",
    )
    providers.add_argument("names", nargs="*", help="providers to show (default: all)")
    providers.add_argument(
        "--write",
        metavar="FILE",
        help="replace the table between the capability-table markers of FILE (docs/providers.md)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``whatsapp-async`` command.

    Example::

        raise SystemExit(main(["providers"]))
    """
    args = _parser().parse_args(argv)
    console = Console()
    try:
        if args.command == "demo":
            from ._demo import run_demo

            return asyncio.run(run_demo(console, fanout=args.fanout, concurrency=args.concurrency))
        if args.command == "send":
            return asyncio.run(_cmd_send(args, console))
        if args.command == "send-bulk":
            # Progress and warnings on stderr: stdout carries only the summary.
            return cmd_send_bulk(args, console, Console(sys.stderr))
        return _cmd_providers(args, console)
    except WhatsAppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, APIError) else 2
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
