"""Meta's documented payload limits for Cloud API messages, one named constant each.

Every provider that sends Meta's shapes checks against these before any request, and the
simulators that play Meta (or a relay in front of it) refuse what they refuse: one value,
one source. Lengths count characters (Python ``len``). Sources are the keys of
PROVIDER_FACTS §3.4 / §6.2 / §6.3 ([G3] Meta's media-message copy, [G11] reply buttons, [G13]
whatsapp-api-js ``text.ts``, [G14] its ``interactive.ts``/``template.ts``, [G15] list
messages, [W1] Meta's OpenAPI spec v23.0, [W2]-[W10] Meta's pages on CTA URL, location
request, address, catalogue, voice-call, call-permission, Flow, marketing and authentication
messages). Where the sources conflict, the constant holds the reading every source accepts,
and its docstring says so.

Example::

    >>> from whatsapp_async.provider.cloudapi import TEXT_BODY_MAX, TEMPLATE_PARAM_NAME
    >>> TEXT_BODY_MAX, bool(TEMPLATE_PARAM_NAME.fullmatch("first_name"))
    (4096, True)
"""

from __future__ import annotations

import re

__all__ = [
    "ADDRESS_COUNTRIES",
    "ADDRESS_FIELDS",
    "ADDRESS_PIN_CODE_MAX",
    "AMOUNT_1000_MAX",
    "BIZ_OPAQUE_MAX",
    "BUTTONS_BODY_MAX",
    "BUTTONS_MAX",
    "BUTTON_ID_MAX",
    "BUTTON_TITLE_MAX",
    "CAPTION_MAX",
    "CARD_BODY_PARAM_MAX",
    "CARD_BUTTONS_MAX",
    "CAROUSEL_CARDS_MAX",
    "CAROUSEL_CARDS_MIN",
    "CONTACTS_MAX",
    "COUPON_CODE_MAX",
    "CTA_DISPLAY_TEXT_MAX",
    "CURRENCY_CODE",
    "FLOW_CTA_MAX",
    "FLOW_CTA_SPEC_MAX",
    "FLOW_MESSAGE_VERSION",
    "FOOTER_MAX",
    "HEADER_TEXT_MAX",
    "INTERACTIVE_BODY_MAX",
    "LIST_BODY_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "LIST_SECTIONS_MAX",
    "OFFER_CODE_MAX",
    "OTP_MAX",
    "PRODUCT_ITEMS_MAX",
    "PRODUCT_SECTIONS_MAX",
    "ROW_DESCRIPTION_MAX",
    "ROW_ID_MAX",
    "ROW_TITLE_MAX",
    "SECTION_TITLE_MAX",
    "TEMPLATE_BODY_ONLY_PARAM_MAX",
    "TEMPLATE_BODY_PARAM_MAX",
    "TEMPLATE_BUTTON_INDEX_MAX",
    "TEMPLATE_HEADER_TEXT_MAX",
    "TEMPLATE_PARAM_NAME",
    "TEMPLATE_URL_MAX",
    "TEXT_BODY_MAX",
    "VOICE_CALL_DISPLAY_TEXT_MAX",
    "VOICE_CALL_PAYLOAD_MAX",
    "VOICE_CALL_TTL_MAX",
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

# -- interactive messages beyond reply buttons and lists (facts §6.1, §6.2) ----------------------
INTERACTIVE_BODY_MAX = 1024
"""The body of a CTA URL, Flow, product, catalogue, location-request, voice-call or address
message (Meta's ``BodyObject``, facts §6.1 [W1][W28]); lists are the exception (4096)."""
CTA_DISPLAY_TEXT_MAX = 20
"""A CTA URL button's ``display_text`` (facts §6.2 [W2]). No limit on ``url`` is documented."""
FLOW_MESSAGE_VERSION = "3"
"""``flow_message_version``: the string ``"3"`` (facts §6.2 [W8][W1])."""
FLOW_CTA_MAX = 20
"""A Flow button's ``flow_cta``. CONFLICTING (facts §6.2): the older Meta page and two client
libraries say 20 characters, the newer page and the spec "advised 30"; 20 is what both accept
(Meta's setting ``flow_cta_max`` raises it up to :data:`FLOW_CTA_SPEC_MAX`)."""
FLOW_CTA_SPEC_MAX = 30
"""The spec's ``maxLength`` of ``flow_cta`` (facts §6.2 [W1]): the most ``flow_cta_max`` allows."""
PRODUCT_SECTIONS_MAX = 10
"""Sections of a product list or a multi-product template button (facts §6.2 [W1], §6.3 [W9])."""
PRODUCT_ITEMS_MAX = 30
"""Products of a product list or a multi-product button, in total over every section.
CONFLICTING (facts §6.2, §6.3): the spec and pywa allow 30 per section, Meta's pages 30 in all;
30 in all is what every source accepts."""
VOICE_CALL_DISPLAY_TEXT_MAX = 20
"""A voice-call button's ``display_text`` (facts §6.2 [W6])."""
VOICE_CALL_TTL_MAX = 43200
"""A voice-call button's ``ttl_minutes``: 1 to 43200 (30 days) (facts §6.2 [W6])."""
VOICE_CALL_PAYLOAD_MAX = 512
"""A voice-call button's ``payload``, echoed in the calls webhooks (facts §6.2 [W6])."""
ADDRESS_COUNTRIES = frozenset({"IN"})
"""Where address messages work: businesses in India messaging Indian users (facts §6.2 [W4],
the Nov 2025 page; a May 2023 changelog also named Singapore)."""
ADDRESS_FIELDS = frozenset(
    {
        "name",
        "phone_number",
        "in_pin_code",
        "house_number",
        "floor_number",
        "tower_number",
        "building_name",
        "address",
        "landmark_area",
        "city",
        "state",
    }
)
"""The keys of an address form's ``values`` (facts §6.2 [W4])."""
ADDRESS_PIN_CODE_MAX = 6
"""An address form's ``in_pin_code`` (facts §6.2 [W4])."""

# -- template send components beyond text parameters (facts §6.3) --------------------------------
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
"""A currency parameter's ``code``: ISO 4217, three capital letters (facts §6.3 [W1])."""
AMOUNT_1000_MAX = 2**31 - 1
"""A currency's ``amount_1000`` is an int32 in the spec (facts §6.3 [W1]); it must be positive
(whatsapp-api-js refuses zero and below [W28])."""
COUPON_CODE_MAX = 20
"""A coupon (copy-code button) code: alphanumeric, at most 20 since 3 Dec 2025 (15 before)
(facts §6.3 [W9][W23])."""
OFFER_CODE_MAX = 15
"""The offer code of a limited-time-offer template (facts §6.3 [W9])."""
OTP_MAX = 15
"""An authentication template's one-time password (facts §6.3 [W10])."""
TEMPLATE_URL_MAX = 2000
"""A URL button's full URL (facts §6.3 [W9]); only the suffix is sent, and it is held to this."""
CAROUSEL_CARDS_MIN = 2
"""Cards of a carousel template: 2 to 10, fixed at creation (facts §6.3 [W9])."""
CAROUSEL_CARDS_MAX = 10
"""Cards of a carousel template: 2 to 10 (facts §6.3 [W9])."""
CARD_BUTTONS_MAX = 2
"""Buttons of one carousel card (facts §6.3 [W9])."""
CARD_BODY_PARAM_MAX = 160
"""A carousel card's body is at most 160 characters (facts §6.2 [W2b]): no parameter of it can
be longer."""
