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
        """``TEXT``, ``IMAGE``, ``VIDEO``, ``DOCUMENT``, ``LOCATION`` or None (no header).

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
        """A small, varied set: every header format, both parameter formats, every button.

        Example::

            len(TemplateBook.default().templates)  # 11
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
            ]
        )
