"""Template operations on the WhatsApp Business Account: list, create and delete templates.

All three go to ``{base}/{version}/{waba_id}/message_templates`` and need the ``waba_id``
setting; creation and deletion are provider-specific operations
(``wa.call(MetaProvider.create_template, ...)``), checked before any request by
``template_admin``.

Example::

    templates = await wa.list_templates()
    created = await wa.call(MetaProvider.create_template, "promo", "en_US", "MARKETING",
                            [{"type": "BODY", "text": "20% off this week"}])
    await wa.call(MetaProvider.delete_template, "promo")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from whatsapp_async.provider import (
    APIStatusError,
    ConfigurationError,
    HttpRequest,
    HttpResponse,
    Operation,
    TemplateComponentInfo,
    TemplateInfo,
    ValidationError,
    convert_or_none,
)

from .base import MetaBase
from .response_wire import TemplateCreated, TemplateItem, TemplatesPage
from .template_admin import CreatedTemplate, check_template_name, create_body
from .wire import ENCODER

__all__ = ["TEMPLATE_FIELDS", "TEMPLATE_PAGE_SIZE", "TemplateOperations"]

TEMPLATE_FIELDS = "name,status,category,language,components"
"""The fields a template listing asks Graph for (what ``TemplateInfo`` holds)."""
TEMPLATE_PAGE_SIZE = 100
"""Templates per listing page."""


class TemplateOperations(MetaBase):
    """Listing, creating and deleting message templates (a mixin of ``MetaProvider``).

    Example::

        provider.build_list_templates(cursor=None).url
        # 'https://graph.facebook.com/v26.0/1022.../message_templates?fields=...&limit=100'
    """

    def build_list_templates(self, cursor: str | None) -> HttpRequest:
        """``GET {base}/{version}/{waba_id}/message_templates`` (``waba_id`` is required here).

        Example::

            provider.build_list_templates(cursor=None).url
            # 'https://graph.facebook.com/v26.0/1022.../message_templates?fields=...&limit=100'
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
        page = convert_or_none(raw, TemplatesPage)
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
        created = convert_or_none(raw, TemplateCreated)
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
    # Declared here, they still reach ``MetaProvider.operations``: the base class collects
    # operations from the whole MRO.
    create_template = Operation(
        build_create_template, parse_create_template, invalidates=frozenset({"templates"})
    )
    """``await wa.call(MetaProvider.create_template, name, language, category, components)``."""
    delete_template = Operation(
        build_delete_template, parse_delete_template, invalidates=frozenset({"templates"})
    )
    """``await wa.call(MetaProvider.delete_template, name, template_id=None)``."""

    def _templates_url(self, operation: str) -> str:
        waba_id = self.settings.waba_id
        if not waba_id:
            raise ConfigurationError(
                f"meta: {operation} needs the setting 'waba_id' (the WhatsApp Business Account id)",
                provider=self.name,
            )
        return f"{self._version_root}/{quote(waba_id, safe='')}/message_templates"


def _template_info(raw: Any) -> TemplateInfo | None:
    item = convert_or_none(raw, TemplateItem)
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
