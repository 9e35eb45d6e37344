"""Meta's own request examples (from its OpenAPI spec), rebuilt with our model: same JSON.

Every example in ``fixtures/spec_request_examples.json`` is either rebuilt here or listed
in ``NOT_EXPRESSIBLE`` with the reason, so a new example cannot be skipped silently.

The comparison is exact except for three documented normalisations of the *expected*
side, each forced by the example rather than by us:

- Meta's placeholder links (``"http(s)://image-url"``, ``"<http(s)://audio-url>"``) are not
  URLs and the model refuses non-http(s) links by design, so each is replaced by a real
  URL on both sides (``LINKS``);
- the SDK always sends ``recipient_type``; where an example leaves it out, Meta's default
  ``"individual"`` is filled in;
- the two examples the spec's README lists as missing ``type`` get it added;
- the multi-product example's header type placeholder ``<HEADER_TYPE>`` becomes ``text``, the
  only header a product list takes.

Meta's own Flow examples carry a 23-character ``flow_cta`` ("Not shown in draft mode"): they
are built with ``flow_cta_max=30`` (the spec's limit), the setting that allows it.

Raw ``components=`` passthrough cases take the example's components (that is what a
passthrough is for); everything around them is built by the SDK.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Catalog,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    Document,
    Flow,
    FlowButton,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Product,
    ProductList,
    ProductSection,
    Reaction,
    ReplyButton,
    SendOptions,
    Sticker,
    Template,
    Text,
    Video,
)
from whatsapp_async_providers.meta.build import build_message, encode_body
from whatsapp_async_providers.meta.provider import MetaProvider
from whatsapp_async_providers.meta.settings import MetaSettings

from .conftest import load_json, schema_errors

EXAMPLES: dict[str, dict[str, Any]] = load_json("spec_request_examples.json")

LINKS = {
    "<http(s)://audio-url>": "https://media.example/audio.ogg",
    "http(s)://audio-url": "https://media.example/audio.ogg",
    "<http(s)://document-url>": "https://media.example/document.pdf",
    "http(s)://image-url": "https://media.example/image.jpg",
    "<http(s)://sticker-url>": "https://media.example/sticker.webp",
    "<http(s)://video-url>": "https://media.example/video.mp4",
}

NOT_EXPRESSIBLE = {
    "Send Order Details Message": "interactive order_details (payments) is not in the model",
    "Send Order Status Message": "interactive order_status (payments) is not in the model",
    "Send typing indicator and read receipt": "a mark-read request: see test_mark_read_example",
}

# Examples the spec's own schema refuses (its defects, see fixtures/README.md): button
# sub_types outside its enum (CATALOG in capitals, flow), quick replies whose "text" is a
# boolean.
SCHEMA_REJECTS = {
    "Send Catalog Template Message",
    "Send Flow Template Message",
    "Send Sample Issue Resolution Template",
}

REPLY = "<MSGID_OF_MSG_YOU_ARE_REPLYING_TO>"
PREV = "<MSGID_OF_PREV_MSG>"

_JOHN_SMITH = Contact(
    name=ContactName(
        formatted_name="John Smith",
        first_name="John",
        last_name="Smith",
        middle_name="D.",
        prefix="Dr",
        suffix="Jr",
    ),
    addresses=(
        ContactAddress(
            city="Menlo Park",
            country="United States",
            country_code="us",
            state="CA",
            street="1 Hacker Way",
            type="HOME",
            zip="94025",
        ),
        ContactAddress(
            city="Menlo Park",
            country="United States",
            country_code="us",
            state="CA",
            street="200 Jefferson Dr",
            type="WORK",
            zip="94025",
        ),
    ),
    birthday="2012-08-18",
    emails=(
        ContactEmail("test@fb.com", type="WORK"),
        ContactEmail("test@whatsapp.com", type="HOME"),
    ),
    org=ContactOrg(company="WhatsApp", department="Design", title="Manager"),
    phones=(
        ContactPhone("+1 (940) 555-1234", type="HOME"),
        ContactPhone("+1 (650) 555-1234", type="WORK", wa_id="16505551234"),
    ),
    urls=(
        ContactUrl("https://www.facebook.com", type="WORK"),
        ContactUrl("https://www.whatsapp.com", type="HOME"),
    ),
)

_LIST = ListMessage(
    "<BODY_TEXT>",
    "<BUTTON_TEXT>",
    [
        ListSection(
            "<LIST_SECTION_1_TITLE>",
            [
                ListRow(
                    "<LIST_SECTION_1_ROW_1_ID>", "<SECTION_1_ROW_1_TITLE>", "<SECTION_1_ROW_1_DESC>"
                ),
                ListRow(
                    "<LIST_SECTION_1_ROW_2_ID>", "<SECTION_1_ROW_2_TITLE>", "<SECTION_1_ROW_2_DESC>"
                ),
            ],
        ),
        ListSection(
            "<LIST_SECTION_2_TITLE>",
            [
                ListRow(
                    "<LIST_SECTION_2_ROW_1_ID>", "<SECTION_2_ROW_1_TITLE>", "<SECTION_2_ROW_1_DESC>"
                ),
                ListRow(
                    "<LIST_SECTION_2_ROW_2_ID>", "<SECTION_2_ROW_2_TITLE>", "<SECTION_2_ROW_2_DESC>"
                ),
            ],
        ),
    ],
    header="<HEADER_TEXT>",
    footer="<FOOTER_TEXT>",
)

_LOCATION = Location(
    37.758056, -122.425332, name="META HQ", address="1 Hacker Way, Menlo Park, CA 94025"
)


def _passthrough(name: str, **extra: Any) -> Callable[[], tuple[Any, SendOptions]]:
    """A raw-components template built around the example's own components."""

    def make() -> tuple[Any, SendOptions]:
        template = EXAMPLES[name]["template"]
        message = Template(
            template["name"],
            language=template["language"]["code"],
            components=copy.deepcopy(template["components"]),
        )
        return message, SendOptions(extra=extra or None)

    return make


