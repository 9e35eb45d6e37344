"""The Meta WhatsApp Cloud API adapter (sans-I/O): unified calls <-> Graph API requests.

Sends go to ``POST {base}/{api_version}/{phone_number_id}/messages`` with a Bearer token.
Phone recipients are sent as E.164 **with** the leading ``+`` (Meta accepts both forms; the
``+`` keeps the country code unambiguous) and ``recipient_type: "individual"``; groups as
``recipient_type: "group"`` with the group id. ``reply_to`` becomes ``context.message_id``;
``metadata`` becomes ``biz_opaque_callback_data`` (its compact JSON, at most 512
characters), which Meta echoes in status webhooks (``StatusUpdate.metadata``).

Media: ``upload_media`` posts a multipart form to ``/{phone_number_id}/media``;
``media_url`` looks up ``/{media_id}`` (the URL lasts 5 minutes, so ``download_media``
fetches a fresh one on every call); the download carries the Bearer token only to the
configured API host or Meta's own domains (see ``whatsapp_async_providers.meta.media``). Templates:
``await wa.call("create_template", ...)`` and ``await wa.call("delete_template", name)``
(see ``whatsapp_async_providers.meta.template_admin``).

Example::

    async with WhatsApp("meta", token="EAAG...", phone_number_id="106540352242922") as wa:
        result = await wa.send("+16505551234", Text("Your order has shipped"))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import msgspec

from whatsapp_async.provider import (
    MESSAGE_KINDS,
    REDACTED,
    APIStatusError,
    Capabilities,
    ConfigurationError,
    Event,
    FormFile,
    Group,
    HttpRequest,
    HttpResponse,
    MediaInfo,
    MediaLimit,
    Message,
    Operation,
    Phone,
    Provider,
    Recipient,
    SendOptions,
    SendResult,
    SendStatus,
    TemplateComponentInfo,
    TemplateInfo,
    ValidationError,
)
from whatsapp_async.provider.cloudapi import NOT_PROCESSED_CODES

from . import webhooks
from .build import build_message, encode_body
from .errors import error_from_response
from .media import MEDIA_LIMITS, download_headers
from .settings import MetaSettings
from .template_admin import CreatedTemplate, check_template_name, create_body
from .wire import (
    ENCODER,
    MarkReadRequest,
    MediaDescription,
    MediaUploaded,
    SendResponse,
    SuccessBody,
    TemplateCreated,
    TemplateItem,
    TemplatesPage,
    TypingIndicator,
)

__all__ = ["MetaProvider", "RedactedHeaders"]


TEMPLATE_FIELDS = "name,status,category,language,components"
TEMPLATE_PAGE_SIZE = 100

_SEND_STATUS: dict[str, SendStatus] = {
    "accepted": "accepted",
    "held_for_quality_assessment": "held",
    "paused": "paused",
}


class MetaProvider(Provider):
    """Meta's WhatsApp Cloud API: every message type, groups, mark-read, templates, webhooks.

    Example::

        provider = MetaProvider(MetaSettings(token="EAAG...", phone_number_id="1065403522"))
        request = provider.build_send(Phone("+16505551234"), Text("hi"), SendOptions())
        request.url  # 'https://graph.facebook.com/v23.0/1065403522/messages'
    """

    # Meta's codes for "refused before processing": every other 5xx is in doubt.
    not_processed_codes = NOT_PROCESSED_CODES

    name = "meta"
    settings_type = MetaSettings
    capabilities = Capabilities(
        messages=frozenset(MESSAGE_KINDS),
        recipients=frozenset({"phone", "group"}),
        options=frozenset({"reply_to", "metadata"}),
        operations=frozenset(
            {
                "mark_read",
                "list_templates",
                "webhooks",
                "upload_media",
                "create_template",
                "delete_template",
            }
        ),
    )
    default_base_url = "https://graph.facebook.com"
    default_rate_limit = 80.0
    media_limits: ClassVar[Mapping[str, MediaLimit]] = MEDIA_LIMITS
    settings: MetaSettings

    webhook_secret_setting = "app_secret"

    @property
    def verifies_webhooks(self) -> bool:
        """Whether deliveries are verified (``app_secret`` is configured)."""
        return bool(self._webhook_secrets)

    def __init__(self, settings: MetaSettings, *, base_url: str | None = None) -> None:
        super().__init__(settings, base_url=base_url)
        settings.check(self.name)
        version = quote(settings.api_version, safe="")
        self._version_root = f"{self.base_url}/{version}"
        self._number_root = f"{self._version_root}/{quote(settings.phone_number_id, safe='')}"
        self._messages_url = f"{self._number_root}/messages"
        self._headers = RedactedHeaders(
            {"Authorization": f"Bearer {settings.token}", "Content-Type": "application/json"}
        )
        self._webhook_secrets = settings.webhook_secrets()

    def __repr__(self) -> str:
        return f"MetaProvider(base_url={self.base_url!r}, settings={self.settings!r})"

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """The phone number id: Meta's throughput limit is per business number.

        Example::

            provider.sender_key  # '106540352242922'
        """
        return self.settings.phone_number_id

    def auth_headers(self) -> dict[str, str]:
        """The Bearer token header.

        Example::

            provider.auth_headers()  # {'Authorization': 'Bearer EAAG...'}
        """
        return {"Authorization": self._headers["Authorization"]}

    # -- sending ------------------------------------------------------------------------------
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """``POST .../messages`` for ``message``; ``ValidationError`` on Meta's limits.

        Example::

            provider.build_send(Group("Y2FwaV9ncm91cDox..."), Text("hi"), SendOptions()).body
            # b'{"messaging_product":"whatsapp","recipient_type":"group",...}'
        """
        if isinstance(recipient, Phone):
            to, recipient_type = recipient.e164, "individual"
        elif isinstance(recipient, Group):
            to, recipient_type = recipient.jid, "group"
        else:
            raise self.unsupported(recipient.kind, f"meta cannot send to a {recipient.kind}")
        request = build_message(message, to=to, recipient_type=recipient_type, options=options)
        return HttpRequest(
            method="POST",
            url=self._messages_url,
            headers=self._headers,
            body=encode_body(request, options.extra),
        )

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """``messages[0].id`` and ``message_status`` (absent means ``accepted``).

        Example::

            provider.parse_send(response, Phone("+16505551234"), Text("hi")).status  # 'accepted'
        """
        raw = self.decode(response)
        parsed = _convert(raw, SendResponse)
        first = parsed.messages[0] if parsed is not None and parsed.messages else None
        if first is None or not first.id:
            raise APIStatusError(
                "meta answered a send without a message id",
                provider=self.name,
                status=response.status,
                body=response.body,
            )
        assert parsed is not None
        contact = parsed.contacts[0] if parsed.contacts else None
        return SendResult(
            id=first.id,
            # A status this SDK does not know yet still means Meta took the message.
            status=_SEND_STATUS.get(first.message_status or "accepted", "accepted"),
            provider=self.name,
            recipient=str(recipient),
            wa_id=(contact.wa_id or None) if contact is not None else None,
            raw=raw,
        )

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """Meta's ``error.code`` first, the HTTP status second (see ``errors.py``).

        Example::

            provider.error_from_response(HttpResponse(status=400, body=body)).code  # 131047
        """
        return error_from_response(response)

    # -- mark read ------------------------------------------------------------------------------
    def build_mark_read(self, message_id: str, typing: bool) -> HttpRequest:
        """``POST .../messages {"status": "read", ...}`` (+ ``typing_indicator`` when typing).

        Example::

            provider.build_mark_read("wamid.HBgL...", typing=True)
        """
        body = MarkReadRequest(
            messaging_product="whatsapp",
            status="read",
            message_id=message_id,
            typing_indicator=TypingIndicator(type="text") if typing else None,
        )
        return HttpRequest(
            method="POST",
            url=self._messages_url,
            headers=self._headers,
            body=ENCODER.encode(body),
            idempotent=True,  # marking read twice changes nothing
        )

    def parse_mark_read(self, response: HttpResponse) -> None:
        """Check Meta's ``{"success": true}``.

        Example::

            provider.parse_mark_read(HttpResponse(status=200, body=b'{"success": true}'))
        """
        body = self.decode(response)
        if not (isinstance(body, dict) and body.get("success") is True):
            raise APIStatusError(
                "meta did not confirm the read receipt",
                provider=self.name,
                status=response.status,
                body=response.body,
            )

    # -- templates ------------------------------------------------------------------------------
    def build_list_templates(self, cursor: str | None) -> HttpRequest:
        """``GET {base}/{version}/{waba_id}/message_templates`` (``waba_id`` is required here).

        Example::

            provider.build_list_templates(cursor=None).url
            # 'https://graph.facebook.com/v23.0/1022.../message_templates?fields=...&limit=100'
        """
        query = {"fields": TEMPLATE_FIELDS, "limit": str(TEMPLATE_PAGE_SIZE)}
        if cursor:
            query["after"] = cursor
        url = f"{self._templates_url('list_templates')}?{urlencode(query)}"
        return HttpRequest(method="GET", url=url, headers=self._token_only(), idempotent=True)

    def parse_templates(self, response: HttpResponse) -> tuple[list[TemplateInfo], str | None]:
        """One page of templates and the ``after`` cursor when Graph says there is a next page.

        Example::

            templates, cursor = provider.parse_templates(response)
        """
        raw = self.decode(response)
        page = _convert(raw, TemplatesPage)
        if page is None:
            raise APIStatusError(
                "meta answered the template listing with an unexpected body",
                provider=self.name,
                status=response.status,
                body=response.body,
            )
        templates = [info for info in map(_template_info, page.data) if info is not None]
        return templates, _next_cursor(page)

    def build_create_template(
        self,
        name: str,
        language: str,
        category: str,
        components: Sequence[Mapping[str, Any]],
        *,
        parameter_format: str | None = None,
        allow_category_change: bool | None = None,
    ) -> HttpRequest:
        """``POST {base}/{version}/{waba_id}/message_templates`` (``wa.call("create_template")``).

        Checked before any request (see ``whatsapp_async_providers.meta.template_admin``).

        Example::

            await wa.call("create_template", "promo", "en_US", "MARKETING",
                          [{"type": "BODY", "text": "20% off this week"}])
        """
        body = create_body(
            name,
            language,
            category,
            components,
            parameter_format=parameter_format,
            allow_category_change=allow_category_change,
        )
        return HttpRequest(
            method="POST",
            url=self._templates_url("create_template"),
            headers=self._headers,
            body=ENCODER.encode(body),
        )

    def parse_create_template(self, response: HttpResponse) -> CreatedTemplate:
        """The new template's id, review status and category.

        Example::

            provider.parse_create_template(response).status  # 'PENDING'
        """
        raw = self.decode(response)
        created: TemplateCreated | None = _convert(raw, TemplateCreated)
        if created is None or not created.id:
            raise self._unexpected(response, "a template creation without an id")
        return CreatedTemplate(
            id=created.id, status=created.status, category=created.category, raw=raw
        )

    def build_delete_template(self, name: str, *, template_id: str | None = None) -> HttpRequest:
        """``DELETE .../message_templates?name=...`` (every language; with ``template_id``
        only that one, Meta's ``hsm_id``).

        Example::

            await wa.call("delete_template", "promo")
            await wa.call("delete_template", "promo", template_id="1689556908129832")
        """
        query = {"name": check_template_name(name)}
        if template_id is not None:
            if not isinstance(template_id, str) or not template_id.strip():
                raise ValidationError(
                    "meta: template_id must be a non-empty string",
                    provider=self.name,
                    field="template_id",
                )
            query["hsm_id"] = template_id
        url = f"{self._templates_url('delete_template')}?{urlencode(query)}"
        return HttpRequest(method="DELETE", url=url, headers=self._token_only(), idempotent=True)

    def parse_delete_template(self, response: HttpResponse) -> None:
        """Check Graph's ``{"success": true}``.

        Example::

            provider.parse_delete_template(HttpResponse(status=200, body=b'{"success":true}'))
        """
        self._expect_success(response, "the template deletion")

    # Both change the listing ``check_templates`` caches: the core drops it after either.
    create_template = Operation(
        build_create_template, parse_create_template, invalidates=frozenset({"templates"})
    )
    """``await wa.call(MetaProvider.create_template, name, language, category, components)``."""
    delete_template = Operation(
        build_delete_template, parse_delete_template, invalidates=frozenset({"templates"})
    )
    """``await wa.call(MetaProvider.delete_template, name, template_id=None)``."""

    # -- media ----------------------------------------------------------------------------------
    def build_upload_media(self, file: FormFile) -> HttpRequest:
        """``POST .../{phone_number_id}/media``, multipart ``messaging_product``/``type``/``file``.

        The core has already checked the size and type against :attr:`media_limits`;
        a file given by path is streamed from disk.

        Example::

            provider.build_upload_media(FormFile(filename="a.png", content_type="image/png",
                                                 path="/tmp/a.png"))
        """
        return HttpRequest(
            method="POST",
            url=f"{self._number_root}/media",
            headers=self._token_only(),
            form=[("messaging_product", "whatsapp"), ("type", file.content_type), ("file", file)],
        )

    def parse_upload_media(self, response: HttpResponse) -> str:
        """The new media id from ``{"id": "<MEDIA_ID>"}``.

        Example::

            provider.parse_upload_media(HttpResponse(status=200, body=b'{"id":"4490709327"}'))
        """
        uploaded: MediaUploaded | None = _convert(self.decode(response), MediaUploaded)
        if uploaded is None or not uploaded.id:
            raise self._unexpected(response, "an upload without a media id")
        return uploaded.id

    def build_media_url(self, media_id: str) -> HttpRequest:
        """``GET {base}/{version}/{media_id}?phone_number_id=...`` (the media must be this
        number's).

        Example::

            provider.build_media_url("1013859600285441").url
            # 'https://graph.facebook.com/v23.0/1013859600285441?phone_number_id=1065...'
        """
        url = self._media_node(media_id)
        return HttpRequest(method="GET", url=url, headers=self._token_only(), idempotent=True)

    def parse_media_url(self, response: HttpResponse) -> MediaInfo:
        """The short-lived URL (5 minutes) and the file's type, hash and size.

        Example::

            provider.parse_media_url(response).url
        """
        described: MediaDescription | None = _convert(self.decode(response), MediaDescription)
        if described is None or not described.url or not described.id:
            raise self._unexpected(response, "a media look-up without an id and url")
        return MediaInfo(
            id=described.id,
            url=described.url,
            mime_type=described.mime_type,
            sha256=described.sha256,
            file_size=_as_size(described.file_size),
        )

    def build_download(self, url: str) -> HttpRequest:
        """``GET url``, with the Bearer token only when ``url`` is on the configured API host
        or on one of Meta's domains over https (``media.is_trusted_host``).

        Example::

            provider.build_download("https://lookaside.fbsbx.com/whatsapp_business/...")
        """
        headers = download_headers(url, base_url=self.base_url, token=self.settings.token)
        return HttpRequest(method="GET", url=url, headers=RedactedHeaders(headers), idempotent=True)

    def build_delete_media(self, media_id: str) -> HttpRequest:
        """``DELETE {base}/{version}/{media_id}?phone_number_id=...``.

        Example::

            provider.build_delete_media("1013859600285441").method  # 'DELETE'
        """
        return HttpRequest(
            method="DELETE",
            url=self._media_node(media_id),
            headers=self._token_only(),
            idempotent=True,  # deleting twice leaves the same state (the second answers 404)
        )

    def parse_delete_media(self, response: HttpResponse) -> None:
        """Check Graph's ``{"success": true}``.

        Example::

            provider.parse_delete_media(HttpResponse(status=200, body=b'{"success": true}'))
        """
        self._expect_success(response, "the media deletion")

    # -- request helpers ------------------------------------------------------------------------
    def _token_only(self) -> RedactedHeaders:
        return RedactedHeaders({"Authorization": self._headers["Authorization"]})

    def _templates_url(self, operation: str) -> str:
        waba_id = self.settings.waba_id
        if not waba_id:
            raise ConfigurationError(
                f"meta: {operation} needs the setting 'waba_id' (the WhatsApp Business Account id)",
                provider=self.name,
            )
        return f"{self._version_root}/{quote(waba_id, safe='')}/message_templates"

    def _media_node(self, media_id: str) -> str:
        if not isinstance(media_id, str) or not media_id.strip():
            raise ValidationError(
                "meta: media_id must be a non-empty string", provider=self.name, field="media_id"
            )
        query = urlencode({"phone_number_id": self.settings.phone_number_id})
        return f"{self._version_root}/{quote(media_id, safe='')}?{query}"

    def _expect_success(self, response: HttpResponse, what: str) -> None:
        answer: SuccessBody | None = _convert(self.decode(response), SuccessBody)
        if answer is None or answer.success is not True:
            raise self._unexpected(response, f"no success confirmation for {what}")

    def _unexpected(self, response: HttpResponse, what: str) -> APIStatusError:
        return APIStatusError(
            f"meta answered with {what}",
            provider=self.name,
            status=response.status,
            body=response.body,
        )

    # -- webhooks -------------------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        """Verify ``X-Hub-Signature-256`` (when an app secret is set) and normalise the events.

        Example::

            events = provider.parse_webhook(request.headers, await request.read(), {})
        """
        if self._webhook_secrets:
            webhooks.verify_signature(headers, body, self._webhook_secrets)
        return webhooks.parse_payload(body)

    def webhook_handshake(self, query: Mapping[str, str]) -> str | None:
        """Meta's GET verification: the challenge for the configured ``verify_token``.

        Example::

            provider.webhook_handshake({"hub.mode": "subscribe", "hub.verify_token": "tok",
                                        "hub.challenge": "42"})  # '42'
        """
        return webhooks.handshake(query, self.settings.verify_token)


class RedactedHeaders(Mapping[str, str]):
    """Read-only request headers whose repr hides the credential.

    ``HttpRequest`` is a Struct whose repr shows its headers; requests end up in logs and
    tracebacks, so the ``Authorization`` value is shown as ``***``.

    Example::

        repr(RedactedHeaders({"Authorization": "Bearer EAAG..."}))  # {'Authorization': '***'}
    """

    __slots__ = ("_headers",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def __getitem__(self, key: str) -> str:
        return self._headers[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __repr__(self) -> str:
        shown = {
            k: REDACTED if k.lower() == "authorization" else v for k, v in self._headers.items()
        }
        return repr(shown)


def _convert(raw: Any, kind: type[Any]) -> Any:
    if not isinstance(raw, dict):
        return None
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError:
        return None


def _as_size(value: int | str | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _template_info(raw: Any) -> TemplateInfo | None:
    item: TemplateItem | None = _convert(raw, TemplateItem)
    if item is None or not item.name:
        return None
    return TemplateInfo(
        name=item.name,
        language=item.language,
        status=item.status,
        category=item.category,
        id=item.id,
        components=[
            TemplateComponentInfo(type=c.type, format=c.format, text=c.text, buttons=c.buttons)
            for c in item.components
        ],
        raw=raw,
    )


def _next_cursor(page: TemplatesPage) -> str | None:
    # Graph includes cursors.after on the last page too; only ``next`` says there is more.
    paging = page.paging
    if paging is None or not paging.next:
        return None
    if paging.cursors is not None and paging.cursors.after:
        return paging.cursors.after
    after = parse_qs(urlsplit(paging.next).query).get("after")
    return after[0] if after else None
