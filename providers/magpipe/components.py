"""The unified ``Template`` -> Meta's template ``components`` (Magpipe passes them on as is).

Magpipe's template endpoint hands ``components`` to Meta's Cloud API unchanged (PROVIDER_FACTS
§2 [M5]), so Meta's own rules apply in full: the shared Cloud API builder makes them, with
every header kind Meta takes. Limits are checked there, before any request.

Example::

    build_components(Template("upcoming_site_report", body=["John", "March 20"]))
    # [TemplateComponent(type='body', parameters=[TemplateParameter(type='text', text='John'),
    #                                             TemplateParameter(type='text', ...)])]
"""

from __future__ import annotations

from typing import Any

from whatsapp_async.provider import Template, cloudapi

__all__ = ["TEMPLATE_RULES", "build_components"]

TEMPLATE_RULES = cloudapi.TemplateRules(
    provider="magpipe",
    # Magpipe has no media upload: a header's media must already be public or hosted by Meta.
    local_file_hint="pass link= (a public URL) or id= (a media id Meta holds) instead",
)
"""What Magpipe can express of Meta's components: all of it (they reach Meta untouched).

Example::

    cloudapi.build_components(Template("hello", header="Hi"), TEMPLATE_RULES)
"""


def build_components(template: Template) -> list[Any] | None:
    """Meta components for ``template``, or None when it has no parameters at all.

    Example::

        build_components(Template("hello"))  # None: the components key is left out
    """
    return cloudapi.build_components(template, TEMPLATE_RULES)
