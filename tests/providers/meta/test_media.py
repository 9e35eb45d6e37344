"""Media on Meta over real HTTP: upload, send by id, look up, download, delete.

Covers the limits checked before any request, the short-lived download URL, the
streamed 50 MB download's memory, and which hosts get the access token.
"""

from __future__ import annotations

import asyncio
import hashlib
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from whatsapp_async import (
    APIStatusError,
    Audio,
    AuthenticationError,
    BadRequestError,
    Buttons,
    Document,
    HttpResponse,
    Image,
    NotFoundError,
    ReplyButton,
    Sticker,
    UnsupportedFeature,
    ValidationError,
    Video,
    WhatsApp,
)
from whatsapp_async.provider import FormFile
from whatsapp_async_providers.meta import MetaProvider, MetaSettings
from whatsapp_async_providers.meta.media import MB, MEDIA_LIMITS
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.meta.simulator_media import parse_form

from .conftest import RAW_CLIENT, TO

PNID = "106540352242922"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n" + b"\x00" * 99


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sparse(path: Path, size: int) -> Path:
    # A file that claims ``size`` bytes without the test allocating (or writing) them.
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


@pytest.fixture
def wa(sb: Any) -> WhatsApp:
    client: WhatsApp = sb.client("meta", max_retries=0)
    return client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"User-Agent": RAW_CLIENT}) as session:
        yield session


# -- round trips ---------------------------------------------------------------------------------
async def test_path_upload_send_by_id_and_download_give_back_identical_bytes(
    sb: Any, wa: WhatsApp, tmp_path: Path, sends: Any
) -> None:
    source = tmp_path / "receipt.png"
    source.write_bytes(PNG)

    media_id = await wa.upload_media(source)

    [upload] = sb.requests("meta")
    assert (upload.method, upload.path) == ("POST", f"/{API}/{PNID}/media")
    assert upload.headers["Authorization"] == f"Bearer {sb.settings('meta')['token']}"
    assert upload.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = {p.name: p for p in parse_form(upload.body, upload.headers["Content-Type"])}
    assert set(parts) == {"messaging_product", "type", "file"}
    assert parts["messaging_product"].data == b"whatsapp"
    assert parts["type"].data == b"image/png"
    assert (parts["file"].filename, parts["file"].content_type) == ("receipt.png", "image/png")
    assert parts["file"].data == PNG
    assert media_id.isdigit()

    result = await wa.send(TO, Image(id=media_id, caption="Your receipt"))
    assert result.id.startswith("wamid.")
    assert sends()[-1]["image"] == {"id": media_id, "caption": "Your receipt"}

    path = await wa.download_media(media_id, dest=tmp_path / "copy.png")
    assert path == tmp_path / "copy.png"
    assert path.read_bytes() == PNG
    assert await wa.download_media(media_id) == PNG


async def test_bytes_upload_and_what_the_media_look_up_says(
    sb: Any, wa: WhatsApp, sim: MetaSimulator
) -> None:
    pdf = b"%PDF-1.7\n" + b"invoice line\n" * 500

    media_id = await wa.upload_media(pdf, mime_type="application/pdf", filename="invoice.pdf")
    info = await wa.media_url(media_id)

    upload, lookup = sb.requests("meta")
    parts = {p.name: p for p in parse_form(upload.body, upload.headers["Content-Type"])}
    assert (parts["file"].filename, parts["file"].data) == ("invoice.pdf", pdf)
    assert (lookup.method, lookup.path, lookup.query) == (
        "GET",
        f"/{API}/{media_id}",
        {"phone_number_id": PNID},
    )
    assert info.id == media_id
    assert info.mime_type == "application/pdf"
    assert info.sha256 == hashlib.sha256(pdf).hexdigest()
    assert info.file_size == len(pdf)
    assert info.url.startswith(f"{sb.base_url('meta')}/whatsapp_business/attachments/?")
    assert await wa.download_media(media_id) == pdf
    assert sim.media.get(media_id) is not None


