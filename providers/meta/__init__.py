"""Meta WhatsApp Cloud API provider (``WhatsApp("meta", ...)``).

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="EAAG...", phone_number_id="106540352242922") as wa:
        await wa.send("+16505551234", Text("Your order has shipped"))
"""

from .provider import MetaProvider
from .settings import MetaSettings

__all__ = ["MetaProvider", "MetaSettings"]
