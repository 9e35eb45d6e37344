"""Template sends checked against the approved template, before any request."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    APIError,
    CatalogButton,
    Currency,
    FlowButton,
    Image,
    LimitedTimeOffer,
    Location,
    ProductHeader,
    Template,
    TemplateButton,
    TemplateCard,
    TemplateComponentInfo,
    TemplateInfo,
    TemplateMismatch,
    ValidationError,
)
from whatsapp_async._template_check import check_template, placeholders


def info(*components: TemplateComponentInfo, status: str = "APPROVED") -> TemplateInfo:
    return TemplateInfo(name="t", language="en_US", status=status, components=list(components))


BODY2 = TemplateComponentInfo(type="BODY", text="Hi {{1}}, order {{2}} shipped ({{1}})")
NAMED = TemplateComponentInfo(type="BODY", text="Hi {{first_name}}, code {{code}}")
TEXT_HEADER = TemplateComponentInfo(type="HEADER", format="TEXT", text="Order {{1}}")
IMAGE_HEADER = TemplateComponentInfo(type="HEADER", format="IMAGE")
BUTTONS = TemplateComponentInfo(
    type="BUTTONS",
    buttons=[{"type": "QUICK_REPLY", "text": "Stop"}, {"type": "URL", "url": "https://x/{{1}}"}],
)


def test_placeholders() -> None:
    assert placeholders("a {{1}} b {{ 2 }} {{1}}") == ["1", "2"]
    assert placeholders(None) == []


def test_matching_sends_pass() -> None:
    check_template(Template("t", body=["Ada", "#1"]), info(BODY2), provider="p")
    check_template(Template("t", body={"first_name": "A", "code": "1"}), info(NAMED), provider="p")
    check_template(
        Template(
            "t",
            body=["Ada", "#1"],
            header="#1",
            buttons=[TemplateButton(sub_type="url", value="abc", index=1)],
        ),
        info(TEXT_HEADER, BODY2, BUTTONS),
        provider="p",
    )
    check_template(
        Template("t", header=Image(link="https://x/y.png")), info(IMAGE_HEADER), provider="p"
    )
    check_template(Template("t", components=[{"type": "body"}]), info(BODY2), provider="p")


@pytest.mark.parametrize(
    ("template", "approved", "message"),
    [
        (Template("t", body=["Ada"]), info(BODY2), "body takes 2 parameters, got 1"),
        (Template("t", body={"a": "b"}), info(BODY2), "positional parameters"),
        (Template("t", body={"first_name": "A"}), info(NAMED), "missing code"),
        (
            Template("t", body={"first_name": "A", "code": "1", "x": "y"}),
            info(NAMED),
            "unknown x",
        ),
        (Template("t", body=["a", "b"]), info(NAMED), "named parameters"),
        (Template("t", body=["a", "b"]), info(BODY2, status="PAUSED"), "is PAUSED"),
        (Template("t", body=["a", "b"], header="x"), info(BODY2), "has no header"),
        (Template("t", body=["a", "b"]), info(TEXT_HEADER, BODY2), "header takes a text"),
        (Template("t"), info(IMAGE_HEADER), "header is IMAGE"),
        (Template("t", header=Location(1, 2)), info(IMAGE_HEADER), "got Location"),
        (
            Template("t", body=["a", "b"], buttons=[TemplateButton(sub_type="url", value="v")]),
            info(BODY2, BUTTONS),
            "button 0 is QUICK_REPLY",
        ),
        (
            Template(
                "t",
                body=["a", "b"],
                buttons=[TemplateButton(sub_type="quick_reply", value="v", index=5)],
            ),
            info(BODY2, BUTTONS),
            "no button index 5",
        ),
    ],
)
def test_mismatches_are_named(template: Template, approved: TemplateInfo, message: str) -> None:
    with pytest.raises(TemplateMismatch, match=message) as err:
        check_template(template, approved, provider="p")
    # A local check: a ValidationError (nothing was sent, no HTTP status), still a template one.
    assert isinstance(err.value, ValidationError) and not isinstance(err.value, APIError)
    assert err.value.provider == "p" and err.value.template == template.name
    assert err.value.details == {"template": template.name, "language": template.language}


def test_unknown_template() -> None:
    with pytest.raises(TemplateMismatch, match="not in the provider's template listing"):
        check_template(Template("t"), None, provider="p")


# -- the richer templates -------------------------------------------------------------------------
def test_rich_sends_that_fit_pass() -> None:
    one = TemplateComponentInfo(type="BODY", text="{{1}} is your code.")
    otp = TemplateComponentInfo(type="BUTTONS", buttons=[{"type": "OTP", "otp_type": "ONE_TAP"}])
    check_template(Template("t", otp="123456"), info(one, otp), provider="p")
    action_buttons = TemplateComponentInfo(
        type="BUTTONS", buttons=[{"type": "FLOW"}, {"type": "CATALOG"}]
    )
    check_template(
        Template(
            "t",
            body=[Currency(amount_1000=1, code="EUR", fallback_value="x")],
            buttons=[FlowButton(flow_token="t"), CatalogButton(thumbnail_product_retailer_id="s")],
        ),
        info(one, action_buttons),
        provider="p",
    )
    product = TemplateComponentInfo(type="HEADER", format="PRODUCT")
    check_template(
        Template("t", header=ProductHeader(catalog_id="1", product_retailer_id="s")),
        info(product),
        provider="p",
    )
    named = TemplateComponentInfo(type="HEADER", format="TEXT", text="Order {{order_id}}")
    check_template(Template("t", header={"order_id": "1"}), info(named), provider="p")
    card = TemplateCard(header=Image(id="1"))
    check_template(
        Template("t", cards=[card, card]),
        info(TemplateComponentInfo(type="CAROUSEL")),
        provider="p",
    )
    check_template(
        Template("t", offer=LimitedTimeOffer(expiration_time_ms=1)),
        info(TemplateComponentInfo(type="LIMITED_TIME_OFFER")),
        provider="p",
    )


def test_rich_mismatches_are_named() -> None:
    card = TemplateCard(header=Image(id="1"))
    with pytest.raises(TemplateMismatch, match="not a carousel"):
        check_template(
            Template("t", body=["a", "b"], cards=[card, card]), info(BODY2), provider="p"
        )
    with pytest.raises(TemplateMismatch, match="is a carousel"):
        check_template(Template("t"), info(TemplateComponentInfo(type="CAROUSEL")), provider="p")
    with pytest.raises(TemplateMismatch, match="not a limited-time offer"):
        check_template(
            Template("t", offer=LimitedTimeOffer(expiration_time_ms=1)), info(), provider="p"
        )
    with pytest.raises(TemplateMismatch, match="button 0 is QUICK_REPLY, not FLOW"):
        check_template(
            Template("t", buttons=[FlowButton(flow_token="t")]), info(BUTTONS), provider="p"
        )
    with pytest.raises(TemplateMismatch, match="body takes 2 parameters, got 1"):
        check_template(Template("t", otp="123456"), info(BODY2), provider="p")
    named = TemplateComponentInfo(type="HEADER", format="TEXT", text="Order {{order_id}}")
    with pytest.raises(TemplateMismatch, match="unknown order"):
        check_template(Template("t", header={"order": "1"}), info(named), provider="p")
