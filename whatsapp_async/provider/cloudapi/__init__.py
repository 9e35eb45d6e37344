"""Meta's Cloud API format, for every provider that speaks it (Meta itself, and the proxies and
gateways that relay its shapes): the platform's error codes and the class each implies.

Example::

    >>> from whatsapp_async.provider.cloudapi import class_for_platform_code
    >>> class_for_platform_code(131047).__name__
    'OutsideWindowError'
"""

from ._codes import PLATFORM_CODES, class_for_platform_code

__all__ = ["PLATFORM_CODES", "class_for_platform_code"]