async def test_a_large_video_upload_round_trips(wa: WhatsApp, tmp_path: Path) -> None:
    # 12 MB: under Meta's 16 MB video limit, over a web server's usual 8 MB body default.
    source = _sparse(tmp_path / "clip.mp4", 12 * MB)

    media_id = await wa.upload_media(source)

    info = await wa.media_url(media_id)
    assert (info.mime_type, info.file_size) == ("video/mp4", 12 * MB)
    await wa.download_media(media_id, dest=tmp_path / "copy.mp4")
    assert _sha256_of(tmp_path / "copy.mp4") == _sha256_of(source) == info.sha256


async def test_a_media_message_with_a_file_is_uploaded_then_sent_by_the_new_id(
    sb: Any, wa: WhatsApp, sim: MetaSimulator, tmp_path: Path
) -> None:
    source = tmp_path / "photo.png"
    source.write_bytes(PNG)

    result = await wa.send(TO, Image(file=source, caption="Look"))

    upload, send = sb.requests("meta")
    assert upload.path == f"/{API}/{PNID}/media"
    assert send.path == f"/{API}/{PNID}/messages"
    # The only uploaded (not pre-existing) media the simulator holds is this one.
    [uploaded] = [m for m in sim.media.items.values() if m.data is not None]
    assert uploaded.data == PNG
    assert send.json["image"] == {"id": uploaded.id, "caption": "Look"}
    assert result.id.startswith("wamid.")


async def test_a_document_from_bytes_keeps_its_file_name(sb: Any, wa: WhatsApp) -> None:
    await wa.send(
        TO,
        Document(file=b"a,b\n1,2\n", mime_type="text/plain", filename="report.csv", caption="Q3"),
    )

    upload, send = sb.requests("meta")
    parts = {p.name: p for p in parse_form(upload.body, upload.headers["Content-Type"])}
    assert (parts["type"].data, parts["file"].filename) == (b"text/plain", "report.csv")
    assert send.json["document"]["filename"] == "report.csv"
    assert send.json["document"]["caption"] == "Q3"
    assert set(send.json["document"]) == {"id", "filename", "caption"}


# -- refused before any request ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "size", "make"),
    [
        ("big.png", 5 * MB + 1, lambda p: Image(file=p)),
        ("big.jpg", 5 * MB + 1, lambda p: Image(file=p)),
        ("big.mp4", 16 * MB + 1, lambda p: Video(file=p)),
        ("big.webp", 500 * 1024 + 1, lambda p: Sticker(file=p)),
        ("big.pdf", 100 * MB + 1, lambda p: Document(file=p)),
    ],
)
async def test_a_file_over_metas_limit_is_refused_before_any_request(
    sb: Any, wa: WhatsApp, tmp_path: Path, name: str, size: int, make: Any
) -> None:
    path = _sparse(tmp_path / name, size)

    with pytest.raises(ValidationError) as via_upload:
        await wa.upload_media(path)
    with pytest.raises(ValidationError) as via_send:
        await wa.send(TO, make(path))

    for error in (via_upload.value, via_send.value):
        assert error.field == "file"
        assert f"{size:,} bytes" in str(error)
    assert sb.requests("meta") == []


async def test_the_limits_themselves_are_accepted(sb: Any, wa: WhatsApp, tmp_path: Path) -> None:
    path = _sparse(tmp_path / "exact.webp", 500 * 1024)
    media_id = await wa.upload_media(path, kind="sticker")
    assert (await wa.media_url(media_id)).file_size == 500 * 1024


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda wa, p: wa.upload_media(p / "anim.gif"), "mime_type"),
        (lambda wa, p: wa.send(TO, Image(file=p / "anim.gif")), "mime_type"),
        (lambda wa, p: wa.send(TO, Image(file=p / "sticker.webp")), "mime_type"),
        (lambda wa, p: wa.upload_media(b"PK\x03\x04", mime_type="application/zip"), "mime_type"),
        (lambda wa, p: wa.send(TO, Audio(file=p / "voice.wav")), "mime_type"),
        (lambda wa, p: wa.upload_media(p / "no-such-file.png"), "file"),
        (lambda wa, p: wa.upload_media(b"\x00\x01"), "mime_type"),
    ],
    ids=["gif-upload", "gif-image", "webp-as-image", "zip", "wav-audio", "missing", "no-type"],
)
async def test_a_wrong_media_type_is_refused_before_any_request(
    sb: Any, wa: WhatsApp, tmp_path: Path, call: Any, field: str
) -> None:
    for name in ("anim.gif", "sticker.webp", "voice.wav"):
        (tmp_path / name).write_bytes(b"\x00" * 64)

    with pytest.raises(ValidationError) as caught:
        await call(wa, tmp_path)

    assert caught.value.field == field
    assert sb.requests("meta") == []


