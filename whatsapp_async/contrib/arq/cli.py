"""The command line: ``python -m whatsapp_async.contrib.arq`` runs one worker process.

Example (shell)::

    python -m whatsapp_async.contrib.arq --config whatsapp.toml --redis redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from arq.connections import RedisSettings
from arq.constants import default_queue_name
from arq.worker import run_worker

from ..._config import load_profile
from ...errors import ConfigurationError
from .wire import DEFAULT_KEY_PREFIX
from .worker import _rate, make_worker_settings

if TYPE_CHECKING:
    from arq.typing import WorkerSettingsType


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m whatsapp_async.contrib.arq",
        description="Run an arq worker that sends whatsapp_async jobs (see docs/scaling-out.md).",
    )
    parser.add_argument("--config", required=True, help="TOML profiles file (WhatsApp.from_file)")
    parser.add_argument("--profile", help="profile name in the file (default: its default)")
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis URL (default: $REDIS_URL or redis://127.0.0.1:6379/0)",
    )
    parser.add_argument("--queue", default=default_queue_name, help="arq queue name")
    parser.add_argument(
        "--rate",
        default="config",
        help="shared messages/s per sender, 'none', or 'config' (the profile's rate_limit)",
    )
    parser.add_argument("--burst", type=int, help="burst size of the shared limit")
    parser.add_argument("--pair-spacing", type=float, help="seconds between sends to one number")
    parser.add_argument("--key-prefix", default=DEFAULT_KEY_PREFIX, help="Redis key prefix")
    parser.add_argument("--lock-ttl", type=float, default=300.0, help="reservation lifetime (s)")
    parser.add_argument(
        "--idempotency-ttl", type=float, default=24 * 3600.0, help="how long results are kept (s)"
    )
    doubt = parser.add_mutually_exclusive_group()
    doubt.add_argument(
        "--resend-in-doubt",
        dest="resend_in_doubt",
        action="store_true",
        help="re-delivered jobs send again under the same key (default if the provider dedupes)",
    )
    doubt.add_argument(
        "--no-resend-in-doubt",
        dest="resend_in_doubt",
        action="store_false",
        help="re-delivered jobs never send again: at most once (default otherwise)",
    )
    parser.set_defaults(resend_in_doubt=None)
    parser.add_argument("--max-jobs", type=int, default=50, help="concurrent jobs per process")
    parser.add_argument("--job-timeout", type=float, default=300.0, help="seconds per job")
    parser.add_argument("--max-tries", type=int, default=5, help="deliveries per job")
    parser.add_argument("--poll-delay", type=float, default=0.5, help="queue poll interval (s)")
    parser.add_argument("--burst-mode", action="store_true", help="exit once the queue is empty")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every job")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker from the command line; returns the exit status.

    Example (shell)::

        python -m whatsapp_async.contrib.arq --config whatsapp.toml --profile prod \\
            --redis redis://127.0.0.1:6379/0 --rate 50 --max-jobs 50
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    try:
        config = load_profile(args.config, args.profile)
        settings = make_worker_settings(
            config,
            RedisSettings.from_dsn(args.redis),
            rate="config" if args.rate == "config" else _rate(args.rate),
            burst=args.burst,
            pair_spacing=args.pair_spacing,
            key_prefix=args.key_prefix,
            idempotency_ttl=args.idempotency_ttl,
            lock_ttl=args.lock_ttl,
            resend_in_doubt=args.resend_in_doubt,
            queue_name=args.queue,
            max_jobs=args.max_jobs,
            job_timeout=args.job_timeout,
            max_tries=args.max_tries,
            poll_delay=args.poll_delay,
        )
    except (ConfigurationError, RuntimeError, ValueError) as exc:  # from_dsn: RuntimeError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # arq types settings classes as a Protocol of instance attributes; ours are ClassVars.
    run_worker(cast("WorkerSettingsType", settings), burst=args.burst_mode)
    return 0
