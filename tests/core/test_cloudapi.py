"""The Cloud API format module as plain functions: the builder under each provider's rules,
Meta's limits and parameter-name rule, the raw passthrough, the checks, and the titles."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import msgspec
import pytest

from whatsapp_async.provider import (
    Document,
    Image,
    Location,
    Template,
    TemplateButton,
    UnsupportedFeature,
    ValidationError,
    Video,
    cloudapi,
)
from whatsapp_async.provider.cloudapi import TemplateRules, build_components
from whatsapp_async_providers.gateway.templates import TEMPLATE_RULES as GATEWAY
from whatsapp_async_providers.magpipe.components import TEMPLATE_RULES as MAGPIPE
from whatsapp_async_providers.meta.build import TEMPLATE_RULES as META

ROOT = Path(__file__).resolve().parents[2]
EVERY_PROVIDER = [META, MAGPIPE, GATEWAY]
FULL = [META, MAGPIPE]  # the providers that express every parameter kind


def wire(template: Template, rules: TemplateRules) -> bytes:
    return msgspec.json.encode(build_components(template, rules))


def refusal(template: Template, rules: TemplateRules) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        build_components(template, rules)
    assert caught.value.provider == rules.provider
    return caught.value


# -- what each provider passes in ----------------------------------------------------------------
def test_each_provider_passes_its_name_and_what_it_can_express() -> None:
    assert [r.provider for r in EVERY_PROVIDER] == ["meta", "magpipe", "gateway"]
    assert META.parameter_kinds == MAGPIPE.parameter_kinds == cloudapi.PARAMETER_KINDS
    assert {
        "text",
        "currency",
        "date_time",
        "image",
        "video",
        "document",
        "location",
        "product",
    } == cloudapi.PARAMETER_KINDS
    assert META.button_kinds == MAGPIPE.button_kinds == cloudapi.BUTTON_KINDS
    assert META.component_kinds == MAGPIPE.component_kinds == {"carousel", "limited_time_offer"}
    assert GATEWAY.parameter_kinds == {"text"}
    assert GATEWAY.button_kinds == {"quick_reply", "url", "copy_code"}
    assert GATEWAY.component_kinds == frozenset()
    assert "upload_media" in META.local_file_hint and "upload_media" not in MAGPIPE.local_file_hint


# -- the bytes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
def test_text_parameters_and_buttons_encode_the_same_bytes_for_everyone(
    rules: TemplateRules,
) -> None:
    template = Template(
        "order_update",
        header="Order",
        body=["Ada", "#1234"],
        buttons=[
            TemplateButton(sub_type="url", value="track/1234"),
            TemplateButton(sub_type="quick_reply", value="STOP", index=2),
            TemplateButton(sub_type="copy_code", value="SPRING20", index=1),
        ],
    )
    assert wire(template, rules) == (
        b'[{"type":"header","parameters":[{"type":"text","text":"Order"}]},'
        b'{"type":"body","parameters":[{"type":"text","text":"Ada"},{"type":"text","text":"#1234"}]},'
        b'{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"track/1234"}]},'
        b'{"type":"button","sub_type":"quick_reply","index":"2","parameters":[{"type":"payload","payload":"STOP"}]},'
        b'{"type":"button","sub_type":"copy_code","index":"1","parameters":[{"type":"coupon_code","coupon_code":"SPRING20"}]}]'
    )


@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
def test_named_parameters_put_parameter_name_next_to_type(rules: TemplateRules) -> None:
    template = Template("welcome", body={"first_name": "Ada", "order_id": "#1"})
    assert wire(template, rules) == (
        b'[{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ada"},'
        b'{"type":"text","parameter_name":"order_id","text":"#1"}]}]'
    )


@pytest.mark.parametrize("rules", FULL, ids=lambda r: r.provider)
@pytest.mark.parametrize(
    ("header", "parameter"),
    [
        (
            Image(link="https://x.test/a.png"),
            b'{"type":"image","image":{"link":"https://x.test/a.png"}}',
        ),
        (Video(id="1013859600285441"), b'{"type":"video","video":{"id":"1013859600285441"}}'),
        (
            Document(id="9", filename="report.pdf"),
            b'{"type":"document","document":{"id":"9","filename":"report.pdf"}}',
        ),
        # An empty filename tells the recipient nothing: it is left out.
        (Document(id="9", filename=""), b'{"type":"document","document":{"id":"9"}}'),
        (
            Location(37.48, -122.15, name="HQ", address="1 Way"),
            b'{"type":"location","location":{"latitude":37.48,"longitude":-122.15,'
            b'"name":"HQ","address":"1 Way"}}',
        ),
    ],
)
def test_media_and_location_headers(rules: TemplateRules, header: Any, parameter: bytes) -> None:
    assert wire(Template("t", header=header), rules) == (
        b'[{"type":"header","parameters":[' + parameter + b"]}]"
    )


@pytest.mark.parametrize(
    "header", [Image(id="1"), Video(id="1"), Document(id="1"), Location(1.0, 2.0)]
)
def test_the_gateway_refuses_kinds_it_does_not_document(header: Any) -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        build_components(Template("t", header=header), GATEWAY)
    assert caught.value.provider == "gateway"
    assert caught.value.feature == f"template.header.{header.kind}"
    assert "documents text template parameters only" in str(caught.value)


def test_no_parameters_is_none_and_the_gateway_still_sends_a_list() -> None:
    from whatsapp_async_providers.gateway.templates import build_components as gateway_build

    assert build_components(Template("hello_world"), META) is None
    assert gateway_build(Template("hello_world")) == []


def test_a_local_file_in_a_header_is_unsupported_with_the_provider_hint() -> None:
    header = Image(file=b"\x89PNG", mime_type="image/png")
    for rules in FULL:
        with pytest.raises(UnsupportedFeature) as caught:
            build_components(Template("t", header=header), rules)
        assert caught.value.feature == "file" and caught.value.provider == rules.provider
        assert rules.local_file_hint in str(caught.value)


# -- Meta's rules, the same under every provider ---------------------------------------------------
@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
@pytest.mark.parametrize("name", ["a", "first_name", "_", "n" * 20])
def test_documented_parameter_names_pass(rules: TemplateRules, name: str) -> None:
    assert build_components(Template("t", body={name: "Ada"}), rules)


@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
@pytest.mark.parametrize("name", ["name1", "First", "first name", "n" * 21, "", "name\n"])
def test_parameter_names_outside_a_z_underscore_1_to_20_are_refused(
    rules: TemplateRules, name: str
) -> None:
    error = refusal(Template("t", body={name: "Ada"}), rules)
    assert error.field == f"template.body[{name!r}]"
    assert "lowercase a-z" in str(error)


@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
@pytest.mark.parametrize(
    ("template", "field", "says"),
    [
        (Template("t", header="h" * 61), "template.header", "at most 60"),
        (Template("t", header=" "), "template.header", "empty"),
        (Template("t", header="H", body=["a" * 1025]), "template.body[0]", "at most 1024"),
        (
            Template("t", body=["a" * 1025], buttons=[TemplateButton(sub_type="url", value="1")]),
            "template.body[0]",
            "at most 1024",
        ),
        (Template("t", body=["a" * 32769]), "template.body[0]", "at most 32768"),
        (Template("t", body=["Ada", " "]), "template.body[1]", "empty"),
        (Template("t", header="Hi", body={"name": "Ada"}), "template.header", "components="),
        (
            Template("t", buttons=[TemplateButton(sub_type="url", value="1", index=10)]),
            "template.buttons[0].index",
            "0 to 9",
        ),
        (
            Template("t", buttons=[TemplateButton(sub_type="flow", value="1")]),  # type: ignore[arg-type]
            "template.buttons[0].sub_type",
            "quick_reply, url, copy_code",
        ),
        (
            Template("t", buttons=[TemplateButton(sub_type="url", value=" ")]),
            "template.buttons[0].value",
            "empty",
        ),
        (
            Template(
                "t",
                buttons=[
                    TemplateButton(sub_type="url", value="a"),
                    TemplateButton(sub_type="quick_reply", value="b", index=0),
                ],
            ),
            "template.buttons",
            "unique",
        ),
    ],
)
def test_meta_limits_are_checked_before_any_request(
    rules: TemplateRules, template: Template, field: str, says: str
) -> None:
    error = refusal(template, rules)
    assert (error.field, says in str(error)) == (field, True)


def test_wrongly_typed_buttons_are_refused_when_the_template_is_built() -> None:
    with pytest.raises(ValidationError, match="index must be an integer"):
        TemplateButton(sub_type="url", value="1", index=True)
    with pytest.raises(ValidationError, match=r"template.buttons\[0\] must be a TemplateButton"):
        Template("t", buttons=["url"])  # type: ignore[list-item]


@pytest.mark.parametrize("rules", FULL, ids=lambda r: r.provider)
def test_a_media_header_takes_no_caption(rules: TemplateRules) -> None:
    error = refusal(Template("t", header=Image(id="1", caption="no")), rules)
    assert error.field == "template.header.caption" and "no caption" in str(error)


@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
def test_limits_are_inclusive(rules: TemplateRules) -> None:
    assert build_components(Template("t", header="h" * 60, body=["a" * 1024]), rules)
    assert build_components(Template("t", body=["a" * 32768]), rules)
    button = TemplateButton(sub_type="url", value="1", index=cloudapi.TEMPLATE_BUTTON_INDEX_MAX)
    assert build_components(Template("t", buttons=[button]), rules)


# -- raw components= ----------------------------------------------------------------------------
@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
def test_raw_components_pass_through_as_plain_dicts(rules: TemplateRules) -> None:
    raw = ({"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},)
    assert build_components(Template("t", components=raw), rules) == [dict(raw[0])]
    assert build_components(Template("t", components=[]), rules) == []


@pytest.mark.parametrize("rules", EVERY_PROVIDER, ids=lambda r: r.provider)
@pytest.mark.parametrize(
    ("components", "says"),
    [
        ([{"type": "body"}, "header"], "must be a JSON object"),
        ([{"parameters": []}], "needs a string 'type'"),
        ([{"type": "body", "parameters": [object()]}], "JSON values only"),
        ("body", "must be a list"),
    ],
)
def test_raw_components_that_meta_would_refuse_are_refused(
    rules: TemplateRules, components: Any, says: str
) -> None:
    error = refusal(Template("t", components=components), rules)
    assert error.field == "template.components" and says in str(error)


# -- the checks -----------------------------------------------------------------------------------
def test_checks_carry_the_provider_they_are_given() -> None:
    checks = [
        lambda p: cloudapi.check_max_length("text.body", "x" * 4097, 4096, provider=p),
        lambda p: cloudapi.check_not_blank("row.id", "  ", provider=p),
        lambda p: cloudapi.check_not_blank("row.id", None, provider=p),
        lambda p: cloudapi.check_unique("rows", ["a", "b", "a"], "row ids", provider=p),
        lambda p: cloudapi.check_emoji("reaction.emoji", "ok", provider=p),
    ]
    for check in checks:
        with pytest.raises(ValidationError) as caught:
            check("acme")
        assert caught.value.provider == "acme" and caught.value.field
    cloudapi.check_max_length("text.body", "x" * 4096, 4096, provider="acme")
    for emoji in ("", "👍", "👍🏽", "🇧🇷", "1️⃣", "👩‍💻"):
        cloudapi.check_emoji("reaction.emoji", emoji, provider="acme")


def test_limits_are_metas_documented_values() -> None:
    assert (cloudapi.TEXT_BODY_MAX, cloudapi.CAPTION_MAX) == (4096, 1024)
    assert (cloudapi.BUTTONS_MAX, cloudapi.BUTTON_TITLE_MAX, cloudapi.BUTTON_ID_MAX) == (3, 20, 256)
    assert (cloudapi.LIST_SECTIONS_MAX, cloudapi.LIST_ROWS_MAX, cloudapi.ROW_ID_MAX) == (
        10,
        10,
        200,
    )
    assert (cloudapi.TEMPLATE_HEADER_TEXT_MAX, cloudapi.TEMPLATE_BODY_PARAM_MAX) == (60, 1024)
    assert cloudapi.TEMPLATE_BODY_ONLY_PARAM_MAX == 32768
    assert cloudapi.TEMPLATE_PARAM_NAME.pattern == "^[a-z_]{1,20}$"


# -- titles ----------------------------------------------------------------------------------------
def test_titles_are_metas_and_unknown_codes_get_a_title_too() -> None:
    assert cloudapi.error_title(131047) == "Re-engagement message"
    assert cloudapi.error_title(130429) == "Rate limit hit"
    assert cloudapi.error_title(190) == "Access token has expired"
    assert cloudapi.error_title(1) == "API Unknown"
    assert cloudapi.error_title(424242) == "Unknown error"


def test_every_code_a_simulator_answers_with_has_a_title() -> None:
    # The codes the Meta and Magpipe simulators produce (faults by default, rejections).
    for code in (100, 131008, 131009, 131026, 131047, 131053, 131056, 132000, 132001, 2, 10):
        assert cloudapi.error_title(code) != "Unknown error", code


# -- who imports what ---------------------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "providers").glob("*/sim*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_simulator_imports_the_adapter_it_checks(path: Path) -> None:
    imported = _imports(path)
    assert ".provider" not in imported
    assert not any(name.startswith(("whatsapp_async_providers", "providers")) for name in imported)


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "whatsapp_async/provider/cloudapi/_limits.py",
        ROOT / "whatsapp_async/provider/cloudapi/_titles.py",
        ROOT / "whatsapp_async/provider/cloudapi/_codes.py",
        ROOT / "providers/magpipe/api.py",
    ],
    ids=lambda p: p.name,
)
def test_shared_constants_are_leaves(path: Path) -> None:
    # A leaf may read the SDK's constants and errors, never an adapter or a simulator.
    for name in _imports(path) - {"__future__", "re"}:
        assert name in ("...errors", "whatsapp_async.provider.cloudapi"), name
