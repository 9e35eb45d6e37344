"""Templates on Meta: create and delete over real HTTP, and ``check_templates=True``.

With ``check_templates`` every kind of mismatch between a ``Template`` send and the
approved listing raises ``TemplateMismatch`` with no send request at all; matching sends go
out; the listing is read across several pages.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from whatsapp_async import (
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    Document,
    HttpResponse,
    Image,
    NotFoundError,
    Template,
    TemplateButton,
    TemplateError,
    TemplateMismatch,
    ValidationError,
    Video,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta import MetaProvider, MetaSettings
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.meta.template_admin import CreatedTemplate

from .conftest import TO

WABA = "102290129340398"
TEMPLATES_PATH = f"/{API}/{WABA}/message_templates"
COMPONENTS: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
    {
        "type": "BODY",
        "text": "Hi {{1}}, your order {{2}} is ready for pickup.",
        "example": {"body_text": [["Ada", "#1234"]]},
    },
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Thanks"}]},
]


def _sends(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests("meta") if r.method == "POST" and r.path.endswith("/messages")]


def _listings(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests("meta") if r.method == "GET" and r.path == TEMPLATES_PATH]


# -- create / delete -----------------------------------------------------------------------------
async def test_create_list_send_delete_round_trip(sb: Sandbox, sim: MetaSimulator) -> None:
    wa = sb.client("meta", max_retries=0)

    created = await wa.call("create_template", "pickup_ready", "en_US", "utility", COMPONENTS)

    [create] = sb.requests("meta")
    assert (create.method, create.path) == ("POST", TEMPLATES_PATH)
    assert create.headers["Content-Type"] == "application/json"
    assert create.json == {
        "name": "pickup_ready",
        "language": "en_US",
        "category": "UTILITY",
        "components": COMPONENTS,
    }
    assert isinstance(created, CreatedTemplate)
    assert (created.status, created.category) == ("APPROVED", "UTILITY")
    assert created.id.isdigit()

    listed = {(t.name, t.language): t for t in await wa.list_templates()}
    template = listed[("pickup_ready", "en_US")]
    assert (template.id, template.status) == (created.id, "APPROVED")
    assert [c.type for c in template.components] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]

    result = await wa.send(
        TO,
        Template(
            "pickup_ready",
            header="#1234",
            body=["Ada", "#1234"],
            buttons=[TemplateButton(sub_type="quick_reply", value="thanks")],
        ),
    )
    assert result.id.startswith("wamid.")

    sb.reset("meta")
    assert await wa.call("delete_template", "pickup_ready") is None
    [delete] = sb.requests("meta")
    assert (delete.method, delete.path, delete.query) == (
        "DELETE",
        TEMPLATES_PATH,
        {"name": "pickup_ready"},
    )
    assert ("pickup_ready", "en_US") not in {
        (t.name, t.language) for t in await wa.list_templates()
    }
    with pytest.raises(TemplateError) as gone:
        await wa.send(TO, Template("pickup_ready", header="#1", body=["Ada", "#1"]))
    assert gone.value.code == 132001


async def test_delete_by_template_id_removes_only_that_language(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", max_retries=0)
    spanish = sim.templates.find("order_update", "es")
    assert spanish is not None

    await wa.call("delete_template", "order_update", template_id=spanish.id)

    assert sb.requests("meta")[0].query == {"name": "order_update", "hsm_id": spanish.id}
    assert sim.templates.find("order_update", "es") is None
    assert sim.templates.find("order_update", "en_US") is not None


async def test_a_new_template_can_start_pending(sb: Sandbox, sim: MetaSimulator) -> None:
    sim.new_template_status = "PENDING"
    wa = sb.client("meta", check_templates=True, max_retries=0)
    body = [{"type": "BODY", "text": "Welcome aboard, {{name}}!"}]

    created = await wa.call(
        "create_template", "welcome_named", "en_US", "MARKETING", body, parameter_format="named"
    )

    assert created.status == "PENDING"
    assert sb.requests("meta")[0].json["parameter_format"] == "NAMED"
    with pytest.raises(TemplateMismatch) as caught:
        await wa.send(TO, Template("welcome_named", body={"name": "Ada"}))
    assert "PENDING, not APPROVED" in str(caught.value)
    assert _sends(sb) == []


async def test_meta_refuses_a_second_template_with_the_same_name_and_language(
    sb: Sandbox,
) -> None:
    wa = sb.client("meta", max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        await wa.call("create_template", "order_update", "en_US", "UTILITY", COMPONENTS)
    error = msgspec.json.decode(caught.value.body)["error"]
    assert (caught.value.code, error["error_subcode"]) == (100, 2388024)


@pytest.mark.parametrize(
    ("components", "text"),
    [
        ([{"type": "FOOTER", "text": "x"}], "exactly one BODY"),
        ([{"type": "BODY", "text": "a"}, {"type": "BODY", "text": "b"}], "exactly one BODY"),
        ([{"type": "BODY"}], "text is required"),
        ([{"type": "HEADER", "format": "GIF"}, {"type": "BODY", "text": "a"}], "format"),
        ([{"type": "BODY", "text": "Hi {{name}}"}], "parameter_format NAMED"),
        ([{"type": "BUTTONS", "buttons": []}, {"type": "BODY", "text": "a"}], "non-empty"),
        ([{"type": "CAROUSEL"}], "one of HEADER, BODY, FOOTER, BUTTONS"),
    ],
)
async def test_the_simulator_checks_template_shapes(
    sb: Sandbox, components: list[dict[str, Any]], text: str
) -> None:
    wa = sb.client("meta", max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        await wa.call("create_template", "shape_check", "en_US", "UTILITY", components)
    assert caught.value.code == 100
    assert text in str(caught.value.details)


async def test_deleting_an_unknown_template_is_not_found(sb: Sandbox) -> None:
    with pytest.raises(NotFoundError) as caught:
        await sb.client("meta", max_retries=0).call("delete_template", "no_such_template")
    assert (caught.value.status, caught.value.code) == (404, 100)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("Order Update", "en_US", "UTILITY", COMPONENTS), {}, "name"),
        (("x" * 513, "en_US", "UTILITY", COMPONENTS), {}, "name"),
        (("ok_name", " ", "UTILITY", COMPONENTS), {}, "language"),
        (("ok_name", "en_US", "PROMOTIONAL", COMPONENTS), {}, "category"),
        (("ok_name", "en_US", "UTILITY", []), {}, "components"),
        (("ok_name", "en_US", "UTILITY", {"type": "BODY"}), {}, "components"),
        (("ok_name", "en_US", "UTILITY", [{"text": "no type"}]), {}, "components[0]"),
        (("ok_name", "en_US", "UTILITY", [{"type": "BODY", "x": object()}]), {}, "components"),
        (("ok_name", "en_US", "UTILITY", COMPONENTS), {"parameter_format": "MIXED"}, None),
    ],
)
async def test_create_arguments_are_checked_before_any_request(
    sb: Sandbox, args: tuple[Any, ...], kwargs: dict[str, Any], field: str | None
) -> None:
    with pytest.raises(ValidationError) as caught:
        await sb.client("meta").call("create_template", *args, **kwargs)
    assert caught.value.field == (field or "parameter_format")
    assert sb.requests("meta") == []


async def test_delete_arguments_are_checked_before_any_request(sb: Sandbox) -> None:
    wa = sb.client("meta")
    with pytest.raises(ValidationError):
        await wa.call("delete_template", "Bad Name")
    with pytest.raises(ValidationError):
        await wa.call("delete_template", "order_update", template_id="")
    assert sb.requests("meta") == []


async def test_template_management_needs_the_waba_id(sb: Sandbox) -> None:
    settings = {k: v for k, v in sb.settings("meta").items() if k != "waba_id"}
    wa = sb.client("meta", **{**settings, "waba_id": None})
    for operation, args in (
        ("create_template", ("promo", "en_US", "MARKETING", COMPONENTS)),
        ("delete_template", ("promo",)),
    ):
        with pytest.raises(ConfigurationError) as caught:
            await wa.call(operation, *args)
        assert "waba_id" in str(caught.value)
    assert sb.requests("meta") == []


def test_parsing_template_answers() -> None:
    provider = MetaProvider(
        MetaSettings(token="EAAtest-token-123", phone_number_id="1", waba_id=WABA)
    )
    created = provider.parse_create_template(
        HttpResponse(status=200, body=b'{"id":"1689556908129832","status":"PENDING"}')
    )
    assert (created.id, created.status, created.category) == ("1689556908129832", "PENDING", None)
    for body in (b"", b"<html>", b'{"status":"PENDING"}', b"[1]"):
        with pytest.raises(APIStatusError):
            provider.parse_create_template(HttpResponse(status=200, body=body))
    provider.parse_delete_template(HttpResponse(status=200, body=b'{"success":true}'))
    with pytest.raises(APIStatusError):
        provider.parse_delete_template(HttpResponse(status=200, body=b'{"success":false}'))


# -- check_templates=True ------------------------------------------------------------------------
MISMATCHES: list[tuple[str, Template, str]] = [
    ("unknown-name", Template("no_such_template"), "not in the provider's template listing"),
    (
        "unknown-language",
        Template("order_update", language="fr", body=["Ada", "#1"]),
        "not in the provider's template listing",
    ),
    (
        "not-approved",
        Template("summer_teaser", header=Video(link="https://cdn.example/v.mp4")),
        "PAUSED, not APPROVED",
    ),
    ("body-count", Template("order_update", body=["Ada"]), "body takes 2 parameters, got 1"),
    (
        "header-parameter-missing",
        Template("appointment_reminder", body=["Monday", "10:00"]),
        "header takes a text parameter",
    ),
    (
        "header-fixed-text",
        Template("hello_world", header="Hi there"),
        "header is fixed text and takes no parameter",
    ),
    (
        "named-names",
        Template("delivery_named", body={"first_name": "Ada", "order": "#1"}),
        "missing order_id; unknown order",
    ),
    (
        "named-given-a-list",
        Template("delivery_named", body=["Ada", "#1"]),
        "takes named parameters",
    ),
    (
        "positional-given-names",
        Template("order_update", body={"name": "Ada", "order": "#1"}),
        "positional parameters",
    ),
    (
        "header-format",
        Template("receipt_document", header=Image(link="https://cdn.example/r.png"), body=["Ada"]),
        "header is DOCUMENT",
    ),
    (
        "header-media-missing",
        Template("spring_sale", body=["20%"]),
        "header is IMAGE: pass header=Image(...), got nothing",
    ),
    (
        "button-index",
        Template(
            "order_tracking",
            body=["PKG-1"],
            buttons=[TemplateButton(sub_type="url", value="PKG-1", index=1)],
        ),
        "there is no button index 1",
    ),
    (
        "button-kind",
        Template(
            "spring_sale",
            header=Image(link="https://cdn.example/sale.png"),
            body=["20%"],
            buttons=[TemplateButton(sub_type="quick_reply", value="stop", index=0)],
        ),
        "button 0 is COPY_CODE, not QUICK_REPLY",
    ),
]

MATCHING: list[Template] = [
    Template("order_update", body=["Ada", "#1234"]),
    Template("order_update", language="es", body=["Ada", "#1234"]),
    Template("hello_world"),
    Template("appointment_reminder", header="Ada", body=["Monday", "10:00"]),
    Template("delivery_named", body={"first_name": "Ada", "order_id": "#1"}),
    Template(
        "order_tracking",
        body=["PKG-1"],
        buttons=[TemplateButton(sub_type="url", value="PKG-1", index=0)],
    ),
    Template(
        "receipt_document",
        header=Document(link="https://cdn.example/r.pdf", filename="r.pdf"),
        body=["Ada"],
    ),
    Template(
        "spring_sale",
        header=Image(link="https://cdn.example/sale.png"),
        body=["20%"],
        buttons=[
            TemplateButton(sub_type="copy_code", value="SPRING20", index=0),
            TemplateButton(sub_type="quick_reply", value="stop", index=1),
        ],
    ),
]


async def test_check_templates_catches_every_mismatch_before_any_send(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    sim.page_size = 3
    wa = sb.client("meta", check_templates=True, max_retries=0)

    for case, template, text in MISMATCHES:
        with pytest.raises(TemplateMismatch) as caught:
            await wa.send(TO, template)
        assert text in str(caught.value), case
        assert caught.value.provider == "meta"

    assert _sends(sb) == []
    listings = _listings(sb)
    pages = -(-len(sim.templates.templates) // sim.page_size)
    assert len(listings) == pages >= 2  # read once (cached), page by page
    assert "after" not in listings[0].query
    assert all("after" in page.query for page in listings[1:])

    for template in MATCHING:
        result = await wa.send(TO, template)
        assert result.id.startswith("wamid.")
    assert len(_sends(sb)) == len(MATCHING)
    assert len(_listings(sb)) == pages  # still the one cached listing


async def test_without_check_templates_meta_itself_rejects_the_same_send(sb: Sandbox) -> None:
    wa = sb.client("meta", max_retries=0)
    with pytest.raises(TemplateError) as caught:
        await wa.send(TO, Template("order_update", body=["Ada"]))
    assert caught.value.code == 132000
    assert len(_sends(sb)) == 1
    assert _listings(sb) == []