async def test_a_file_inside_a_header_is_unsupported_before_any_request(
    sb: Any, wa: WhatsApp
) -> None:
    message = Buttons(
        "Like it?",
        [ReplyButton("y", "Yes")],
        header=Image(file=b"\x89PNG", mime_type="image/png"),
    )
    with pytest.raises(UnsupportedFeature) as caught:
        await wa.send(TO, message)
    assert caught.value.feature == "file"
    assert "upload_media" in str(caught.value)
    assert sb.requests("meta") == []


# -- download URLs -------------------------------------------------------------------------------
async def test_an_expired_url_is_a_not_found_and_each_download_fetches_a_fresh_one(
    sb: Any, wa: WhatsApp, sim: MetaSimulator, http: aiohttp.ClientSession
) -> None:
    media_id = await wa.upload_media(PNG, mime_type="image/png")
    sim.media_url_ttl = 0.2
    info = await wa.media_url(media_id)
    token = sb.settings("meta")["token"]
    auth = {"Authorization": f"Bearer {token}"}
    async with http.get(info.url, headers=auth) as fresh:
        assert (fresh.status, await fresh.read()) == (200, PNG)

    await asyncio.sleep(0.3)

    async with http.get(info.url, headers=auth) as stale:
        assert stale.status == 404
    # download_media looks the URL up again on every call, so a stale one never matters ...
    assert await wa.download_media(media_id) == PNG
    # ... unless the URL it was just given expires before it is used.
    sim.media_url_ttl = 0.0
    sb.reset("meta")
    with pytest.raises(NotFoundError) as caught:
        await wa.download_media(media_id)
    assert caught.value.status == 404
    assert [(r.method, r.path) for r in sb.requests("meta")] == [
        ("GET", f"/{API}/{media_id}"),
        ("GET", "/whatsapp_business/attachments/"),
    ]
    assert token not in str(caught.value)


async def test_a_download_needs_the_token(
    wa: WhatsApp, sb: Any, http: aiohttp.ClientSession
) -> None:
    media_id = await wa.upload_media(PNG, mime_type="image/png")
    info = await wa.media_url(media_id)
    async with http.get(info.url) as anonymous:
        assert anonymous.status == 401
        assert (await anonymous.json())["error"]["code"] == 190
    wrong = sb.client("meta", token="EAAwrong-token-000000", max_retries=0)
    with pytest.raises(AuthenticationError):
        await wrong.media_url(media_id)


async def test_a_download_to_a_file_that_fails_leaves_no_file(
    sb: Any, wa: WhatsApp, sim: MetaSimulator, tmp_path: Path
) -> None:
    media_id = await wa.upload_media(PNG, mime_type="image/png")
    sim.media_url_ttl = 0.0
    with pytest.raises(NotFoundError):
        await wa.download_media(media_id, dest=tmp_path / "never.png")
    assert not (tmp_path / "never.png").exists()


