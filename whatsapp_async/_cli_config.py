"""How a ``whatsapp-async`` command gets its client: a TOML profile or ``WHATSAPP_*`` variables.

Shared by the commands that send (``send``, ``send-bulk``); flags given on the
command line (``--provider``, and ``send-bulk``'s ``--rate`` and
``--check-templates``) override what the profile or the environment says.

Example::

    add_config_flags(parser)
    wa = client_from_args(parser.parse_args(), rate_limit=20)
"""

from __future__ import annotations

import argparse
from typing import Any

from ._client import WhatsApp

__all__ = ["add_config_flags", "client_from_args"]


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--config``, ``--profile`` and ``--provider`` to ``parser``.

    Example::

        add_config_flags(sub.add_parser("send"))
    """
    group = parser.add_argument_group("configuration (default: WHATSAPP_* environment variables)")
    group.add_argument("--config", help="TOML profiles file (default whatsapp-async.toml)")
    group.add_argument("--profile", help="profile name in the TOML file")
    group.add_argument("--provider", help="provider name (overrides the profile/environment)")


def client_from_args(args: argparse.Namespace, **overrides: Any) -> WhatsApp:
    """The client the flags describe; ``overrides`` win over the profile or environment.

    Example::

        wa = client_from_args(args, check_templates=True)
    """
    if args.config or args.profile:
        if args.provider:
            overrides["provider"] = args.provider
        return WhatsApp.from_file(args.config or "whatsapp-async.toml", args.profile, **overrides)
    return WhatsApp.from_env(provider=args.provider, **overrides)
