"""The approved-template cache behind ``check_templates=True`` and ``wa.get_template``.

The provider's listing is fetched once and kept for ``ttl`` seconds; a name that is not in it
refreshes it once (a template approved since the last listing is found) but not more than once
a second, so a typo cannot turn every send into a listing request. Operations that create or
delete templates make the cache stale (they say so in their :class:`Operation` entry).

Example::

    cache = TemplateCache(list_templates, ttl=300.0, provider="meta")
    info = await cache.get("order_update", "en_US")
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ._template_check import check_template
from .messages import Template
from .results import TemplateInfo

__all__ = ["TemplateCache"]

_MISS_REFRESH_AFTER = 1.0
"""Seconds a fresh listing is trusted even for a name it does not hold."""


class TemplateCache:
    """Approved templates by ``(name, language)``, refreshed from the provider's listing.

    Example::

        await cache.check(Template("order_update", body=["Ada"]))  # TemplateMismatch if it differs
    """

    def __init__(
        self,
        list_templates: Callable[[], Awaitable[list[TemplateInfo]]],
        *,
        ttl: float,
        provider: str,
    ) -> None:
        self._list = list_templates
        self._ttl = ttl
        self._provider = provider
        self._templates: dict[tuple[str, str], TemplateInfo] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, name: str, language: str) -> TemplateInfo | None:
        """The description of ``name``/``language``, or None when the provider lists none."""
        key = (name, language)
        loop = asyncio.get_running_loop()
        async with self._lock:
            age = None if self._fetched_at is None else loop.time() - self._fetched_at
            if (
                age is None
                or age > self._ttl
                or (key not in self._templates and age > _MISS_REFRESH_AFTER)
            ):
                listing = await self._list()
                self._templates = {(t.name, t.language): t for t in listing}
                self._fetched_at = loop.time()
        return self._templates.get(key)

    async def check(self, template: Template) -> None:
        """Raise ``TemplateMismatch`` unless ``template`` fits an approved template."""
        info = await self.get(template.name, template.language)
        check_template(template, info, provider=self._provider)

    def invalidate(self) -> None:
        """Forget the listing: the next look-up fetches it again."""
        self._fetched_at = None
