"""A user's script that touches every public name; ``test_public_api.py`` runs mypy --strict on it.

It is type-checked, not run: the annotations say what a caller gets back, so a public name that
loses its type (``Any`` where a caller wants a type) fails the check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import whatsapp_async
from whatsapp_async import (
    AccountUpdate,
    AddressRequest,
    AliasStore,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    Audio,
    AuthenticationError,
    BadRequestError,
    BillingError,
    BulkItem,
    BulkResult,
    BusinessUsernameUpdate,
    Buttons,
    CallPermissionRequest,
    Capabilities,
    Catalog,
    CatalogButton,
    Channel,
    ClientClosedError,
    ConfigurationError,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    Conversation,
    CtaUrl,
    Currency,
    DateTime,
    DeliveryFailed,
    DeliveryReport,
    Document,
    Event,
    EventError,
    Failover,
    Filter,
    Flow,
    FlowButton,
    Group,
    GroupUpdate,
    HttpRequest,
    HttpResponse,
    IdempotencyStore,
    Image,
    InboundMedia,
    InvalidRecipient,
    Ledger,
    LedgerEntry,
    LimitedTimeOffer,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    LocationRequest,
    MemoryAliasStore,
    MemoryIdempotencyStore,
    MemoryLedger,
    MemorySuppressionList,
    Message,
    MessageReceived,
    MessageStatus,
    MultiProductButton,
    NotFoundError,
    OptedOut,
    OutsideWindowError,
    PermissionDeniedError,
    Phone,
    PhoneNumberQualityUpdate,
    Pricing,
    PricingTier,
    Product,
    ProductHeader,
    ProductList,
    ProductSection,
    Provider,
    RateLimiter,
    RateLimitError,
    Reaction,
    Recipient,
    RecipientError,
    ReplyButton,
    RetryPolicy,
    Router,
    SendCancelled,
    SendInProgress,
    SendOptions,
    SendResult,
    ServerError,
    StatusConversation,
    StatusTimeout,
    StatusUpdate,
    Sticker,
    StoreUnavailable,
    SuppressionList,
    Template,
    TemplateButton,
    TemplateCard,
    TemplateCategoryUpdate,
    TemplateComponentInfo,
    TemplateError,
    TemplateInfo,
    TemplateMismatch,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    Text,
    Timeout,
    TokenBucket,
    UnknownEvent,
    UnsupportedFeature,
    User,
    UserIdentityChanged,
    UserPreferenceUpdate,
    ValidationError,
    Video,
    VoiceCall,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsApp,
    WhatsAppError,
    Window,
    available_providers,
    message_from_dict,
    register_provider,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta import MetaProvider
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.pilot import CancelResult, PilotProvider
from whatsapp_async_providers.pilot.simulator import PilotSimulator

version: str = whatsapp_async.__version__
names: list[str] = available_providers()
TYPES: tuple[type[WhatsAppError], ...] = (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    ClientClosedError,
    ConfigurationError,
    InvalidRecipient,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RecipientError,
    SendCancelled,
    SendInProgress,
    ServerError,
    StoreUnavailable,
    TemplateError,
    TemplateMismatch,
    UnsupportedFeature,
    ValidationError,
    WebhookPayloadError,
    WebhookSignatureError,
    OptedOut,
)
PROVIDER_TYPES: tuple[type[Provider], ...] = (MetaProvider, PilotProvider)
register_provider("meta-again", MetaProvider)


def messages() -> list[Message]:
    return [
        Text("hi"),
        Image(link="https://example.com/a.png"),
        Video(link="https://example.com/a.mp4"),
        Audio(id="1"),
        Document(link="https://example.com/a.pdf", filename="a.pdf"),
        Sticker(id="2"),
        Location(latitude=1.0, longitude=2.0),
        Reaction("wamid.X", "👍"),
        Contacts(
            [
                Contact(
                    name=ContactName(formatted_name="Ada"),
                    phones=[ContactPhone("+14155552671")],
                    emails=[ContactEmail("ada@example.com")],
                    urls=[ContactUrl("https://example.com")],
                    addresses=[ContactAddress(city="London")],
                    org=ContactOrg(company="Analytical"),
                )
            ]
        ),
        Template("order_update", body=["Ada"], buttons=[TemplateButton(sub_type="url", value="x")]),
        Buttons("Pick", [ReplyButton("y", "Yes")]),
        ListMessage("Pick", "Options", [ListSection("S", [ListRow("a", "A")])]),
        message_from_dict({"type": "text", "body": "hi"}),
        *rich_messages(),
    ]


def rich_messages() -> list[Message]:
    shoes = ProductSection("Shoes", ["SKU-1", "SKU-2"])
    card = TemplateCard(header=Image(link="https://example.com/1.jpg"), body=["10%"])
    product_card = TemplateCard(
        header=ProductHeader(catalog_id="1", product_retailer_id="SKU-1"),
        buttons=[TemplateButton(sub_type="url", value="SKU-1")],
    )
    ends: datetime = datetime(2030, 1, 1, tzinfo=timezone.utc)
    offer = LimitedTimeOffer(expires_at=ends)
    milliseconds: int = offer.milliseconds
    total = Currency(amount_1000=12_990 + 0 * milliseconds, code="EUR", fallback_value="€12.99")
    return [
        CtaUrl("Track it", "Track", "https://example.com/t/1", header=Image(id="1")),
        Flow(body="Book", cta="Book now", flow_id="1", screen="WELCOME", data={"n": 2}),
        Product(catalog_id="1", product_retailer_id="SKU-1"),
        ProductList("Picks", "1", [shoes], header="Spring"),
        Catalog(body="Browse", thumbnail_product_retailer_id="SKU-1"),
        LocationRequest("Where to?"),
        CallPermissionRequest("May we call?"),
        VoiceCall(body="Talk to us", ttl_minutes=60),
        AddressRequest(body="Address?", values={"city": "Pune"}),
        Template("order_total", body=[total, DateTime("3 March 2026")]),
        Template(
            "promo",
            buttons=[
                FlowButton(flow_token="t"),
                CatalogButton(thumbnail_product_retailer_id="SKU-1", index=1),
                MultiProductButton(
                    thumbnail_product_retailer_id="SKU-1", sections=[shoes], index=2
                ),
            ],
        ),
        Template("spring_carousel", body=["Ada"], cards=[card, product_card]),
        Template("flash_offer", header=Image(id="1"), offer=offer),
        Template("verify_code", otp="123456"),
    ]


def recipients() -> list[Recipient]:
    return [
        Phone("+14155552671"),
        User("US.13491208655302741918"),
        Group("1@g.us"),
        Channel("1@newsletter"),
        Conversation("c"),
    ]


ADMIN_EVENTS: tuple[type[Event], ...] = (
    AccountUpdate,
    BusinessUsernameUpdate,
    GroupUpdate,
    PhoneNumberQualityUpdate,
    TemplateCategoryUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UserIdentityChanged,
    UserPreferenceUpdate,
)


def billing(event: StatusUpdate, tier: AccountUpdate) -> str | None:
    pricing: Pricing | None = event.pricing
    conversation: StatusConversation | None = event.conversation
    level: PricingTier | None = tier.pricing_tier
    print(conversation, level)
    return pricing.category if pricing is not None else None


def routes(wa: WhatsApp) -> Router:
    router = Router(mode="all")

    @router.on(MessageReceived, text="stop", business="106540352242922")
    async def stop(event: MessageReceived) -> None:
        reply: SendResult = await wa.reply(event, Text("Bye"))
        print(reply.sender, reply.user_id)

    router.add(print, Filter.status("failed") | Filter.button("retry") & ~Filter.media())
    return router


async def identities(wa: WhatsApp) -> None:
    aliases: AliasStore = MemoryAliasStore()
    suppression: SuppressionList = MemorySuppressionList()
    await aliases.link("+14155552671", "US.1349")
    phone: str | None = await aliases.phone_for("US.1349")
    await suppression.add("+14155552671")
    await wa.learn(wa.parse_webhook({}, b"{}"))
    senders: tuple[str, ...] = wa.senders
    print(phone, senders, wa.aliases, wa.suppression)


def on_event(event: Event) -> None:
    if isinstance(event, MessageReceived):
        media: InboundMedia | None = event.media
        sender: str = event.sender
        print(media, sender)
    elif isinstance(event, StatusUpdate):
        error: EventError | None = event.error
        print(event.status, error)
    elif isinstance(event, UnknownEvent):
        print(event.raw)


async def main() -> None:
    store: IdempotencyStore = MemoryIdempotencyStore(ttl=60.0)
    limiter: RateLimiter = TokenBucket(10.0)
    async with Sandbox(["meta", "pilot"]) as sb:
        meta_sim: MetaSimulator = sb.simulator("meta", MetaSimulator)
        pilot_sim: PilotSimulator = sb.simulator("pilot", PilotSimulator)
        print(meta_sim.records, pilot_sim.records)
        wa = WhatsApp(
            "meta",
            base_url=sb.base_url("meta"),
            timeout=Timeout(connect=5.0, total=10.0),
            retry=RetryPolicy(max_retries=1),
            rate_limit=limiter,
            idempotency_store=store,
            **sb.settings("meta"),
        )
        pilot: WhatsApp = sb.client("pilot")
        caps: Capabilities = wa.capabilities
        kinds: frozenset[str] = caps.messages
        result: SendResult = await wa.send("+14155552671", Text("hi"), timeout=5.0)
        wamid: str = result.id
        items: list[BulkItem] = [BulkItem(to="+14155552671", message=m) for m in messages()]
        bulk: BulkResult = await wa.send_many(items, concurrency=10)
        first: SendResult | WhatsAppError = bulk[0]
        to: str | Recipient = items[0].to
        message: Message = items[0].message
        templates: list[TemplateInfo] = await wa.list_templates()
        components: list[TemplateComponentInfo] = templates[0].components if templates else []
        status: MessageStatus = await pilot.get_status("msg_1")
        cancelled: CancelResult = await pilot.call(PilotProvider.cancel, ["msg_1"])
        ids: tuple[str, ...] = cancelled.cancelled
        chain: Failover = WhatsApp.with_fallback(wa, pilot)
        via: SendResult = await chain.send(
            "+14155552671", Text("hi"), deliver_at=datetime.now(timezone.utc) + timedelta(hours=1)
        )
        events: list[Event] = wa.parse_webhook({}, b"{}")
        app = wa.webhook_app(
            on_event, max_concurrent_handlers=50, shutdown_grace=2.0, allow_unsigned=False
        )
        hooks = chain.webhook_app(on_event, path="/hooks", allow_unsigned=True)
        print(app.router, hooks.router)
        options = SendOptions(reply_to=wamid)
        request: HttpRequest = wa.provider.build_send(Phone("+14155552671"), Text("x"), options)
        response = HttpResponse(status=200, body=b"{}")
        print(kinds, first, to, message, components, status, ids, via, events, request, response)
        try:
            await wa.send("+14155552671", Text("hi"))
        except RateLimitError as exc:
            wait: float | None = exc.retry_after
            print(wait)
        except APIStatusError as exc:
            code: int | str | None = exc.code
            print(exc.status, code)
        task = asyncio.ensure_future(wa.send_many(items))
        task.cancel()
        try:
            await task
        except asyncio.CancelledError as cancel:
            partial: BulkResult | None = BulkResult.from_cancelled(cancel)
            outcomes: Sequence[SendResult | WhatsAppError] = partial or []
            print(outcomes)
        receiver = wa.asgi_app(routes(wa), path="/hooks")
        await receiver.aclose()
        await identities(wa)
        print(recipients(), on_event, TYPES, PROVIDER_TYPES, names, version, ADMIN_EVENTS)
        print(billing)
        ledger: Ledger = MemoryLedger(max_entries=1000)
        tracked = WhatsApp("meta", ledger=ledger, window="enforce", **sb.settings("meta"))
        await sb.serve_webhooks(tracked)
        sent: SendResult = await tracked.send(
            "+14155552671", Text("hi"), outside_window=Template("reengage")
        )
        try:
            update: StatusUpdate = await tracked.wait_for_status(sent, "delivered", timeout=5)
            print(update.correlation_id, update.wamid)
        except DeliveryFailed as failed:
            mapped: APIStatusError = failed.error
            print(mapped.code, failed.update)
        except StatusTimeout as late:
            print(late.status, late.awaited)
        report: DeliveryReport = await tracked.wait_for_statuses(bulk, "read", timeout=1)
        print(report.reached, report.failed, report.timed_out, report.not_sent)
        window: Window = await tracked.window("+14155552671")
        entry: LedgerEntry | None = await ledger.get(sent.id)
        settled: BulkResult = await tracked.resolve_in_doubt(bulk, wait=1.0)
        print(window.state, window.until, entry, settled, sent.recovered, sent.window_fallback)
