"""The self-hosted conversation gateway provider.

Bearer-token auth, a required ``base_url`` (the service root), texts to phone
numbers or conversations, and templates sent natively in batches.

Example::

    from whatsapp_async import WhatsApp, Template

    async with WhatsApp("gateway", token="...", base_url="https://gw.example.com") as wa:
        bulk = await wa.send_many([(n, Template("appointment_reminder", language="es",
                                                body=["Ada", "10:00"])) for n in numbers])
"""

from .provider import GatewayProvider, GatewaySettings

__all__ = ["GatewayProvider", "GatewaySettings"]
