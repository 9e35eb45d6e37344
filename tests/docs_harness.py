"""Run every ```python block of one Markdown page, as written, against the sandbox.

``python -m tests.docs_harness README.md`` runs each block in a fresh namespace, in order, in a
scratch directory that holds the files the examples name (``receipt.png``, ``invoice.pdf``,
``whatsapp.toml`` with a ``prod`` profile, ``inbox/``). Every provider's simulator runs on
127.0.0.1 in a background thread and ``Sandbox.redirect()`` routes every client the examples
build (``WhatsApp("meta", token="EAAG...")``, ``from_env``, ``from_file``) to it; the
``WHATSAPP_*`` variables name the Pilot simulator for ``from_env``. A page marked
``<!-- docs: one program -->`` builds one program across its blocks (one namespace). Pages
that use Redis get a real redis-server (``REDIS_URL``) and, for the arq examples, a worker
process. Blocks may use top-level ``await``. ``__name__`` is not ``"__main__"``, so
``web.run_app`` behind the usual guard does not block. Prints ``ok <n>`` after the last block.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whatsapp_async.testing import Sandbox

ROOT = Path(__file__).resolve().parents[1]
# 1x1 PNG and a minimal PDF: enough for the media examples (type and size checks).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63"
    "f8cfc0f01f0005000201a5d8e9a40000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def blocks(page: Path) -> list[str]:
    """The page's Python code blocks, in order."""
    return re.findall(r"```python\n(.*?)\n```", page.read_text(), flags=re.S)


class _Background:
    """A sandbox (every simulator) served from its own thread and event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.sandbox = Sandbox()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Sandbox:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.sandbox.start(), self.loop).result(timeout=30)
        return self.sandbox

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.sandbox.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_fixtures(workdir: Path, sb: Sandbox) -> None:
    (workdir / "receipt.png").write_bytes(PNG)
    (workdir / "invoice.pdf").write_bytes(PDF)
    (workdir / "inbox").mkdir()
    lines = ['default = "prod"', "", "[profiles.prod]", 'provider = "meta"']
    lines.append(f"base_url = {_toml_value(sb.base_url('meta'))}")
    lines += [f"{key} = {_toml_value(value)}" for key, value in sb.settings("meta").items()]
    lines += ["", "[profiles.pilot]", 'provider = "pilot"']
    lines.append(f"base_url = {_toml_value(sb.base_url('pilot'))}")
    lines += [f"{key} = {_toml_value(value)}" for key, value in sb.settings("pilot").items()]
    (workdir / "whatsapp.toml").write_text("\n".join(lines) + "\n")


@contextmanager
def _redis(workdir: Path) -> Iterator[str]:
    from tests.contrib.conftest import _launch, _stop, redis_server_binary

    process, port = _launch(redis_server_binary(), workdir)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextmanager
def _arq_worker(workdir: Path, redis_url: str) -> Iterator[None]:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "whatsapp_async.contrib.arq",
            "--config",
            str(workdir / "whatsapp.toml"),
            "--profile",
            "prod",
            "--redis",
            redis_url,
        ],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


ONE_PROGRAM = "<!-- docs: one program -->"
"""A page marked so builds one program across its blocks: they share one namespace."""


def run_block(code: str, index: int, page: Path, namespace: dict[str, Any]) -> None:
    """Run one block in ``namespace`` (top-level await allowed)."""
    where = f"{page.name} block {index + 1}"
    compiled = compile(code, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if compiled.co_flags & 0x80:  # CO_COROUTINE: the block awaits at top level
        asyncio.run(eval(compiled, namespace))
    else:
        exec(compiled, namespace)


def main(argv: list[str]) -> int:
    page = (ROOT / argv[0]).resolve()
    code_blocks = blocks(page)
    text = page.read_text()
    with tempfile.TemporaryDirectory() as scratch, _Background() as sb:
        workdir = Path(scratch)
        _write_fixtures(workdir, sb)
        os.chdir(workdir)
        pilot = sb.settings("pilot")
        os.environ.update({"WHATSAPP_PROVIDER": "pilot", "WHATSAPP_API_KEY": pilot["api_key"]})
        with _maybe_redis(workdir, text) as redis_url:
            if redis_url:
                os.environ["REDIS_URL"] = redis_url
            with _maybe_worker(workdir, text, redis_url), sb.redirect():
                shared: dict[str, Any] = {"__name__": "docs_example"}
                for index, code in enumerate(code_blocks):
                    fresh = {"__name__": "docs_example"}
                    try:
                        run_block(code, index, page, shared if ONE_PROGRAM in text else fresh)
                    except BaseException:
                        traceback.print_exc()
                        print(f"FAILED {page.name} block {index + 1}:\n{code}", file=sys.stderr)
                        return 1
    print("ok", len(code_blocks))
    return 0


@contextmanager
def _maybe_redis(workdir: Path, text: str) -> Iterator[str | None]:
    if "REDIS_URL" not in text:
        yield None
        return
    with _redis(workdir) as url:
        yield url


@contextmanager
def _maybe_worker(workdir: Path, text: str, redis_url: str | None) -> Iterator[None]:
    if redis_url is None or "collect_results" not in text:
        yield
        return
    with _arq_worker(workdir, redis_url):
        yield


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