def _plain(message: Any, reply_to: str | None = None) -> Callable[[], tuple[Any, SendOptions]]:
    return lambda: (message, SendOptions(reply_to=reply_to))


_DRAFT = "Not shown in draft mode"
_FLOW_DATA = {"<CUSTOM_KEY>": "<CUSTOM_VALUE>"}


def _flow(mode: str, **which: str) -> Flow:
    draft = mode == "draft"
    return Flow(
        body=_DRAFT if draft else "<BODY_TEXT>",
        cta=_DRAFT if draft else "Open Flow!",
        mode="draft" if draft else "published",
        screen="<SCREEN_ID>",
        data=_FLOW_DATA,
        flow_token="<FLOW_TOKEN>",
        header=_DRAFT if draft else "<HEADER_TEXT>",
        footer=_DRAFT if draft else "<FOOTER_TEXT>",
        **which,  # type: ignore[arg-type]
    )


_MULTI_PRODUCT = ProductList(
    "<YOUR_TEXT_BODY_CONTENT>",
    "146265584024623",
    [
        ProductSection(
            "<SECTION1_TITLE>",
            ["<YOUR_PRODUCT1_SKU_IN_CATALOG>", "<YOUR_SECOND_PRODUCT1_SKU_IN_CATALOG>"],
        ),
        ProductSection(
            "<SECTION2_TITLE>",
            ["<YOUR_PRODUCT2_SKU_IN_CATALOG>", "<YOUR_SECOND_PRODUCT2_SKU_IN_CATALOG>"],
        ),
    ],
    header="<YOUR_TEXT_HEADER_CONTENT>",
    footer="<YOUR_TEXT_FOOTER_CONTENT>",
)


