"""Magpipe (magpipe.ai) provider: WhatsApp text and template sends, inbound forwards.

Registered under the ``magpipe`` entry point; users reach it by name.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("magpipe", api_key="mgp_...", phone_number_id="1026733600525693") as wa:
        result = await wa.send("+14155551234", Text("Your appointment is confirmed"))
        result.id  # the wamid
"""

from .provider import MagpipeProvider
from .settings import MagpipeSettings

__all__ = ["MagpipeProvider", "MagpipeSettings"]
