"""What every Meta request shares: the URL roots, the credentials and the checks of an answer.

``MetaProvider`` is assembled from this base and the operation mixins beside it
(``template_ops``, ``media_ops``); each of them builds its requests from the roots and
headers set up here, and reads Graph's answers with the same two checks.

Example::

    class MetaProvider(TemplateOperations, MediaOperations):  # both extend MetaBase
        ...

    provider = MetaProvider(MetaSettings(token="EAAG...", phone_number_id="1065403522"))
    provider.sender_key  # '1065403522'
"""

from __future__ import annotations

from urllib.parse import quote

from whatsapp_async.provider import (
    APIStatusError,
    HttpResponse,
    Provider,
    RedactedHeaders,
    convert_or_none,
)

from .response_wire import SuccessBody
from .settings import MetaSettings

__all__ = ["MetaBase"]


class MetaBase(Provider):
    """The Graph API roots and credentials of one business number, and the answer checks.

    Not a provider on its own (``MetaProvider`` adds sending and the rest); the mixins that
    extend it see ``self.settings`` as :class:`MetaSettings`.

    Example::

        provider = MetaProvider(MetaSettings(token="EAAG...", phone_number_id="1065403522"))
        provider.auth_headers()  # {'Authorization': 'Bearer EAAG...'}
    """

    settings: MetaSettings

    def __init__(self, settings: MetaSettings, *, base_url: str | None = None) -> None:
        super().__init__(settings, base_url=base_url)
        settings.check(self.name)
        version = quote(settings.api_version, safe="")
        self._version_root = f"{self.base_url}/{version}"
        self._number_root = f"{self._version_root}/{quote(settings.phone_number_id, safe='')}"
        self._messages_url = f"{self._number_root}/messages"
        self._senders = settings.senders()
        # Every business number's /messages URL (the first is the default's).
        self._messages_urls = {
            number: f"{self._version_root}/{quote(number, safe='')}/messages"
            for number in self._senders
        }
        self._headers = RedactedHeaders(
            {"Authorization": f"Bearer {settings.token}", "Content-Type": "application/json"}
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, settings={self.settings!r})"

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """The phone number id: Meta's throughput limit is per business number.

        Example::

            provider.sender_key  # '106540352242922'
        """
        return self.settings.phone_number_id

    @property
    def senders(self) -> tuple[str, ...]:
        """Every configured business number id (``phone_number_id`` first, then
        ``phone_number_ids``): what ``sender=`` may name.

        Example::

            provider.senders  # ('106540352242922', '106540352242923')
        """
        return self._senders

    def messages_url(self, sender: str | None) -> str:
        """The ``/messages`` URL of ``sender`` (None: the default number).

        Example::

            provider.messages_url("106540352242923")
            # 'https://graph.facebook.com/v23.0/106540352242923/messages'
        """
        return self._messages_url if sender is None else self._messages_urls[sender]

    def auth_headers(self) -> dict[str, str]:
        """The Bearer token header.

        Example::

            provider.auth_headers()  # {'Authorization': 'Bearer EAAG...'}
        """
        return {"Authorization": self._headers["Authorization"]}

    # -- request helpers ------------------------------------------------------------------------
    def _token_only(self) -> RedactedHeaders:
        return RedactedHeaders({"Authorization": self._headers["Authorization"]})

    def _expect_success(self, response: HttpResponse, what: str) -> None:
        answer = convert_or_none(self.decode(response), SuccessBody)
        if answer is None or answer.success is not True:
            raise self._unexpected(response, f"no success confirmation for {what}")

    def _unexpected(self, response: HttpResponse, what: str) -> APIStatusError:
        return APIStatusError(
            f"meta answered with {what}",
            provider=self.name,
            status=response.status,
            body=response.body,
        )