CASES: dict[str, Callable[[], tuple[Any, SendOptions]]] = {
    "Send Audio Message by ID": _plain(Audio(id="<AUDIO_OBJECT_ID>")),
    "Send Audio Message by URL": _plain(Audio(link=LINKS["<http(s)://audio-url>"])),
    # Its button says CATALOG (capitals) and index 0 (a number): a passthrough keeps them; the
    # typed CatalogButton sends lower case and a string index (test_kinds.py).
    "Send Catalog Template Message": _passthrough("Send Catalog Template Message"),
    "Send Catalog Message": _plain(
        Catalog(
            body="Hello! Thanks for your interest. Ordering is easy. Just visit our catalog and "
            "add items to purchase.",
            thumbnail_product_retailer_id="2lc20305pt",
            footer="Best grocery deals on WhatsApp!",
        )
    ),
    "Send Draft Flow by ID": _plain(_flow("draft", flow_id="{{Flow-ID}}")),
    "Send Draft Flow by Name": _plain(_flow("draft", flow_name="{{Flow-Name}}")),
    "Send Published Flow by ID": _plain(_flow("published", flow_id="{{Flow-ID}}")),
    "Send Published Flow by Name": _plain(_flow("published", flow_name="{{Flow-Name}}")),
    "Send Multi-Product Message": _plain(_MULTI_PRODUCT),
    "Send Single Product Message": _plain(
        Product(
            catalog_id="367025965434465",
            product_retailer_id="<ID_TEST_ITEM_1>",
            body="<OPTIONAL_BODY_TEXT>",
            footer="<OPTIONAL_FOOTER_TEXT>",
        )
    ),
    "Send Contact Message": _plain(Contacts([_JOHN_SMITH])),
    "Send Document Message by ID": _plain(
        Document(
            id="<DOCUMENT_OBJECT_ID>",
            caption="<DOCUMENT_CAPTION_TO_SEND>",
            filename="<DOCUMENT_FILENAME>",
        )
    ),
    "Send Document Message by URL": _plain(
        Document(link=LINKS["<http(s)://document-url>"], caption="<DOCUMENT-CAPTION-TEXT>")
    ),
    "Send Flow Template Message": _plain(
        Template(
            "<TEMPLATE_NAME>",
            buttons=[FlowButton(flow_token="<FLOW_TOKEN>", data=_FLOW_DATA)],
        )
    ),
    "Send Image Message by ID": _plain(Image(id="<IMAGE_OBJECT_ID>")),
    "Send Image Message by URL": _plain(Image(link=LINKS["http(s)://image-url"])),
    "Send List Message": _plain(_LIST),
    "Send Location Message": _plain(_LOCATION),
    "Send Message Template Interactive": _passthrough("Send Message Template Interactive"),
    "Send Message Template Media": _passthrough("Send Message Template Media"),
    "Send Message Template Text": _passthrough("Send Message Template Text"),
    "Send Reply Button": _plain(
        Buttons(
            "<BUTTON_TEXT>",
            [
                ReplyButton("<UNIQUE_BUTTON_ID_1>", "<BUTTON_TITLE_1>"),
                ReplyButton("<UNIQUE_BUTTON_ID_2>", "<BUTTON_TITLE_2>"),
            ],
        )
    ),
    "Send Reply to Audio Message by ID": _plain(Audio(id="<AUDIO_OBJECT_ID>"), REPLY),
    "Send Reply to Audio Message by URL": _plain(Audio(link=LINKS["http(s)://audio-url"]), REPLY),
    "Send Reply to Contact Message": _plain(Contacts([_JOHN_SMITH]), PREV),
    "Send Reply to Document Message by ID": _plain(
        Document(
            id="<DOCUMENT_OBJECT_ID>",
            caption="<DOCUMENT_CAPTION_TO_SEND>",
            filename="<DOCUMENT_FILENAME>",
        ),
        REPLY,
    ),
    "Send Reply to Document Message by URL": _plain(
        Document(link=LINKS["<http(s)://document-url>"], caption="<DOCUMENT_CAPTION_TEXT>"), REPLY
    ),
    "Send Reply to Image Message by ID": _plain(Image(id="<IMAGE_OBJECT_ID>"), PREV),
    "Send Reply to Image Message by URL": _plain(Image(link=LINKS["http(s)://image-url"]), PREV),
    "Send Reply to List Message": _plain(_LIST, PREV),
    "Send Reply to Location Message": _plain(_LOCATION, PREV),
    "Send Reply to Sticker Message by ID": _plain(Sticker(id="<MEDIA_OBJECT_ID>"), REPLY),
    "Send Reply to Sticker Message by URL": _plain(
        Sticker(link=LINKS["<http(s)://sticker-url>"]), REPLY
    ),
    "Send Reply to Text Message": _plain(Text("<TEXT_MSG_CONTENT>"), PREV),
    "Send Reply to Video Message by ID": _plain(
        Video(id="<VIDEO_OBJECT_ID>", caption="<VIDEO_CAPTION_TEXT>"), REPLY
    ),
    "Send Reply to Video Message by URL": _plain(
        Video(link=LINKS["<http(s)://video-url>"], caption="<VIDEO_CAPTION_TEXT>"), REPLY
    ),
    "Send Reply with Reaction Message": _plain(Reaction("wamid.HBgLM...", "😀")),
    # The model has no language policy; the escape hatch adds it.
    "Send Sample Issue Resolution Template": _passthrough(
        "Send Sample Issue Resolution Template",
        template={"language": {"policy": "deterministic"}},
    ),
    "Send Sample Shipping Confirmation Template": _passthrough(
        "Send Sample Shipping Confirmation Template"
    ),
    "Send Sample Text Message": _passthrough("Send Sample Text Message"),
    "Send Sticker Message by ID": _plain(Sticker(id="<MEDIA_OBJECT_ID>")),
    "Send Sticker Message by URL": _plain(Sticker(link=LINKS["<http(s)://sticker-url>"])),
    "Send Test Message": _plain(Template("hello_world")),
    "Send Text Message": _plain(Text("text-message-content")),
    "Send Text Message with Preview URL": _plain(
        Text("Please visit https://youtu.be/hpltvTEiRrY.", preview_url=True)
    ),
    "Send Video Message by ID": _plain(
        Video(id="<VIDEO_OBJECT_ID>", caption="<VIDEO_CAPTION_TEXT>")
    ),
    "Send Video Message by URL": _plain(
        Video(link=LINKS["<http(s)://video-url>"], caption="<VIDEO_CAPTION_TEXT>")
    ),
}

