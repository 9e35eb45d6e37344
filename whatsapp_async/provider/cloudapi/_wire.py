"""msgspec Structs for the template parts of Meta's message JSON, shared by every relay.

They omit fields left at ``None``, so an encoded body carries exactly what Meta documents,
and their field order is Meta's (``type`` first, ``parameter_name`` next to it, a button's
``sub_type``/``index`` before ``parameters``), which fixes the bytes on the wire.

Example::

    >>> import msgspec
    >>> msgspec.json.encode(TemplateParameter(type="text", parameter_name="name", text="Ada"))
    b'{"type":"text","parameter_name":"name","text":"Ada"}'
"""

from __future__ import annotations

import msgspec

__all__ = ["LocationObject", "MediaObject", "TemplateComponent", "TemplateParameter"]


class _Out(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of outbound structs: fields left at their default are not sent."""


class MediaObject(_Out, frozen=True, kw_only=True):
    """A media object (``image``/``video``/``audio``/``document``/``sticker``): ``id`` or ``link``.

    Example::

        MediaObject(link="https://example.com/a.png", caption="A")
    """

    id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None


class LocationObject(_Out, frozen=True, kw_only=True):
    """A location: coordinates as JSON numbers.

    Example::

        LocationObject(latitude=37.48, longitude=-122.15, name="HQ")
    """

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class TemplateParameter(_Out, frozen=True, kw_only=True):
    """One template parameter; ``type`` names the field that carries its value.

    Example::

        TemplateParameter(type="text", parameter_name="first_name", text="Ada")
        TemplateParameter(type="payload", payload="confirm-42")
    """

    type: str
    parameter_name: str | None = None
    text: str | None = None
    payload: str | None = None
    coupon_code: str | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    document: MediaObject | None = None
    location: LocationObject | None = None


class TemplateComponent(_Out, frozen=True, kw_only=True):
    """One entry of ``components``; buttons carry ``sub_type`` and a 0-based ``index`` string.

    Example::

        TemplateComponent(type="body", parameters=[TemplateParameter(type="text", text="Ada")])
        TemplateComponent(type="button", sub_type="url", index="0",
                          parameters=[TemplateParameter(type="text", text="report/a8f3")])
    """

    type: str
    sub_type: str | None = None
    index: str | None = None
    parameters: list[TemplateParameter]