async def test_a_50_mb_download_streams_to_disk_in_bounded_memory(
    wa: WhatsApp, sim: MetaSimulator, tmp_path: Path
) -> None:
    media = sim.add_generated_media(50 * MB, "video/mp4")
    dest = tmp_path / "big.bin"

    tracemalloc.start()
    try:
        await wa.download_media(media.id, dest=dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * MB, f"peak traced memory {peak:,} bytes"
    assert dest.stat().st_size == 50 * MB
    assert _sha256_of(dest) == media.sha256


# -- delete --------------------------------------------------------------------------------------
async def test_delete_then_every_use_of_the_id_is_not_found(
    sb: Any, wa: WhatsApp, sim: MetaSimulator
) -> None:
    media_id = await wa.upload_media(PNG, mime_type="image/png")
    stale_url = (await wa.media_url(media_id)).url
    sb.reset("meta")

    await wa.delete_media(media_id)

    [delete] = sb.requests("meta")
    assert (delete.method, delete.path, delete.query) == (
        "DELETE",
        f"/{API}/{media_id}",
        {"phone_number_id": PNID},
    )
    for use in (wa.media_url, wa.download_media, wa.delete_media):
        with pytest.raises(NotFoundError) as caught:
            await use(media_id)
        assert (caught.value.status, caught.value.code) == (404, 100)
    with pytest.raises(BadRequestError) as send:
        await wa.send(TO, Image(id=media_id))
    assert send.value.code == 131053
    assert sim.media.resolve(stale_url.rsplit("hash=", 1)[1]) is None


# -- the simulator as another client sees it -----------------------------------------------------
async def _upload(
    http: aiohttp.ClientSession, sb: Any, fields: list[tuple[str, Any]]
) -> tuple[int, Any]:
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields:
        if isinstance(value, tuple):
            form.add_field(name, value[0], filename=value[1], content_type=value[2])
        else:
            form.add_field(name, value)
    headers = {"Authorization": f"Bearer {sb.settings('meta')['token']}"}
    url = f"{sb.base_url('meta')}/{API}/{PNID}/media"
    async with http.post(url, data=form, headers=headers) as response:
        return response.status, await response.json()


FILE = (b"\xff\xd8\xff\xe0jpeg", "a.jpg", "image/jpeg")


@pytest.mark.parametrize(
    ("fields", "code", "text"),
    [
        ([("type", "image/jpeg"), ("file", FILE)], 100, "messaging_product is required"),
        ([("messaging_product", "sms"), ("type", "image/jpeg"), ("file", FILE)], 100, "whatsapp"),
        ([("messaging_product", "whatsapp"), ("type", "image/jpeg")], 100, "file is required"),
        ([("messaging_product", "whatsapp"), ("file", FILE)], 100, "type is required"),
        (
            [("messaging_product", "whatsapp"), ("type", "image/gif"), ("file", FILE)],
            100,
            "one of the following types",
        ),
        (
            [
                ("messaging_product", "whatsapp"),
                ("type", "image/webp"),
                ("file", (b"\x00" * (500 * 1024 + 1), "s.webp", "image/webp")),
            ],
            131053,
            "at most 512000 bytes",
        ),
    ],
    ids=["no-product", "other-product", "no-file", "no-type", "gif", "sticker-too-big"],
)
async def test_the_simulator_checks_uploads_like_meta(
    sb: Any, http: aiohttp.ClientSession, fields: Any, code: int, text: str
) -> None:
    status, answer = await _upload(http, sb, fields)
    assert status == 400
    assert answer["error"]["code"] == code
    assert text in answer["error"]["error_data"]["details"]


async def test_a_third_party_upload_and_look_up_work(sb: Any, http: aiohttp.ClientSession) -> None:
    status, answer = await _upload(
        http, sb, [("messaging_product", "whatsapp"), ("type", "image/jpeg"), ("file", FILE)]
    )
    assert status == 200
    headers = {"Authorization": f"Bearer {sb.settings('meta')['token']}"}
    url = f"{sb.base_url('meta')}/{API}/{answer['id']}"
    async with http.get(url, headers=headers) as response:
        described = await response.json()
    assert set(described) == {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
    assert described["file_size"] == str(len(FILE[0]))
    async with http.get(url, params={"phone_number_id": "999"}, headers=headers) as other:
        assert other.status == 404
        error = (await other.json())["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (
        100,
        33,
        "GraphMethodException",
    )


async def test_sends_must_name_media_the_account_holds(
    sb: Any, http: aiohttp.ClientSession, sim: MetaSimulator
) -> None:
    headers = {"Authorization": f"Bearer {sb.settings('meta')['token']}"}
    url = f"{sb.base_url('meta')}/{API}/{PNID}/messages"
    body = {"messaging_product": "whatsapp", "to": TO, "type": "video", "video": {"id": "42"}}
    async with http.post(url, json=body, headers=headers) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == 131053
    header = {
        "messaging_product": "whatsapp",
        "to": TO,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "image", "image": {"id": "43"}},
            "body": {"text": "Pick"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]},
        },
    }
    async with http.post(url, json=header, headers=headers) as response:
        assert (await response.json())["error"]["code"] == 131053
    sim.strict_media_ids = False
    async with http.post(url, json=body, headers=headers) as response:
        assert response.status == 200


