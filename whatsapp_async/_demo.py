"""``whatsapp-async demo``: the main job end to end on the built-in sandbox.

It starts every installed provider's simulator on 127.0.0.1, sends the same
messages through each provider with the same call site, shows what went out
and what came back (and which features a provider does not support), fans out
a bulk send with a progress bar and the measured rate, and receives the
delivery statuses the simulators send back by webhook. No credentials, no
network beyond loopback.

Example::

    exit_code = asyncio.run(run_demo(Console(), fanout=1000))
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections import Counter
from typing import NamedTuple

import msgspec
from aiohttp import web

from . import _registry
from ._client import WhatsApp
from ._console import Console
from .errors import UnsupportedFeature, WhatsAppError
from .events import Event, StatusUpdate
from .messages import (
    AddressRequest,
    Audio,
    Buttons,
    CallPermissionRequest,
    Catalog,
    Contact,
    ContactName,
    ContactPhone,
    Contacts,
    CtaUrl,
    Currency,
    DateTime,
    Document,
    Flow,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    LocationRequest,
    Message,
    Product,
    ProductList,
    ProductSection,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    TemplateCard,
    Text,
    Video,
    VoiceCall,
)
from .testing import Sandbox

__all__ = ["DemoCase", "demo_cases", "demo_messages", "run_demo"]

CUSTOMER = "+14155552671"
INDIAN_CUSTOMER = "+919876543210"  # address messages are for Indian users only
CATALOG = "367025965434465"


class DemoCase(NamedTuple):
    """One row of the demo: its label, the message and who gets it."""

    label: str
    message: Message
    to: str = CUSTOMER


def _card(number: int) -> TemplateCard:
    return TemplateCard(
        header=Image(link=f"https://example.com/deal-{number}.jpg"),
        body=[f"{number * 10}%"],
        buttons=[
            TemplateButton(sub_type="quick_reply", value=f"more-{number}"),
            TemplateButton(sub_type="url", value=f"deal-{number}"),
        ],
    )


def demo_cases(reply_target: str) -> list[DemoCase]:
    """One message of every kind (and the richer templates); the reaction reacts to
    ``reply_target``.

    Example::

        [case.label for case in demo_cases("wamid.X")][:3]  # ['text', 'template', 'image']
    """
    messages: list[Message] = [
        Text("Your order #1234 has shipped: https://example.com/track/1234", preview_url=True),
        Template("order_update", language="en_US", body=["Ada", "#1234"]),
        Image(link="https://example.com/receipt.png", caption="Your receipt"),
        Video(link="https://example.com/unboxing.mp4", caption="Unboxing"),
        Audio(link="https://example.com/note.ogg"),
        Document(link="https://example.com/invoice.pdf", filename="invoice-1234.pdf"),
        Sticker(link="https://example.com/thanks.webp"),
        Location(37.4847, -122.1477, name="Pickup point", address="1 Hacker Way"),
        Contacts(
            [
                Contact(
                    name=ContactName(formatted_name="Acme Support", first_name="Acme"),
                    phones=(ContactPhone("+14155550100", type="WORK"),),
                )
            ]
        ),
        Reaction(reply_target, "👍"),
        Buttons(
            "Did your parcel arrive?",
            [ReplyButton("yes", "Yes"), ReplyButton("no", "Not yet")],
            footer="Acme",
        ),
        ListMessage(
            "How should we deliver next time?",
            "Options",
            [ListSection("Delivery", [ListRow("door", "To the door"), ListRow("box", "Locker")])],
        ),
        CtaUrl("Your parcel is on its way.", "Track", "https://example.com/track/1234"),
        Flow(body="Rate your delivery", cta="Rate it", flow_id="1234567890", screen="RATE"),
        Product(catalog_id=CATALOG, product_retailer_id="SKU-1", body="Back in stock"),
        ProductList(
            "Picked for you", CATALOG, [ProductSection("Shoes", ["SKU-1", "SKU-2"])], header="Picks"
        ),
        Catalog(body="Browse everything we sell", thumbnail_product_retailer_id="SKU-1"),
        LocationRequest("Where should we deliver next time?"),
        CallPermissionRequest("May we call you about your order?"),
        VoiceCall(body="Talk to a person", display_text="Call us"),
    ]
    cases = [DemoCase(m.kind, m) for m in messages]
    cases.append(DemoCase("address_request", AddressRequest(body="Your address?"), INDIAN_CUSTOMER))
    cases += [
        DemoCase(
            "template (carousel)",
            Template("spring_carousel", body=["Ada"], cards=[_card(1), _card(2)]),
        ),
        DemoCase(
            "template (currency)",
            Template(
                "order_total",
                body=[
                    Currency(amount_1000=12_990, code="EUR", fallback_value="€12.99"),
                    DateTime("Tuesday, 3 March 2026"),
                ],
            ),
        ),
        DemoCase("template (otp)", Template("verify_code", otp="482913")),
    ]
    return cases


def demo_messages(reply_target: str) -> list[Message]:
    """The messages of :func:`demo_cases`.

    Example::

        [m.kind for m in demo_messages("wamid.X")][:3]  # ['text', 'template', 'image']
    """
    return [case.message for case in demo_cases(reply_target)]


def _fanout_numbers(count: int, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    numbers: set[str] = set()
    while len(numbers) < count:
        numbers.add(f"+1415{rng.randint(200, 999)}{rng.randint(0, 9999):04d}")
    return sorted(numbers)


def _short(data: object, limit: int = 110) -> str:
    text = msgspec.json.encode(data).decode() if data is not None else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Receiver:
    """Webhook receivers on loopback, one path per provider, counting statuses."""

    def __init__(self) -> None:
        self.statuses: dict[str, Counter[str]] = {}
        self.root = web.Application()
        self.runner: web.AppRunner | None = None
        self.base = ""

    def mount(self, name: str, client: WhatsApp) -> str:
        counter = self.statuses.setdefault(name, Counter())

        def handler(event: Event) -> None:
            if isinstance(event, StatusUpdate):
                counter[event.status] += 1

        self.root.add_subapp(
            f"/{name}/", client.webhook_app(handler, path="/hook", allow_unsigned=True)
        )
        return f"/{name}/hook"

    async def start(self) -> None:
        self.runner = web.AppRunner(self.root, access_log=None)
        await self.runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self.runner, sock)
        await site.start()
        self.base = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())

    async def settle(self, quiet: float = 0.4, limit: float = 8.0) -> None:
        """Wait until no status has arrived for ``quiet`` seconds (at most ``limit``)."""
        deadline = time.monotonic() + limit
        last, last_change = self.total(), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now_total = self.total()
            if now_total != last:
                last, last_change = now_total, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def _send_each_kind(
    console: Console, sb: Sandbox, name: str, client: WhatsApp
) -> tuple[dict[str, str], int]:
    cells: dict[str, str] = {}
    failures = 0
    reply_target = "wamid.demo"
    console.heading(f"{name}: one message of each kind")
    for label, message, to in demo_cases(reply_target):
        if isinstance(message, Reaction):
            message = Reaction(reply_target, message.emoji)
        before = len(sb.requests(name))
        try:
            result = await client.send(to, message)
        except UnsupportedFeature as exc:
            cells[label] = "unsupported"
            console.line(f"  {label:<19} not sent: {exc.message}")
            continue
        except WhatsAppError as exc:
            cells[label] = f"error: {type(exc).__name__}"
            failures += 1
            console.line(f"  {label:<19} FAILED: {exc}")
            continue
        if message.kind == "text":
            reply_target = result.id
        cells[label] = result.status
        for record in sb.requests(name)[before:]:
            console.line(f"  {label:<19} -> {record.method} {record.path} {_short(record.json)}")
        console.line(f"  {'':<19} <- {result.status} id={result.id}")
    return cells, failures


async def run_demo(console: Console, *, fanout: int = 1000, concurrency: int = 100) -> int:
    """Run the demo; return the process exit code (0 when everything behaved).

    Example::

        asyncio.run(run_demo(Console(), fanout=100))
    """
    names = [n for n in _registry.available() if n in _registry.simulators_available()]
    receiver = _Receiver()
    failures = 0
    async with Sandbox(names) as sb:
        clients: dict[str, WhatsApp] = {}
        for name in names:
            # The sandbox is local: no client-side throughput limit needed.
            clients[name] = sb.client(name, rate_limit=None)
        paths = {name: receiver.mount(name, clients[name]) for name in names}
        await receiver.start()
        for name in names:
            sb.set_webhook(name, receiver.base + paths[name])
        console.line(f"Sandbox: {', '.join(f'{n} at {sb.base_url(n)}' for n in names)}")

        table: dict[str, dict[str, str]] = {}
        for name in names:
            table[name], failed = await _send_each_kind(console, sb, name, clients[name])
            failures += failed

        console.heading("the same call site, every provider")
        labels = [case.label for case in demo_cases("x")]
        console.table(
            ["message", *names], [[k, *(table[n].get(k, "-") for n in names)] for k in labels]
        )

        if fanout > 0:
            console.heading(f"fan-out: {fanout} texts per provider, concurrency {concurrency}")
            numbers = _fanout_numbers(fanout)
            rows = []
            for name in names:
                items = [(n, Text(f"Flash sale for {n[-4:]}")) for n in numbers]
                with console.progress(fanout, f"{name:<8}") as advance:
                    started = time.perf_counter()
                    bulk = await clients[name].send_many(
                        items, concurrency=concurrency, on_result=lambda _i, _o: advance(1)
                    )
                    elapsed = time.perf_counter() - started
                failures += bulk.failed
                rows.append(
                    [name, str(bulk.sent), str(bulk.failed), f"{fanout / elapsed:,.0f} msg/s"]
                )
            console.table(["provider", "sent", "failed", "rate"], rows)

        console.heading("delivery statuses received by webhook")
        await receiver.settle()
        status_rows = []
        for name in names:
            counts = receiver.statuses.get(name, Counter())
            summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            status_rows.append([name, summary])
        console.table(["provider", "statuses"], status_rows)
    await receiver.stop()
    console.line()
    console.line("demo finished " + ("cleanly" if failures == 0 else f"with {failures} failures"))
    return 0 if failures == 0 else 1
