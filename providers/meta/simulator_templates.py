"""The simulator's built-in message templates: listed with paging, and checked on send.

Each :class:`SimTemplate` is what ``GET /{waba-id}/message_templates`` returns for it, plus
what a send must supply: the header's format and parameters, the body's parameters
(``{{1}}`` positional or ``{{name}}`` named) and which buttons take a parameter.

Example::

    book = TemplateBook.default()
    book.find("order_update", "en_US").body_params  # ['1', '2']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SimTemplate", "TemplateBook"]

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class SimTemplate:
    """One template as Meta lists it; ``components`` use the listing's upper-case shape.

    Example::

        SimTemplate(id="1", name="greet", language="en_US", category="UTILITY",
                    components=[{"type": "BODY", "text": "Hi {{1}}"}])
    """

    id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    status: str = "APPROVED"
    parameter_format: str = "POSITIONAL"

    def _component(self, kind: str) -> dict[str, Any] | None:
        return next((c for c in self.components if c.get("type") == kind), None)

    @property
    def header_format(self) -> str | None:
        """``TEXT``, ``IMAGE``, ``VIDEO``, ``DOCUMENT``, ``LOCATION``, ``PRODUCT`` or None.

        Example::

            book.find("spring_sale", "en_US").header_format  # 'IMAGE'
        """
        header = self._component("HEADER")
        return str(header["format"]) if header is not None else None

    @property
    def header_params(self) -> list[str]:
        """Placeholders of a text header, in order.

        Example::

            book.find("appointment_reminder", "en_US").header_params  # ['1']
        """
        header = self._component("HEADER")
        return _PLACEHOLDER.findall(str(header.get("text", ""))) if header is not None else []

    @property
    def body_params(self) -> list[str]:
        """Placeholders of the body, in order.

        Example::

            book.find("delivery_named", "en_US").body_params  # ['first_name', 'order_id']
        """
        body = self._component("BODY")
        return _PLACEHOLDER.findall(str(body.get("text", ""))) if body is not None else []

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The template's buttons, in index order.

        Example::

            book.find("order_update", "en_US").buttons[0]["type"]  # 'URL'
        """
        block = self._component("BUTTONS")
        return list(block.get("buttons", [])) if block is not None else []

    @property
    def offer(self) -> dict[str, Any] | None:
        """The ``limited_time_offer`` of a limited-time-offer template (else None).

        Example::

            book.find("flash_offer", "en_US").offer  # {'text': ..., 'has_expiration': True}
        """
        component = self._component("LIMITED_TIME_OFFER")
        return dict(component.get("limited_time_offer", {})) if component is not None else None

    @property
    def cards(self) -> list[SimTemplate]:
        """The cards of a carousel template, each as a template of its own components.

        Example::

            [c.header_format for c in book.find("spring_carousel", "en_US").cards]
            # ['IMAGE', 'IMAGE']
        """
        block = self._component("CAROUSEL")
        if block is None:
            return []
        return [
            SimTemplate(
                id=f"{self.id}.{i}",
                name=f"{self.name} card {i}",
                language=self.language,
                category=self.category,
                components=list(card.get("components", [])),
                parameter_format=self.parameter_format,
            )
            for i, card in enumerate(block.get("cards", []))
        ]

    def listing(self, fields: Iterable[str] | None) -> dict[str, Any]:
        """This template as the listing returns it (``id`` always, as Graph does).

        Example::

            template.listing(["name", "status"])  # {'name': ..., 'status': ..., 'id': ...}
        """
        full: dict[str, Any] = {
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        }
        if fields is None:
            return full
        wanted = set(fields) | {"id"}
        return {key: value for key, value in full.items() if key in wanted}


