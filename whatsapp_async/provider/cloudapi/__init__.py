"""Meta's Cloud API format, for every provider that speaks it (Meta itself, and the proxies and
gateways that relay its shapes).

One place for what those providers share, so it is written once:

- the template component Structs (:class:`TemplateComponent`, :class:`TemplateParameter`,
  :class:`MediaObject`, :class:`LocationObject`, the currency, date_time, product, offer and
  carousel-card objects) and the ``Template`` -> ``components`` builder,
  :func:`build_components`, which each provider calls with its :class:`TemplateRules` (its
  name, the parameter kinds, button sub_types and extra components it can express);
- the platform's group rules (:func:`group_refusal`: what may not be sent to a group);
- Meta's documented payload limits as named constants (``TEXT_BODY_MAX`` ...), each with its
  source, and the checks that enforce them (:func:`check_max_length` ...) for any provider;
- the platform's error codes and the class each implies (:func:`class_for_platform_code`),
  and Meta's error titles (:func:`error_title`) for simulators that answer as Meta does.

The limit, title and code modules import nothing from any provider, so a simulator can read
them without importing the adapter it checks.

Example::

    >>> from whatsapp_async.provider.cloudapi import class_for_platform_code, error_title
    >>> class_for_platform_code(131047).__name__, error_title(131047)
    ('OutsideWindowError', 'Re-engagement message')
"""

from ._checks import check_emoji, check_max_length, check_not_blank, check_unique, invalid
from ._codes import (
    NOT_PROCESSED_CODES,
    PAIR_LIMIT_CODES,
    PLATFORM_CODES,
    class_for_platform_code,
)
from ._groups import GROUP_REFUSED_KINDS, GROUP_REFUSED_TEMPLATE_FEATURES, group_refusal
from ._limits import (
    ADDRESS_COUNTRIES,
    ADDRESS_FIELDS,
    ADDRESS_PIN_CODE_MAX,
    AMOUNT_1000_MAX,
    BIZ_OPAQUE_MAX,
    BUTTON_ID_MAX,
    BUTTON_TITLE_MAX,
    BUTTONS_BODY_MAX,
    BUTTONS_MAX,
    CAPTION_MAX,
    CARD_BODY_PARAM_MAX,
    CARD_BUTTONS_MAX,
    CAROUSEL_CARDS_MAX,
    CAROUSEL_CARDS_MIN,
    CONTACTS_MAX,
    COUPON_CODE_MAX,
    CTA_DISPLAY_TEXT_MAX,
    CURRENCY_CODE,
    FLOW_CTA_MAX,
    FLOW_CTA_SPEC_MAX,
    FLOW_MESSAGE_VERSION,
    FOOTER_MAX,
    HEADER_TEXT_MAX,
    INTERACTIVE_BODY_MAX,
    LIST_BODY_MAX,
    LIST_BUTTON_MAX,
    LIST_ROWS_MAX,
    LIST_SECTIONS_MAX,
    OFFER_CODE_MAX,
    OTP_MAX,
    PRODUCT_ITEMS_MAX,
    PRODUCT_SECTIONS_MAX,
    ROW_DESCRIPTION_MAX,
    ROW_ID_MAX,
    ROW_TITLE_MAX,
    SECTION_TITLE_MAX,
    TEMPLATE_BODY_ONLY_PARAM_MAX,
    TEMPLATE_BODY_PARAM_MAX,
    TEMPLATE_BUTTON_INDEX_MAX,
    TEMPLATE_HEADER_TEXT_MAX,
    TEMPLATE_PARAM_NAME,
    TEMPLATE_URL_MAX,
    TEXT_BODY_MAX,
    VOICE_CALL_DISPLAY_TEXT_MAX,
    VOICE_CALL_PAYLOAD_MAX,
    VOICE_CALL_TTL_MAX,
)
from ._rules import BUTTON_KINDS, COMPONENT_KINDS, PARAMETER_KINDS, TemplateRules
from ._template_buttons import product_sections
from ._templates import build_components, location_object, media_object
from ._titles import ERROR_TITLES, error_title
from ._wire import (
    CarouselCardObject,
    CurrencyObject,
    DateTimeObject,
    LimitedTimeOfferObject,
    LocationObject,
    MediaObject,
    ProductObject,
    TemplateComponent,
    TemplateParameter,
)

__all__ = [
    "ADDRESS_COUNTRIES",
    "ADDRESS_FIELDS",
    "ADDRESS_PIN_CODE_MAX",
    "AMOUNT_1000_MAX",
    "BIZ_OPAQUE_MAX",
    "BUTTONS_BODY_MAX",
    "BUTTONS_MAX",
    "BUTTON_ID_MAX",
    "BUTTON_KINDS",
    "BUTTON_TITLE_MAX",
    "CAPTION_MAX",
    "CARD_BODY_PARAM_MAX",
    "CARD_BUTTONS_MAX",
    "CAROUSEL_CARDS_MAX",
    "CAROUSEL_CARDS_MIN",
    "COMPONENT_KINDS",
    "CONTACTS_MAX",
    "COUPON_CODE_MAX",
    "CTA_DISPLAY_TEXT_MAX",
    "CURRENCY_CODE",
    "ERROR_TITLES",
    "FLOW_CTA_MAX",
    "FLOW_CTA_SPEC_MAX",
    "FLOW_MESSAGE_VERSION",
    "FOOTER_MAX",
    "GROUP_REFUSED_KINDS",
    "GROUP_REFUSED_TEMPLATE_FEATURES",
    "HEADER_TEXT_MAX",
    "INTERACTIVE_BODY_MAX",
    "LIST_BODY_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "LIST_SECTIONS_MAX",
    "NOT_PROCESSED_CODES",
    "OFFER_CODE_MAX",
    "OTP_MAX",
    "PAIR_LIMIT_CODES",
    "PARAMETER_KINDS",
    "PLATFORM_CODES",
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
    "CarouselCardObject",
    "CurrencyObject",
    "DateTimeObject",
    "LimitedTimeOfferObject",
    "LocationObject",
    "MediaObject",
    "ProductObject",
    "TemplateComponent",
    "TemplateParameter",
    "TemplateRules",
    "build_components",
    "check_emoji",
    "check_max_length",
    "check_not_blank",
    "check_unique",
    "class_for_platform_code",
    "error_title",
    "group_refusal",
    "invalid",
    "location_object",
    "media_object",
    "product_sections",
]
