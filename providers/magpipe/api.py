"""Magpipe's documented API facts, shared by the adapter and the simulator (a leaf module).

The adapter builds its requests from these and the simulator serves and checks the same
values, each from the source named beside it (PROVIDER_FACTS §2). Nothing here imports the
adapter or the simulator, so neither reads the other's code: a wrong value here is wrong in
one reviewed place, with its source next to it.

Example::

    >>> from whatsapp_async_providers.magpipe.api import TEMPLATE_PATH, TEMPLATE_TO
    >>> TEMPLATE_PATH, bool(TEMPLATE_TO.match("+16045628647"))
    ('/send-whatsapp-template', True)
"""

from __future__ import annotations

import re

from whatsapp_async.provider.cloudapi import TEXT_BODY_MAX

__all__ = ["MESSAGE_PATH", "TEMPLATE_PATH", "TEMPLATE_TO", "TEXT_MAX"]

MESSAGE_PATH = "/send-whatsapp-message"
"""The text endpoint, under ``https://api.magpipe.ai/functions/v1`` (facts §2 [M1][M3])."""
TEMPLATE_PATH = "/send-whatsapp-template"
"""The template endpoint (facts §2 [M1][M3])."""
TEXT_MAX = TEXT_BODY_MAX
"""Magpipe puts ``message`` into Meta's ``text.body``, which Meta caps at 4096 characters
(facts §2 [M4], §3.4)."""
TEMPLATE_TO = re.compile(r"^\+[1-9]\d{7,14}$")
"""The template endpoint refuses any ``to`` outside this pattern with a 400 (facts §2 [M5]);
some valid short numbers (7 digits with the country code) fall outside it."""