@dataclass
class TemplateBook:
    """The templates a simulated WhatsApp Business Account owns.

    Example::

        TemplateBook.default().find("hello_world", "en_US").status  # 'APPROVED'
    """

    templates: list[SimTemplate] = field(default_factory=list)

    def find(self, name: str, language: str) -> SimTemplate | None:
        """The template called ``name`` in ``language``, or None.

        Example::

            book.find("order_update", "es").id  # '1003'
        """
        return next((t for t in self.templates if t.name == name and t.language == language), None)

    def has_name(self, name: str) -> bool:
        """Whether a template called ``name`` exists in any language.

        Example::

            book.has_name("order_update")  # True
        """
        return any(t.name == name for t in self.templates)

    def add(self, template: SimTemplate) -> None:
        """Add a newly created template at the end of the listing.

        Example::

            book.add(SimTemplate(id="2001", name="promo", language="en_US",
                                 category="MARKETING", components=[...]))
        """
        self.templates.append(template)

    def remove(self, name: str, template_id: str | None = None) -> list[SimTemplate]:
        """Remove every language of ``name`` (or only the one with ``template_id``).

        Returns what was removed (empty when nothing matched).

        Example::

            book.remove("order_update")  # both languages
        """
        gone = [
            t
            for t in self.templates
            if t.name == name and (template_id is None or t.id == template_id)
        ]
        self.templates = [t for t in self.templates if t not in gone]
        return gone

    @classmethod
    def default(cls) -> TemplateBook:
        """A small, varied set: every header format, both parameter formats, every button,
        a carousel of media cards and one of product cards, a limited-time offer and an
        authentication template.

        Example::

            len(TemplateBook.default().templates)  # 22
        """
        return cls(
            [
                SimTemplate(
                    id="1001",
                    name="hello_world",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "HEADER", "format": "TEXT", "text": "Hello from the simulator"},
                        {"type": "BODY", "text": "This is a sample message with no variables."},
                        {"type": "FOOTER", "text": "Simulated WhatsApp Business Account"},
                    ],
                ),
                SimTemplate(
                    id="1002",
                    name="order_update",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {
                                    "type": "URL",
                                    "text": "View orders",
                                    "url": "https://shop.example/orders",
                                }
                            ],
                        },
                    ],
                ),
                SimTemplate(
                    id="1003",
                    name="order_update",
                    language="es",
                    category="UTILITY",
                    components=[
                        {"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} fue enviado."},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {
                                    "type": "URL",
                                    "text": "Ver pedidos",
                                    "url": "https://shop.example/orders",
                                }
                            ],
                        },
                    ],
                ),
                SimTemplate(
                    id="1011",
                    name="order_tracking",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "BODY", "text": "Your parcel {{1}} is on its way."},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {
                                    "type": "URL",
                                    "text": "Track parcel",
                                    "url": "https://shop.example/track/{{1}}",
                                }
                            ],
                        },
                    ],
                ),
                SimTemplate(
                    id="1004",
                    name="appointment_reminder",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "HEADER", "format": "TEXT", "text": "Reminder for {{1}}"},
                        {"type": "BODY", "text": "Your appointment is on {{1}} at {{2}}."},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {"type": "QUICK_REPLY", "text": "Confirm"},
                                {"type": "QUICK_REPLY", "text": "Reschedule"},
                            ],
                        },
                    ],
                ),
                SimTemplate(
                    id="1005",
                    name="delivery_named",
                    language="en_US",
                    category="UTILITY",
                    parameter_format="NAMED",
                    components=[
                        {
                            "type": "BODY",
                            "text": "Hi {{first_name}}, order {{order_id}} arrives today.",
                        }
                    ],
                ),
                SimTemplate(
                    id="1006",
                    name="receipt_document",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "HEADER", "format": "DOCUMENT"},
                        {"type": "BODY", "text": "Thanks {{1}}, your receipt is attached."},
                    ],
                ),
                SimTemplate(
                    id="1007",
                    name="spring_sale",
                    language="en_US",
                    category="MARKETING",
                    components=[
                        {"type": "HEADER", "format": "IMAGE"},
                        {"type": "BODY", "text": "Spring sale: {{1}} off everything."},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {"type": "COPY_CODE", "text": "Copy offer code"},
                                {"type": "QUICK_REPLY", "text": "Stop promotions"},
                            ],
                        },
                    ],
                ),
                SimTemplate(
                    id="1008",
                    name="store_location",
                    language="en_US",
                    category="UTILITY",
                    components=[
                        {"type": "HEADER", "format": "LOCATION"},
                        {"type": "BODY", "text": "Find us here. Open until {{1}}."},
                    ],
                ),
                SimTemplate(
                    id="1009",
                    name="summer_teaser",
                    language="en_US",
                    category="MARKETING",
                    status="PAUSED",
                    components=[
                        {"type": "HEADER", "format": "VIDEO"},
                        {"type": "BODY", "text": "Summer is coming."},
                    ],
                ),
                SimTemplate(
                    id="1010",
                    name="old_welcome",
                    language="en_US",
                    category="MARKETING",
                    status="REJECTED",
                    components=[{"type": "BODY", "text": "Welcome aboard!"}],
                ),
                *_rich_templates(),
            ]
        )


