"""Meta's Cloud API format, for every provider that speaks it (Meta itself, and the proxies and
gateways that relay its shapes).

One place for what those providers share, so it is written once:

- the template component Structs (:class:`TemplateComponent`, :class:`TemplateParameter`,
  :class:`MediaObject`, :class:`LocationObject`) and the ``Template`` -> ``components``
  builder, :func:`build_components`, which each provider calls with its
  :class:`TemplateRules` (its name, the parameter kinds it can express);
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
from ._limits import (
    BIZ_OPAQUE_MAX,
    BUTTON_ID_MAX,
    BUTTON_TITLE_MAX,
    BUTTONS_BODY_MAX,
    BUTTONS_MAX,
    CAPTION_MAX,
    CONTACTS_MAX,
    FOOTER_MAX,
    HEADER_TEXT_MAX,
    LIST_BODY_MAX,
    LIST_BUTTON_MAX,
    LIST_ROWS_MAX,
    LIST_SECTIONS_MAX,
    ROW_DESCRIPTION_MAX,
    ROW_ID_MAX,
    ROW_TITLE_MAX,
    SECTION_TITLE_MAX,
    TEMPLATE_BODY_ONLY_PARAM_MAX,
    TEMPLATE_BODY_PARAM_MAX,
    TEMPLATE_BUTTON_INDEX_MAX,
    TEMPLATE_HEADER_TEXT_MAX,
    TEMPLATE_PARAM_NAME,
    TEXT_BODY_MAX,
)
from ._templates import (
    PARAMETER_KINDS,
    TemplateRules,
    build_components,
    location_object,
    media_object,
)
from ._titles import ERROR_TITLES, error_title
from ._wire import LocationObject, MediaObject, TemplateComponent, TemplateParameter

__all__ = [
    "BIZ_OPAQUE_MAX",
    "BUTTONS_BODY_MAX",
    "BUTTONS_MAX",
    "BUTTON_ID_MAX",
    "BUTTON_TITLE_MAX",
    "CAPTION_MAX",
    "CONTACTS_MAX",
    "ERROR_TITLES",
    "FOOTER_MAX",
    "HEADER_TEXT_MAX",
    "LIST_BODY_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "LIST_SECTIONS_MAX",
    "NOT_PROCESSED_CODES",
    "PAIR_LIMIT_CODES",
    "PARAMETER_KINDS",
    "PLATFORM_CODES",
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
    "LocationObject",
    "MediaObject",
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
    "invalid",
    "location_object",
    "media_object",
]
