"""The command line, run in-process against a sandbox served from another thread."""

from __future__ import annotations

import asyncio
import csv
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from whatsapp_async._cli import main
from whatsapp_async.testing import Sandbox

from .toy import TOY_KEY


class ThreadedSandbox:
    """A sandbox on its own event loop, so sync CLI code (asyncio.run) can talk to it."""

    def __init__(self, names: list[str]) -> None:
        self.loop = asyncio.new_event_loop()
        self.sb = Sandbox(names)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Sandbox:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.sb.start(), self.loop).result(10)
        return self.sb

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.sb.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def toy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ThreadedSandbox(["toy"]) as sb:
        monkeypatch.setenv("WHATSAPP_PROVIDER", "toy")
        monkeypatch.setenv("WHATSAPP_API_KEY", TOY_KEY)
        monkeypatch.setenv("WHATSAPP_BASE_URL", sb.base_url("toy"))
        yield sb


def test_send_prints_the_result(toy_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", "--to", "+14155552671", "--text", "hello"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["id"] == "toy-1" and result["recipient"] == "+14155552671"
    assert toy_env.requests("toy")[0].json["text"] == "hello"


def test_user_errors_print_one_line(toy_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", "--to", "12", "--text", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert main(["send", "--to", "+14155552671", "--json", '{"type": "image"}']) == 2
    assert main(["send", "--to", "+14155552671", "--text", "a", "--template", "b"]) == 2
    assert toy_env.requests("toy") == []


def test_api_failures_exit_1(
    toy_env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WHATSAPP_API_KEY", "wrong-key-xyz")
    assert main(["send", "--to", "+14155552671", "--text", "x"]) == 1
    assert "wrong-key-xyz" not in capsys.readouterr().err


def test_send_bulk_writes_one_line_per_row(
    toy_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["to", "text"]]
    for i in range(1000):
        to = f"+1415555{i:04d}" if i % 100 else "not-a-number"
        rows.append([to, f"hello {i}" if i != 5 else ""])
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out.csv"
    code = main(["send-bulk", str(source), "--out", str(out), "--concurrency", "20"])
    assert code == 1
    with out.open(newline="") as fh:
        results = list(csv.DictReader(fh))
    assert len(results) == 1000
    # Lines are in completion order; the row column puts them back in input order.
    results.sort(key=lambda r: int(r["row"]))
    assert [r["row"] for r in results] == [str(i) for i in range(1, 1001)]
    failed = [int(r["row"]) - 1 for r in results if r["ok"] == "false"]
    assert failed == sorted({0, 5, *range(100, 1000, 100)})
    assert results[0]["error_type"] == "InvalidRecipient"
    assert results[5]["error_type"] == "ValidationError"
    assert len(toy_env.requests("toy")) == 989
    assert "1000 rows: 989 sent, 11 failed" in capsys.readouterr().out


def test_providers_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    assert "message: text" in out and "toy" in out


def test_help_works_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ([], ["demo"], ["send"], ["send-bulk"], ["providers"]):
        with pytest.raises(SystemExit) as info:
            main([*command, "--help"])
        assert info.value.code == 0
    assert "usage: whatsapp-async" in capsys.readouterr().out


def test_send_from_a_profile_with_a_json_message(
    toy_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wa.toml"
    config.write_text(
        "[profiles.local]\n"
        'provider = "toy"\n'
        f'api_key = "{TOY_KEY}"\n'
        f'base_url = "{toy_env.base_url("toy")}"\n'
    )
    message = json.dumps({"type": "text", "body": "from json"})
    code = main(
        [
            "send",
            "--config",
            str(config),
            "--profile",
            "local",
            "--to",
            "+14155552671",
            "--json",
            message,
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["provider"] == "toy"
    assert toy_env.requests("toy")[0].json["text"] == "from json"
    assert (
        main(["send", "--config", str(config), "--profile", "nope", "--to", "+1", "--text", "x"])
        == 2
    )
