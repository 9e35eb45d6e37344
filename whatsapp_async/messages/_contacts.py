"""Contact cards (``Contacts``), with Meta's field names so they encode as they are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

import msgspec

from ..errors import ValidationError
from ._checks import items, text

__all__ = [
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactKind",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
]


ContactKind = Literal["HOME", "WORK"]


class ContactName(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A contact's name; ``formatted_name`` is required by WhatsApp.

    Example::

        ContactName(formatted_name="Ada Lovelace", first_name="Ada")
    """

    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


class ContactPhone(msgspec.Struct, frozen=True, omit_defaults=True):
    """A phone entry on a contact card.

    Example::

        ContactPhone("+14155550123", type="WORK", wa_id="14155550123")
    """

    phone: str
    type: ContactKind | None = None
    wa_id: str | None = None


class ContactEmail(msgspec.Struct, frozen=True, omit_defaults=True):
    """An email entry on a contact card.

    Example::

        ContactEmail("ada@example.com", type="WORK")
    """

    email: str
    type: ContactKind | None = None


class ContactUrl(msgspec.Struct, frozen=True, omit_defaults=True):
    """A URL entry on a contact card.

    Example::

        ContactUrl("https://example.com", type="WORK")
    """

    url: str
    type: ContactKind | None = None


class ContactAddress(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A postal address on a contact card.

    Example::

        ContactAddress(street="1 Hacker Way", city="Menlo Park", country_code="US")
    """

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: ContactKind | None = None


class ContactOrg(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Organisation details on a contact card.

    Example::

        ContactOrg(company="Acme", title="CTO")
    """

    company: str | None = None
    department: str | None = None
    title: str | None = None


class Contact(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One contact card.

    Example::

        Contact(name=ContactName(formatted_name="Ada"), phones=[ContactPhone("+14155550123")])
    """

    name: ContactName
    phones: Sequence[ContactPhone] = ()
    emails: Sequence[ContactEmail] = ()
    urls: Sequence[ContactUrl] = ()
    addresses: Sequence[ContactAddress] = ()
    org: ContactOrg | None = None
    birthday: str | None = None


class Contacts(msgspec.Struct, frozen=True):
    """One or more contact cards.

    Example::

        Contacts([Contact(name=ContactName(formatted_name="Ada"))])
    """

    contacts: Sequence[Contact]
    kind: ClassVar[str] = "contacts"

    def __post_init__(self) -> None:
        if not self.contacts:
            raise ValidationError("contacts needs at least one Contact", field="contacts")
        items(self.contacts, Contact, "contacts")
        for card in self.contacts:
            if not isinstance(card.name, ContactName):
                raise ValidationError("contacts[].name must be a ContactName", field="contacts")
            text(card.name.formatted_name, "contacts[].name.formatted_name", blank=True)
            items(card.phones, ContactPhone, "contacts[].phones")
            items(card.emails, ContactEmail, "contacts[].emails")
            items(card.urls, ContactUrl, "contacts[].urls")
            items(card.addresses, ContactAddress, "contacts[].addresses")
            for phone in card.phones:
                text(phone.phone, "contacts[].phones[].phone", blank=True)