# -- sans-I/O details ----------------------------------------------------------------------------
def _provider(base_url: str | None = None) -> MetaProvider:
    settings = MetaSettings(token="EAAtest-token-123", phone_number_id=PNID)
    return MetaProvider(settings, base_url=base_url)


@pytest.mark.parametrize(
    ("url", "gets_token"),
    [
        ("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", True),
        ("https://graph.facebook.com/v23.0/1/download", True),
        ("https://scontent.xx.fbsbx.com/v/t1/abc", True),
        ("http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", False),
        ("https://fbsbx.com.evil.example/x", False),
        ("https://evil-fbsbx.com/x", False),
        ("https://cdn.example/media/1", False),
        ("https://graph.facebook.com:8443/x", True),
    ],
)
def test_the_token_goes_only_to_meta_or_the_configured_host(url: str, gets_token: bool) -> None:
    request = _provider().build_download(url)
    assert request.method == "GET" and request.url == url
    assert ("Authorization" in request.headers) is gets_token
    assert "EAAtest-token-123" not in repr(request)


def test_a_proxy_base_url_gets_the_token_on_its_own_host_only() -> None:
    provider = _provider("http://127.0.0.1:9000/graph")
    assert "Authorization" in provider.build_download("http://127.0.0.1:9000/m?x=1").headers
    assert "Authorization" not in provider.build_download("http://127.0.0.1:9001/m").headers
    assert "Authorization" not in provider.build_download("http://localhost:9000/m").headers
    with pytest.raises(ValidationError):
        provider.build_download("file:///etc/passwd")


def test_upload_request_shape_and_limits_declared() -> None:
    provider = _provider()
    request = provider.build_upload_media(
        FormFile(filename="a.png", content_type="image/png", data=PNG)
    )
    assert (request.method, request.url) == (
        "POST",
        f"https://graph.facebook.com/{API}/{PNID}/media",
    )
    assert dict(request.headers) == {"Authorization": "Bearer EAAtest-token-123"}
    assert request.body is None and request.form is not None
    assert [name for name, _ in request.form] == ["messaging_product", "type", "file"]
    assert provider.media_limits is MEDIA_LIMITS
    assert MEDIA_LIMITS["audio"].mime_types == {
        "audio/aac",
        "audio/amr",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
    }
    assert MEDIA_LIMITS["sticker"].max_bytes == 500 * 1024


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (b'{"id":"1","url":"https://x.fbsbx.com/a","file_size":"303833"}', 303833),
        (b'{"id":"1","url":"https://x.fbsbx.com/a","file_size":303833}', 303833),
        (b'{"id":"1","url":"https://x.fbsbx.com/a","file_size":"big"}', None),
        (b'{"id":"1","url":"https://x.fbsbx.com/a"}', None),
    ],
)
def test_media_look_up_sizes_as_string_or_number(body: bytes, size: int | None) -> None:
    info = _provider().parse_media_url(HttpResponse(status=200, body=body))
    assert (info.id, info.file_size) == ("1", size)


@pytest.mark.parametrize("body", [b"", b"<html>", b'{"url": 5}', b'{"id": ""}', b"[]"])
def test_garbled_media_answers_are_typed_errors(body: bytes) -> None:
    provider = _provider()
    response = HttpResponse(status=200, body=body)
    for parse in (
        provider.parse_media_url,
        provider.parse_upload_media,
        provider.parse_delete_media,
    ):
        with pytest.raises(APIStatusError):
            parse(response)
    # A look-up must also say where to download from.
    with pytest.raises(APIStatusError):
        provider.parse_media_url(HttpResponse(status=200, body=b'{"id": "1"}'))


def test_blank_media_ids_are_refused() -> None:
    provider = _provider()
    for build in (provider.build_media_url, provider.build_delete_media):
        with pytest.raises(ValidationError):
            build(" ")


def test_a_404_with_graphs_generic_code_is_not_found_and_a_400_is_not() -> None:
    body = b'{"error":{"message":"(#100) Invalid parameter","code":100,"error_subcode":33}}'
    provider = _provider()
    assert isinstance(
        provider.error_from_response(HttpResponse(status=404, body=body)), NotFoundError
    )
    assert (
        type(provider.error_from_response(HttpResponse(status=400, body=body))) is BadRequestError
    )
