"""Input that cannot escape, waits that agree, downloads that cannot corrupt — over real HTTP.

Every refusal here happens before any request (counted at the simulator).
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from whatsapp_async import (
    APIError,
    APIStatusError,
    Buttons,
    ConfigurationError,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    ReplyButton,
    RetryPolicy,
    ServerError,
    Template,
    Text,
    ValidationError,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API

PHONE = "+14155552671"


# -- message constructors ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build",
    [
        lambda: Image(link=123),  # type: ignore[arg-type]
        lambda: Image(id="1", caption=5),  # type: ignore[arg-type]
        lambda: Text(42),  # type: ignore[arg-type]
        lambda: Text("hi", preview_url="yes"),  # type: ignore[arg-type]
        lambda: Text("\ud800 lone surrogate"),
        lambda: Text("\u200b\u200d\ufeff"),  # zero-width only
        lambda: Text(" \t\n"),
        lambda: Buttons("Pick", ["Yes"]),  # type: ignore[list-item]
        lambda: Buttons("Pick", [ReplyButton("y", "Yes")], header=3),  # type: ignore[arg-type]
        lambda: ListMessage("Pick", "Open", [ListSection("S", ["row"])]),  # type: ignore[list-item]
        lambda: ListMessage("Pick", "Open", [ListSection("S", [ListRow("1", 2)])]),  # type: ignore[arg-type]
        lambda: Template("t", body=[1]),  # type: ignore[list-item]
        lambda: Template("t", body=3),  # type: ignore[arg-type]
        lambda: Template("t", header=4),  # type: ignore[arg-type]
        lambda: Template("t", body=["\udfff"]),
    ],
)
def test_wrong_types_and_unsendable_text_are_validation_errors(build: Any) -> None:
    with pytest.raises(ValidationError):
        build()


def test_visible_text_with_invisible_characters_is_fine() -> None:
    assert Text("\u200bhi").body == "\u200bhi"
    assert Text("olá 👋").body == "olá 👋"


@pytest.mark.parametrize("provider", ["pilot", "gateway", "meta", "magpipe"])
async def test_every_provider_refuses_text_over_whatsapps_limit(provider: str) -> None:
    async with Sandbox([provider]) as sb:
        wa = sb.client(provider)
        with pytest.raises(ValidationError, match="4096"):
            await wa.send(PHONE, Text("x" * 4097))
        assert sb.requests(provider) == []


# -- settings and ids ----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["EAAG\r\nX-Evil: 1", "tok\x00en", "tab\there"])
def test_control_characters_in_settings_are_refused_at_construction(bad: str) -> None:
    with pytest.raises(ConfigurationError, match=r"'token'.*control character") as info:
        WhatsApp("meta", token=bad, phone_number_id="1")
    assert bad not in str(info.value)


@pytest.mark.parametrize("bad", ["..", ".", "", "a b", "x\n"])
async def test_media_ids_that_would_change_the_path_never_reach_the_network(bad: str) -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta")
        for call in (wa.media_url(bad), wa.delete_media(bad), wa.download_media(bad)):
            with pytest.raises(ValidationError):
                await call
        assert sb.requests("meta") == []


# -- waits ----------------------------------------------------------------------------------------
async def test_retry_after_on_a_503_is_honoured() -> None:
    async with Sandbox(["toy"]) as sb:
        wa = sb.client("toy", retry=RetryPolicy(initial_delay=0.001, max_delay=0.002))
        sb.fail_next("toy", status=503, code="UNAVAILABLE", retry_after=0.3)
        await wa.send(PHONE, Text("x"))
        first, second = sb.requests("toy")
        assert second.received_at - first.received_at >= 0.3


def test_a_zero_wait_still_backs_off_and_the_cap_fits_the_budget() -> None:
    policy = RetryPolicy()
    zero = ServerError("busy", status=503, retry_after=0.0)
    assert policy.wait_for(zero, 0.25) == 0.25  # not 0: never three requests in a millisecond
    long = ServerError("busy", status=503, retry_after=61.0)
    assert policy.wait_for(long, 0.25) == 61.0  # within the 120 s cap
    assert policy.max_elapsed >= policy.retry_after_cap  # and within the time budget
    assert policy.wait_for(ServerError("x", status=503, retry_after=121.0), 0.25) is None
    tight = RetryPolicy(max_elapsed=30)
    assert tight.retry_after_cap == 30  # the budget lowers the cap, they never disagree


# -- downloads ------------------------------------------------------------------------------------
class MediaHost:
    """Meta's two media calls on a loopback server of our own: a look-up, then the file.

    ``mode`` decides the file's answer: ``ok``, ``redirect`` (a 302 with a body), ``missing``
    (404), ``cut`` (Content-Length 1000, 100 bytes, then the connection closes).
    """

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests = 0
        self.base = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/" + API + "/{media_id}", self.lookup)
        app.router.add_get("/file", self.file)
        return app

    async def lookup(self, request: web.Request) -> web.Response:
        self.requests += 1
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "id": request.match_info["media_id"],
                "url": f"{self.base}/file",
                "mime_type": "image/png",
                "file_size": "1000",
            }
        )

    async def file(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.mode == "redirect":
            return web.Response(status=302, text="302: Found", headers={"Location": "/x"})
        if self.mode == "missing":
            return web.json_response({"error": {"message": "gone", "code": 100}}, status=404)
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        if self.mode == "cut":
            await response.write(b"y" * 100)
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(b"z" * 1000)
        await response.write_eof()
        return response


@pytest.fixture
async def host() -> AsyncIterator[tuple[MediaHost, WhatsApp]]:
    media = MediaHost()
    runner = web.AppRunner(media.app())
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    media.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    wa = WhatsApp("meta", token="EAAG-test-token", phone_number_id="1", base_url=media.base)
    try:
        yield media, wa
    finally:
        await wa.aclose()
        await runner.cleanup()


async def test_a_redirect_is_never_a_download(host: tuple[MediaHost, WhatsApp]) -> None:
    media, wa = host
    media.mode = "redirect"
    with pytest.raises(APIStatusError) as info:
        await wa.download_media("123")
    assert info.value.status == 302


@pytest.mark.parametrize("mode", ["redirect", "missing", "cut"])
async def test_a_failed_download_leaves_the_existing_file_alone(
    host: tuple[MediaHost, WhatsApp], tmp_path: Path, mode: str
) -> None:
    media, wa = host
    dest = tmp_path / "photo.png"
    dest.write_bytes(b"the caller's file")
    media.mode = mode
    with pytest.raises(APIError):  # a status error, or a connection cut mid-body
        await wa.download_media("123", dest=dest)
    assert dest.read_bytes() == b"the caller's file"
    assert _names(tmp_path) == ["photo.png"]  # no .part file left behind


async def test_a_download_replaces_a_symlink_instead_of_following_it(
    host: tuple[MediaHost, WhatsApp], tmp_path: Path
) -> None:
    _, wa = host
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    dest = tmp_path / "photo.png"
    dest.symlink_to(victim)
    path = await wa.download_media("123", dest=dest)
    assert path == dest and not dest.is_symlink()
    assert dest.read_bytes() == b"z" * 1000
    assert victim.read_text() == "keep me"


async def test_a_directory_destination_is_refused_before_any_request(
    host: tuple[MediaHost, WhatsApp], tmp_path: Path
) -> None:
    media, wa = host
    with pytest.raises(ValidationError, match="is a directory"):
        await wa.download_media("123", dest=tmp_path)
    with pytest.raises(ValidationError, match="does not exist"):
        await wa.download_media("123", dest=tmp_path / "absent" / "photo.png")
    assert media.requests == 0
    assert _names(tmp_path) == []


def _names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# -- secrets an echoing server sends back --------------------------------------------------
async def test_an_echoing_server_never_leaves_the_key_in_results_or_errors() -> None:
    from .toy import TOY_KEY

    async def echo(request: web.Request) -> web.Response:
        key = request.headers.get("x-key", "")
        body = await request.json()
        if body["text"] == "fail":
            return web.json_response(
                {"error": f"bad key {key}", "code": "BAD", "seen": key}, status=400
            )
        return web.json_response({"id": "e-1", "to": body["to"], "auth": [f"x-key: {key}"]})

    app = web.Application()
    app.router.add_post("/send", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with WhatsApp("toy", api_key=TOY_KEY, base_url=base, max_retries=0) as wa:
            result = await wa.send(PHONE, Text("ok"))
            assert TOY_KEY not in repr(result.raw) and "***" in repr(result.raw)
            with pytest.raises(APIStatusError) as info:
                await wa.send(PHONE, Text("fail"))
        error = info.value
        for text in (str(error), repr(error), repr(error.details), error.body.decode()):
            assert TOY_KEY not in text
    finally:
        await runner.cleanup()


# -- cancellation, twice -------------------------------------------------------------------
async def test_send_many_keeps_its_result_when_cancelled_twice() -> None:
    import asyncio

    from whatsapp_async import BulkResult

    async with Sandbox(["toy"]) as sb:
        wa = sb.client("toy", rate_limit=None)
        sb.fail_next("toy", delay=30, times=500)
        task = asyncio.ensure_future(
            wa.send_many(
                [(f"+1415555{i:04d}", Text("x")) for i in range(2000, 4000)], concurrency=50
            )
        )
        for _ in range(200):
            if len(sb.requests("toy")) >= 50:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0)
        task.cancel()  # a second cancellation while the first is being handled
        with pytest.raises(asyncio.CancelledError) as info:
            await task
        bulk = BulkResult.from_cancelled(info.value)
        assert bulk is not None and len(bulk) == 2000
        assert bulk.failed == 2000 and bulk.in_doubt_count == 50