MISSING_TYPE = {
    "Send Text Message with Preview URL": "text",
    "Send Reply to List Message": "interactive",
}
PLACEHOLDER_HEADER = {"Send Multi-Product Message": "text"}


def _swap_links(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: LINKS.get(v, v) if k == "link" else _swap_links(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_links(v) for v in value]
    return value


def _expected(name: str) -> dict[str, Any]:
    expected: dict[str, Any] = _swap_links(copy.deepcopy(EXAMPLES[name]))
    expected.setdefault("recipient_type", "individual")
    if name in MISSING_TYPE:
        expected["type"] = MISSING_TYPE[name]
    if name in PLACEHOLDER_HEADER:
        expected["interactive"]["header"]["type"] = PLACEHOLDER_HEADER[name]
    return expected


def test_every_example_is_rebuilt_or_explained() -> None:
    assert set(CASES) | set(NOT_EXPRESSIBLE) == set(EXAMPLES)
    assert not set(CASES) & set(NOT_EXPRESSIBLE)
    assert len(CASES) >= 47


@pytest.mark.parametrize("name", sorted(CASES))
def test_spec_example_is_reproduced_exactly(name: str) -> None:
    message, options = CASES[name]()
    example = EXAMPLES[name]
    request = build_message(
        message, to=example["to"], recipient_type="individual", options=options, flow_cta_max=30
    )

    built = msgspec.json.decode(encode_body(request, options.extra))

    assert built == _expected(name)
    if name in SCHEMA_REJECTS:
        assert schema_errors(built), "the spec's schema should refuse its own example"
    else:
        assert schema_errors(built) == []


def test_mark_read_example() -> None:
    example = EXAMPLES["Send typing indicator and read receipt"]
    provider = MetaProvider(MetaSettings(token="t-123456", phone_number_id="106540352242922"))

    request = provider.build_mark_read(example["message_id"], typing=True)

    assert request.body is not None
    assert msgspec.json.decode(request.body) == example
    shared = load_json("responses/mark_read_request.json")
    again = provider.build_mark_read(shared["message_id"], typing=True)
    assert again.body is not None
    assert msgspec.json.decode(again.body) == shared
