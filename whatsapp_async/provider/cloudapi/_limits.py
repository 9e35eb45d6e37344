"""Meta's documented payload limits for Cloud API messages, one named constant each.

Every provider that sends Meta's shapes checks against these before any request, and the
simulators that play Meta (or a relay in front of it) refuse what they refuse: one value,
one source. Lengths count characters (Python ``len``). Sources are the keys of
PROVIDER_FACTS §3.4 / §6.3 ([G3] Meta's media-message copy, [G11] reply buttons, [G13]
whatsapp-api-js ``text.ts``, [G14] its ``interactive.ts``/``template.ts``, [G15] list
messages, [W1] Meta's OpenAPI spec v23.0).

Example::

    >>> from whatsapp_async.provider.cloudapi import TEXT_BODY_MAX, TEMPLATE_PARAM_NAME
    >>> TEXT_BODY_MAX, bool(TEMPLATE_PARAM_NAME.fullmatch("first_name"))
    (4096, True)
"""

from __future__ import annotations

import re

__all__ = [
    "BIZ_OPAQUE_MAX",
    "BUTTONS_BODY_MAX",
    "BUTTONS_MAX",
    "BUTTON_ID_MAX",
    "BUTTON_TITLE_MAX",
    "CAPTION_MAX",
    "CONTACTS_MAX",
    "FOOTER_MAX",
    "HEADER_TEXT_MAX",
    "LIST_BODY_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "LIST_SECTIONS_MAX",
    "ROW_DESCRIPTION_MAX",
    "ROW_ID_MAX",
    "ROW_TITLE_MAX",
    "SECTION_TITLE_MAX",
    "TEMPLATE_BODY_ONLY_PARAM_MAX",
    "TEMPLATE_BODY_PARAM_MAX",
    "TEMPLATE_BUTTON_INDEX_MAX",
    "TEMPLATE_HEADER_TEXT_MAX",
    "TEMPLATE_PARAM_NAME",
    "TEXT_BODY_MAX",
]

# -- text and media ------------------------------------------------------------------------------
TEXT_BODY_MAX = 4096
"""``text.body`` (facts §3.4 [G13][G14])."""
CAPTION_MAX = 1024
"""A media ``caption`` (facts §3.4 [G3])."""

# -- reply buttons (interactive "button") --------------------------------------------------------
BUTTONS_MAX = 3
"""Reply buttons per message, 1 to 3 (facts §3.4 [G11])."""
BUTTON_TITLE_MAX = 20
"""A reply button's title, unique within the message (facts §3.4 [G11])."""
BUTTON_ID_MAX = 256
"""A reply button's id (facts §3.4 [G11])."""
BUTTONS_BODY_MAX = 1024
"""The body of a reply-button message (facts §3.4 [G11])."""

# -- shared by reply buttons and lists -----------------------------------------------------------
FOOTER_MAX = 60
"""An interactive footer (facts §3.4 [G11][G15])."""
HEADER_TEXT_MAX = 60
"""An interactive text header (facts §3.4 [G11][G15])."""

# -- lists (interactive "list") ------------------------------------------------------------------
LIST_BODY_MAX = 4096
"""The body of a list message (facts §3.4 [G15])."""
LIST_BUTTON_MAX = 20
"""The label of the button that opens a list (facts §3.4 [G15])."""
LIST_SECTIONS_MAX = 10
"""Sections per list (facts §3.4 [G15])."""
LIST_ROWS_MAX = 10
"""Rows per list, in total across every section (facts §3.4 [G15])."""
SECTION_TITLE_MAX = 24
"""A list section's title (facts §3.4 [G15])."""
ROW_TITLE_MAX = 24
"""A list row's title (facts §3.4 [G15])."""
ROW_DESCRIPTION_MAX = 72
"""A list row's description (facts §3.4 [G15])."""
ROW_ID_MAX = 200
"""A list row's id (facts §3.4 [G15])."""

# -- template send parameters --------------------------------------------------------------------
TEMPLATE_HEADER_TEXT_MAX = 60
"""A template's text header parameter (facts §3.4 [G14])."""
TEMPLATE_BODY_PARAM_MAX = 1024
"""A body parameter when the message also carries a header or buttons (facts §3.4 [G14])."""
TEMPLATE_BODY_ONLY_PARAM_MAX = 32768
"""A body parameter when the body is the only component sent (facts §3.4 [G14])."""
TEMPLATE_PARAM_NAME = re.compile(r"^[a-z_]{1,20}$")
"""A named parameter's ``parameter_name``: lowercase a-z and ``_``, 1-20 characters (facts §3.4
[G14], §6.3 [W28]); Meta's OpenAPI spec says nothing about it. Digits are refused: a template
whose names hold digits can still be sent with raw ``components=``. Use ``fullmatch``.

Example: ``TEMPLATE_PARAM_NAME.fullmatch("order_id")`` matches, ``"order1"`` does not."""
TEMPLATE_BUTTON_INDEX_MAX = 9
"""The largest button ``index``: Meta's templates hold at most 10 buttons and ``index`` is
0-based (facts §6.3 [W9][W10])."""

# -- the rest of the frame -----------------------------------------------------------------------
CONTACTS_MAX = 5
"""Cards per contacts message: ``ContactsMessage.contacts`` takes 1-5 (Meta's spec [W1])."""
BIZ_OPAQUE_MAX = 512
"""``biz_opaque_callback_data``, the string Meta echoes in status webhooks (Meta's messages
reference)."""
