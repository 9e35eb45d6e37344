"""Local files on Pilot: inlined as base64 data URIs, or refused on "Pilot Status web" numbers."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from whatsapp_async import (
    Audio,
    BadRequestError,
    Buttons,
    Document,
    Group,
    Image,
    Phone,
    ReplyButton,
    SendOptions,
    Sticker,
    Template,
    UnsupportedFeature,
    ValidationError,
    Video,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot import PilotProvider
from whatsapp_async_providers.pilot.simulator import API_KEY, PilotSimulator

from .conftest import GROUP, PHONE

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
MB = 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sends(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests("pilot") if r.path == "/v1/messages/send"]


async def test_bytes_are_sent_as_a_data_uri_with_the_media_type(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    wa = sb.client("pilot")

    result = await wa.send(PHONE, Image(file=PNG, mime_type="image/png", caption="Receipt"))

    [record] = sb.requests("pilot")
    assert record.json == {
        "destinationNumber": PHONE,
        "media": f"data:image/png;base64,{_b64(PNG)}",
        "mediaType": "image",
        "caption": "Receipt",
    }
    assert record.headers["Content-Type"] == "application/json"
    assert result.status == "queued"
    checked = sim.messages[result.id].request
    assert (checked.kind, checked.media_type) == ("image", "image")


@pytest.mark.parametrize(
    ("name", "make", "mime", "media_type"),
    [
        ("invoice.pdf", lambda p: Document(file=p), "application/pdf", "document"),
        ("note.ogg", lambda p: Audio(file=p), "audio/ogg", "audio"),
        ("clip.mp4", lambda p: Video(file=p, caption="Clip"), "video/mp4", "video"),
        ("thanks.webp", lambda p: Sticker(file=p), "image/webp", "sticker"),
        ("scan.bin", lambda p: Image(file=p, mime_type="image/JPEG"), "image/jpeg", "image"),
    ],
)
async def test_a_file_path_is_read_and_inlined(
    sb: Sandbox, tmp_path: Path, name: str, make: Any, mime: str, media_type: str
) -> None:
    path = tmp_path / name
    content = name.encode() + bytes(range(200))
    path.write_bytes(content)
    message = make(path)

    await sb.client("pilot").send(Group(GROUP), message)

    [record] = sb.requests("pilot")
    expected: dict[str, Any] = {
        "groupId": GROUP,
        "media": f"data:{mime};base64,{_b64(content)}",
        "mediaType": media_type,
    }
    if message.caption is not None:
        expected["caption"] = message.caption
    assert record.json == expected


async def test_mime_parameters_travel_in_the_data_uri(sb: Sandbox) -> None:
    voice = b"OggS" + b"\x00" * 60
    await sb.client("pilot").send(PHONE, Audio(file=voice, mime_type="audio/ogg; codecs=opus"))
    [record] = sb.requests("pilot")
    assert record.json["media"] == f"data:audio/ogg;codecs=opus;base64,{_b64(voice)}"


async def test_a_web_number_refuses_files_before_any_request(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "receipt.png"
    path.write_bytes(PNG)
    wa = sb.client("pilot", number_kind="web")

    for message in (Image(file=path), Document(file=b"%PDF", mime_type="application/pdf")):
        with pytest.raises(UnsupportedFeature) as caught:
            await wa.send(PHONE, message)
        assert caught.value.feature == "file"
        assert "link=" in str(caught.value)
    assert sb.requests("pilot") == []

    # A public URL still works on such a number.
    await wa.send(PHONE, Image(link="https://cdn.example/receipt.png"))
    assert len(_sends(sb)) == 1


async def test_an_unknown_number_kind_lets_pilot_decide(sb: Sandbox, sim: PilotSimulator) -> None:
    sim.number_kind = "web"
    with pytest.raises(BadRequestError) as caught:
        await sb.client("pilot").send(PHONE, Image(file=PNG, mime_type="image/png"))
    assert caught.value.code == "VALIDATION_ERROR"
    assert "base64" in str(caught.value)
    sim.number_kind = "meta"
    await sb.client("pilot", number_kind="meta").send(PHONE, Image(file=PNG, mime_type="image/png"))


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (lambda p: Image(file=p / "big.png"), "file"),
        (lambda p: Sticker(file=p / "big.webp"), "file"),
        (lambda p: Image(file=b"GIF89a", mime_type="image/gif"), "mime_type"),
        (lambda p: Image(file=b"RIFF", mime_type="image/webp"), "mime_type"),
        (lambda p: Document(file=b"PK", mime_type="application/zip"), "mime_type"),
        (lambda p: Document(file=b"%PDF", mime_type="pdf"), "mime_type"),
        (lambda p: Image(file=p / "photo"), "mime_type"),
        (lambda p: Audio(file=b"OggS", mime_type="audio/ogg", caption="no"), "caption"),
    ],
    ids=[
        "image-over-5mb",
        "sticker-over-500kb",
        "gif",
        "webp-as-image",
        "zip",
        "not-a-mime-type",
        "no-type-known",
        "audio-caption",
    ],
)
async def test_bad_files_are_refused_before_any_request(
    sb: Sandbox, tmp_path: Path, message: Any, field: str
) -> None:
    for name, size in (("big.png", 5 * MB + 1), ("big.webp", 500 * 1024 + 1), ("photo", 10)):
        with (tmp_path / name).open("wb") as fh:
            fh.truncate(size)

    with pytest.raises(ValidationError) as caught:
        await sb.client("pilot").send(PHONE, message(tmp_path))

    assert caught.value.field == field
    assert sb.requests("pilot") == []


async def test_files_nested_in_headers_are_unsupported(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    nested = Image(file=PNG, mime_type="image/png")
    for message in (
        Buttons("Pick", [ReplyButton("y", "Yes")], header=nested),
        Template("order_update", body=["Ada", "#1"], header=nested),
    ):
        with pytest.raises(UnsupportedFeature) as caught:
            await wa.send(PHONE, message)
        assert caught.value.feature == "file"
    assert sb.requests("pilot") == []


def test_inline_media_is_declared_and_uploads_are_not() -> None:
    operations = PilotProvider.capabilities.operations
    assert "inline_media" in operations
    assert "upload_media" not in operations
    assert PilotProvider.media_limits["image"].max_bytes == 5 * MB


async def test_upload_and_download_are_unsupported_before_any_request(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    with pytest.raises(UnsupportedFeature):
        await wa.upload_media(PNG, mime_type="image/png")
    with pytest.raises(UnsupportedFeature):
        await wa.download_media("123")
    assert sb.requests("pilot") == []


def test_a_path_reaching_build_send_directly_is_refused() -> None:
    provider = PilotProvider(PilotProvider.settings_type(api_key="ps_test_abc"))
    with pytest.raises(ValidationError) as caught:
        provider.build_send(Phone(PHONE), Image(file="/tmp/x.png"), SendOptions())
    assert caught.value.field == "image.file"


# -- the simulator's checks of data URIs ---------------------------------------------------------
@pytest.mark.parametrize(
    ("media", "media_type", "text"),
    [
        ("data:image/png;base64,not base64!", "image", "base64 is malformed"),
        ("data:image/png;base64,", "image", "holds no data"),
        ("data:image/png,aGVsbG8=", "image", "data URI like"),
        ("data:application/pdf;base64,aGVsbG8=", "image", "cannot be sent as mediaType image"),
        ("data:image/png;base64,aGVsbG8=", "sticker", "cannot be sent as mediaType sticker"),
        ("data:audio/ogg;base64,aGVsbG8=", "video", "cannot be sent as mediaType video"),
    ],
)
async def test_the_simulator_checks_data_uris(
    sb: Sandbox, media: str, media_type: str, text: str
) -> None:
    body = {"destinationNumber": PHONE, "media": media, "mediaType": media_type}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sb.base_url('pilot')}/v1/messages/send", json=body, headers={"x-api-key": API_KEY}
        ) as response,
    ):
        answer = await response.json()
    assert response.status == 400
    assert (answer["code"], answer["details"]["field"]) in {
        ("VALIDATION_ERROR", "media"),
        ("VALIDATION_ERROR", "mediaType"),
    }
    assert text in answer["error"]


async def test_the_simulator_infers_the_media_type_of_a_data_uri(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    body = {"destinationNumber": PHONE, "media": "data:video/mp4;base64,AAAAGGZ0eXA="}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sb.base_url('pilot')}/v1/messages/send", json=body, headers={"x-api-key": API_KEY}
        ) as response,
    ):
        answer = await response.json()
    assert response.status == 202
    assert sim.messages[answer["id"]].request.media_type == "video"
