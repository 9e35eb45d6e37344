"""Recipients: phone numbers normalised to E.164, user ids, and group/channel/conversation ids.

Phone numbers are validated with ``phonenumbers``' rules and cached: a number
seen before costs ~0.1 µs; a new ``+``-prefixed number takes the precompiled fast
path (``fast_phone``, same verdicts), and anything else goes through phonenumbers.

Example::

    >>> normalise("+1 (415) 555-2671").e164
    '+14155552671'
    >>> normalise("020 7946 0958", default_region="GB").e164
    '+442079460958'
    >>> normalise("US.13491208655302741918")
    User(id='US.13491208655302741918')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar, Literal, Union

import msgspec
import phonenumbers

from ._fast_phone import fast_e164
from .errors import InvalidRecipient

__all__ = [
    "Channel",
    "Conversation",
    "Group",
    "Phone",
    "PhoneValidation",
    "Recipient",
    "User",
    "looks_like_user_id",
    "normalise",
]

PhoneValidation = Literal["valid", "possible"]


class Phone(msgspec.Struct, frozen=True):
    """A phone number in E.164 form (``+`` then digits).

    Example::

        Phone("+14155552671").digits  # '14155552671'
    """

    e164: str
    kind: ClassVar[str] = "phone"

    @property
    def digits(self) -> str:
        """The number without the leading ``+`` (Meta's ``wa_id`` form)."""
        return self.e164[1:]

    def __str__(self) -> str:
        return self.e164


class Group(msgspec.Struct, frozen=True):
    """A WhatsApp group, by its id (a JID ending ``@g.us`` on most providers).

    Example::

        await wa.send(Group("120363025246125486@g.us"), Text("hello group"))
    """

    jid: str
    kind: ClassVar[str] = "group"

    def __post_init__(self) -> None:
        if not isinstance(self.jid, str) or not self.jid.strip():
            raise InvalidRecipient("group id must not be empty")

    def __str__(self) -> str:
        return self.jid


class Channel(msgspec.Struct, frozen=True):
    """A WhatsApp channel (newsletter), by its id (a JID ending ``@newsletter``).

    Example::

        await pilot.send(Channel("120363000000000000@newsletter"), Text("news"))
    """

    jid: str
    kind: ClassVar[str] = "channel"

    def __post_init__(self) -> None:
        if not isinstance(self.jid, str) or not self.jid.strip():
            raise InvalidRecipient("channel id must not be empty")

    def __str__(self) -> str:
        return self.jid


class Conversation(msgspec.Struct, frozen=True):
    """An existing conversation on a provider that has them (the gateway).

    Example::

        await gw.send(Conversation("42"), Text("following up"))
    """

    id: str
    kind: ClassVar[str] = "conversation"

    def __post_init__(self) -> None:
        if not str(self.id).strip():
            raise InvalidRecipient("conversation id must not be empty")

    def __str__(self) -> str:
        return str(self.id)


USER_ID_MAX = 256
"""The longest user id accepted (Meta's BSUIDs were up to 256 characters before Feb 2026)."""

_BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
"""Meta's documented business-scoped user id: a country code, ``.``, alphanumerics (a parent
id for linked portfolios has ``ENT.`` after the country code)."""


_USER_ID_LIKE = re.compile(r"[A-Za-z]{2,}\.[A-Za-z0-9.]+")


def looks_like_user_id(text: str) -> bool:
    """Whether ``text`` has the documented form of a business-scoped user id (BSUID).

    Example::

        >>> looks_like_user_id("US.13491208655302741918"), looks_like_user_id("+14155552671")
        (True, False)
    """
    return len(text) > 3 and text[2] == "." and _BSUID.fullmatch(text) is not None


class User(msgspec.Struct, frozen=True):
    """A WhatsApp user by a business-scoped user id (BSUID), for users known without a phone.

    Meta gives a BSUID (``US.13491208655302741918``; a parent id ``US.ENT.…`` for linked
    portfolios) in webhooks, and leaves the phone number out for users with a username. Send
    it exactly as received. A plain string of the documented form is recognised on its own
    (``wa.send("US.1349...", ...)``); ``User(...)`` sends any id the provider gave, whatever
    its form. Providers that take user ids: Meta (``recipient``) and Pilot
    (``destinationNumber``); elsewhere the client sends to the user's phone when its alias
    store knows it, else raises ``UnsupportedFeature``.

    Example::

        >>> User("US.13491208655302741918").is_parent
        False
    """

    id: str
    kind: ClassVar[str] = "user"

    def __post_init__(self) -> None:
        value = self.id
        if not isinstance(value, str) or not value.strip():
            raise InvalidRecipient("user id must not be empty")
        if len(value) > USER_ID_MAX or not value.isprintable() or any(c.isspace() for c in value):
            raise InvalidRecipient(
                f"user id {value[:40]!r} must be at most {USER_ID_MAX} printable characters "
                "without spaces (send it exactly as the provider gave it)"
            )

    @property
    def is_parent(self) -> bool:
        """Whether this is a parent id shared by linked business portfolios (``XX.ENT.…``)."""
        return self.id[2:7] == ".ENT."

    def __str__(self) -> str:
        return self.id


Recipient = Union[Phone, User, Group, Channel, Conversation]
"""Anything a message can be sent to."""


def normalise(
    to: str | Recipient,
    *,
    default_region: str | None = None,
    validation: PhoneValidation = "valid",
) -> Recipient:
    """Turn ``to`` into a :data:`Recipient`, raising :class:`InvalidRecipient` if it is not one.

    Strings are phone numbers in any common format, or a business-scoped user id of the
    documented form (``US.13491208655302741918``, see :class:`User`); a number without ``+``
    and country code needs ``default_region`` (ISO 3166 alpha-2). With
    ``validation="valid"`` the number must be assigned in phonenumbers'
    metadata; ``"possible"`` only checks its length (for numbers newer than the
    metadata).

    Example::

        >>> normalise("+44 20 7946 0958")
        Phone(e164='+442079460958')
    """
    if isinstance(to, (Phone, User, Group, Channel, Conversation)):
        return to
    if not isinstance(to, str):
        raise InvalidRecipient(
            f"recipient must be a phone number string or User/Group/Channel/Conversation, "
            f"got {type(to).__name__}"
        )
    if looks_like_user_id(to):
        return User(to)
    return Phone(_parse_phone(to, default_region, validation))


@lru_cache(maxsize=8192)
def _parse_phone(text: str, region: str | None, validation: PhoneValidation) -> str:
    candidate = text.strip()
    if not candidate:
        raise InvalidRecipient("recipient phone number is empty")
    if candidate.startswith("00"):
        # International prefix used across Europe and elsewhere: same as '+'.
        candidate = "+" + candidate[2:]
    elif region is None and candidate[0].isdigit() and candidate.isdigit() and len(candidate) > 10:
        # Bare digits of 11+ characters are almost always E.164 without '+' (Meta's wa_id form).
        candidate = "+" + candidate
    if validation == "valid":
        # ~4 µs instead of ~25 µs when the number is '+' + digits and valid; anything it
        # cannot prove valid goes on to phonenumbers, whose verdict it replays exactly.
        fast = fast_e164(candidate)
        if fast is not None:
            return fast
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as exc:
        if _USER_ID_LIKE.fullmatch(candidate):
            # Letters, a dot, no spaces: a user id of a form not recognised on its own.
            hint = (
                "; a business-scoped user id (like 'US.13491208655302741918') is sent with "
                "User(id), exactly as the provider gave it"
            )
        elif region or candidate.startswith("+"):
            hint = ""
        else:
            hint = "; add '+' and the country code or set default_region"
        raise InvalidRecipient(f"{text!r} is not a phone number ({exc._msg}){hint}") from None
    ok = (
        phonenumbers.is_valid_number(number)
        if validation == "valid"
        else phonenumbers.is_possible_number(number)
    )
    if not ok:
        raise InvalidRecipient(
            f"{text!r} is not a {'valid' if validation == 'valid' else 'possible'} phone number"
            + (
                " (use phone_validation='possible' for numbers newer than the metadata)"
                if validation == "valid"
                else ""
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
