"""Pilot Status (pilotstatus.com.br) provider: queued sends, status look-ups, cancels, webhooks.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("pilot", api_key="ps_...", webhook_secret="plwh_...") as wa:
        result = await wa.send("+5511987654321", Text("Olá"))
        result.status                       # 'queued'
        await wa.get_status(result.id)      # MessageStatus(status='sent', ...)
        await wa.call("cancel", [result.id])
"""

from .errors import IdempotencyKeyInUse
from .provider import CancelFailure, CancelResult, PilotProvider
from .settings import PilotSettings

__all__ = [
    "CancelFailure",
    "CancelResult",
    "IdempotencyKeyInUse",
    "PilotProvider",
    "PilotSettings",
]
