"""A webhook receiver process sharing a RedisLedger (``tests/contrib/test_redis_ledger.py``).

``python -m tests.contrib.ledger_receiver`` reads one JSON line from stdin: ``{"provider",
"settings" (the client's, a simulator's credentials and base URL), "redis" (a URL), "prefix"}``.
It builds ``WhatsApp(provider, **settings, ledger=RedisLedger(...))``, serves
``wa.webhook_app(...)`` on 127.0.0.1 on a free port, prints ``PORT <n>``, prints
``EVENT <kind> <message id> <status>`` for every event its handler sees, and runs until its stdin
closes (the test closes it; a test process that dies closes it too), then shuts down cleanly.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

from aiohttp import web
from redis.asyncio import Redis

from whatsapp_async import Event, StatusUpdate, WhatsApp
from whatsapp_async.contrib.redis import RedisLedger


def say(line: str) -> None:
    print(line, flush=True)


async def main() -> None:
    config = json.loads(sys.stdin.readline())
    redis = Redis.from_url(config["redis"])
    ledger = RedisLedger(redis, prefix=config["prefix"])
    wa = WhatsApp(config["provider"], **config["settings"], ledger=ledger)

    async def seen(event: Event) -> None:
        if isinstance(event, StatusUpdate):
            say(f"EVENT status {event.message_id} {event.status}")
        else:
            say(f"EVENT {type(event).__name__}")

    runner = web.AppRunner(
        wa.webhook_app(seen, path="/webhooks"), access_log=None, handle_signals=False
    )
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    say(f"PORT {sock.getsockname()[1]}")
    try:
        while await asyncio.to_thread(sys.stdin.readline):
            pass  # anything written is ignored: only the end of stdin matters
    finally:
        await runner.cleanup()
        await wa.aclose()
        await ledger.aclose()
        await redis.aclose()
        say("STOPPED")


if __name__ == "__main__":
    asyncio.run(main())