def _media_card(number: int) -> dict[str, Any]:
    return {
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": f"Offer {number}: {{{{1}}}} off."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Tell me more"},
                    {"type": "URL", "text": "Shop", "url": "https://shop.example/c/{{1}}"},
                ],
            },
        ]
    }


def _product_card() -> dict[str, Any]:
    return {
        "components": [
            {"type": "HEADER", "format": "PRODUCT"},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Buy", "url": "https://shop.example/p/{{1}}"}],
            },
        ]
    }


def _rich_templates() -> list[SimTemplate]:
    """Templates of every kind beyond text and media (facts §6.3): Flow, catalogue and
    multi-product buttons, a product header, currency and date_time parameters, a named
    header, carousels of media and of product cards, a limited-time offer, and a one-time
    password."""
    return [
        SimTemplate(
            id="1012",
            name="order_total",
            language="en_US",
            category="UTILITY",
            components=[{"type": "BODY", "text": "Your total is {{1}}, due on {{2}}."}],
        ),
        SimTemplate(
            id="1013",
            name="flow_signup",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "BODY", "text": "Join our rewards club, {{1}}."},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {
                            "type": "FLOW",
                            "text": "Sign up",
                            "flow_id": "1234567890",
                            "navigate_screen": "WELCOME",
                            "flow_action": "navigate",
                        }
                    ],
                },
            ],
        ),
        SimTemplate(
            id="1014",
            name="catalog_offer",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "BODY", "text": "Shop our catalogue: {{1}} off today."},
                {"type": "BUTTONS", "buttons": [{"type": "CATALOG", "text": "View catalog"}]},
            ],
        ),
        SimTemplate(
            id="1022",
            name="intro_catalog_offer",  # the template of Meta's own catalogue example
            language="en_US",
            category="MARKETING",
            components=[
                {
                    "type": "BODY",
                    "text": "Get {{1}} off orders above {{2}} on your first {{3}} orders.",
                },
                {"type": "BUTTONS", "buttons": [{"type": "CATALOG", "text": "View catalog"}]},
            ],
        ),
        SimTemplate(
            id="1015",
            name="our_picks",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "HEADER", "format": "TEXT", "text": "Picked for you"},
                {"type": "BODY", "text": "Hi {{1}}, these are back in stock."},
                {"type": "BUTTONS", "buttons": [{"type": "MPM", "text": "View items"}]},
            ],
        ),
        SimTemplate(
            id="1016",
            name="product_spotlight",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "HEADER", "format": "PRODUCT"},
                {"type": "BODY", "text": "Back in stock: {{1}}."},
                {"type": "BUTTONS", "buttons": [{"type": "SPM", "text": "View"}]},
            ],
        ),
        SimTemplate(
            id="1017",
            name="spring_carousel",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "BODY", "text": "Spring deals for you, {{1}}."},
                {"type": "CAROUSEL", "cards": [_media_card(1), _media_card(2)]},
            ],
        ),
        SimTemplate(
            id="1018",
            name="product_carousel",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "BODY", "text": "New arrivals."},
                {"type": "CAROUSEL", "cards": [_product_card(), _product_card()]},
            ],
        ),
        SimTemplate(
            id="1019",
            name="flash_offer",
            language="en_US",
            category="MARKETING",
            components=[
                {"type": "HEADER", "format": "IMAGE"},
                {
                    "type": "LIMITED_TIME_OFFER",
                    "limited_time_offer": {"text": "Expiring offer!", "has_expiration": True},
                },
                {"type": "BODY", "text": "Good news, {{1}}! Use code {{2}} before it ends."},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "COPY_CODE", "text": "Copy offer code"},
                        {"type": "URL", "text": "Book now", "url": "https://shop.example/o/{{1}}"},
                    ],
                },
            ],
        ),
        SimTemplate(
            id="1021",
            name="order_named",
            language="en_US",
            category="UTILITY",
            parameter_format="NAMED",
            components=[
                {"type": "HEADER", "format": "TEXT", "text": "Order {{order_id}}"},
                {"type": "BODY", "text": "Hi {{first_name}}, your total is {{total}}."},
            ],
        ),
        SimTemplate(
            id="1020",
            name="verify_code",
            language="en_US",
            category="AUTHENTICATION",
            components=[
                {"type": "BODY", "text": "{{1}} is your verification code."},
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}],
                },
            ],
        ),
    ]
