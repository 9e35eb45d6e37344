"""``send-bulk`` never loses a row: per-row results, Ctrl-C, ``--resume``, and its flags.

The Ctrl-C test runs the real ``whatsapp-async`` command in a subprocess against a
sandbox served from a thread of this process, and counts at the simulator what
each recipient received. The other tests call ``main`` in-process.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from whatsapp_async import __version__
from whatsapp_async._bulk import BulkRun
from whatsapp_async._bulkcsv import (
    RESULT_COLUMNS,
    ResultsWriter,
    may_have_been_sent,
    read_results,
    result_fields,
)
from whatsapp_async._cli import main
from whatsapp_async.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    InvalidRecipient,
    RateLimitError,
    SendCancelled,
    ServerError,
    TemplateMismatch,
    ValidationError,
)
from whatsapp_async.results import SendResult
from whatsapp_async.testing import Sandbox

from .test_cli import ThreadedSandbox
from .toy import TOY_KEY

WAIT = 30.0  # the longest any wait in these tests may take, in seconds


def _number(i: int) -> str:
    return f"+1415555{i:04d}"


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["to", "text"], *rows])


def _results(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == RESULT_COLUMNS
        return list(reader)


def _by_row(path: Path) -> dict[int, dict[str, str]]:
    lines = _results(path)
    rows = [int(r["row"]) for r in lines]
    assert len(rows) == len(set(rows)), "a row has more than one line"
    return {int(r["row"]): r for r in lines}


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# -- the command in a subprocess: Ctrl-C, then --resume ----------------------------------------


def _command() -> list[str]:
    script = Path(sys.executable).with_name("whatsapp-async")
    return [str(script)] if script.exists() else [sys.executable, "-m", "whatsapp_async"]


def _meta_env(sb: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")}
    env.update({f"WHATSAPP_{k.upper()}": str(v) for k, v in sb.settings("meta").items()})
    env.update(WHATSAPP_PROVIDER="meta", WHATSAPP_BASE_URL=sb.base_url("meta"))
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args], env=env, capture_output=True, text=True, timeout=WAIT, check=False
    )


def _sent_to(sb: Sandbox) -> Counter[str]:
    """Requests to /messages per recipient (as E.164), whatever the simulator answered."""
    return Counter(_e164(r.json["to"]) for r in sb.requests("meta") if r.path.endswith("/messages"))


def _e164(to: str) -> str:
    return "+" + to.lstrip("+")


def test_ctrl_c_mid_run_writes_every_row_and_resume_sends_each_once(tmp_path: Path) -> None:
    numbers = [_number(i) for i in range(1, 13)]
    source = tmp_path / "in.csv"
    rejected = 6  # a row without text: rejected while reading, before any send
    _write_csv(source, [[n, "" if i == rejected else f"hi {i}"] for i, n in enumerate(numbers, 1)])
    out = tmp_path / "out.csv"
    with ThreadedSandbox(["meta"]) as sb:
        env = _meta_env(sb)
        # Four quick answers, then every request hangs: two stay in flight (--concurrency 2).
        sb.fail_next("meta", delay=0.01, times=4)
        sb.fail_next("meta", delay=120, times=100)
        cmd = [*_command(), "send-bulk", str(source), "--out", str(out), "--concurrency", "2"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            lines_so_far = lambda: len(_results(out)) if out.exists() else 0  # noqa: E731
            _wait_for(lambda: len(sb.requests("meta")) == 6 and lines_so_far() == 5, "6 requests")
            time.sleep(0.2)  # nothing else may happen while two requests hang
            assert len(sb.requests("meta")) == 6 and lines_so_far() == 5
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=WAIT)
        finally:
            proc.kill()
            proc.wait(WAIT)
        assert proc.returncode == 130, stderr
        assert stdout.decode().startswith("interrupted: 12 rows: 4 sent, 8 failed (2 in doubt)")
        assert "interrupted: stopping" in stderr.decode()

        answered = {_e164(r.json["to"]) for r in sb.requests("meta") if r.status == 200}
        hanging = {_e164(r.json["to"]) for r in sb.requests("meta") if r.status != 200}
        assert len(answered) == 4 and len(hanging) == 2
        first = _by_row(out)
        assert sorted(first) == list(range(1, 13))
        assert {r["to"] for r in first.values() if r["ok"] == "true"} == answered
        doubt = {r["to"] for r in first.values() if r["in_doubt"] == "true"}
        assert doubt == hanging
        assert {r["error_type"] for r in first.values() if r["to"] in hanging} == {"SendCancelled"}
        assert first[rejected]["to"] == numbers[rejected - 1]
        assert first[rejected]["provider"] == "meta"
        assert first[rejected]["error_type"] == "ValidationError"
        never_started = set(numbers) - answered - hanging - {numbers[rejected - 1]}
        assert len(never_started) == 5
        for r in first.values():
            if r["to"] in never_started:
                assert (r["error_type"], r["in_doubt"]) == ("SendCancelled", "false")

        # --resume: only the rows that never started go out; the two in doubt stay unsent.
        sb.simulator("meta").clear_faults()
        resumed = _run(["send-bulk", str(source), "--resume", str(out)], env)
        assert resumed.returncode == 1, resumed.stderr
        assert "2 rows in doubt are not resent" in resumed.stderr
        sent = _sent_to(sb)
        assert set(sent.values()) == {1}
        assert set(sent) == answered | hanging | never_started
        second = _by_row(out)
        assert sorted(second) == list(range(1, 13))
        assert {r["to"] for r in second.values() if r["ok"] == "true"} == answered | never_started
        assert {r["to"] for r in second.values() if r["in_doubt"] == "true"} == hanging
        assert {k: second[k] for k in first if first[k]["ok"] == "true"} == {
            k: v for k, v in first.items() if v["ok"] == "true"
        }

        # --resend-in-doubt: the two in doubt, and nothing else, go out again.
        again = _run(["send-bulk", str(source), "--resume", str(out), "--resend-in-doubt"], env)
        assert again.returncode == 1, again.stderr  # the rejected row still has no text
        sent = _sent_to(sb)
        assert {n for n, count in sent.items() if count == 2} == hanging
        assert set(sent.values()) == {1, 2}
        third = _by_row(out)
        assert [k for k, r in third.items() if r["ok"] != "true"] == [rejected]

        # The rejected row fixed in place (same `to`): only it is sent, and the run is complete.
        _write_csv(source, [[n, f"hi {i}"] for i, n in enumerate(numbers, 1)])
        last = _run(["send-bulk", str(source), "--resume", str(out)], env)
        assert last.returncode == 0, last.stderr
        assert last.stdout.startswith("12 rows: 12 sent, 0 failed")
        assert _sent_to(sb)[numbers[rejected - 1]] == 1
        assert sum(_sent_to(sb).values()) == 12 + len(hanging)
        assert all(r["ok"] == "true" for r in _by_row(out).values())


# -- in-process runs against the toy simulator -------------------------------------------------


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ThreadedSandbox(["toy"]) as sb:
        for name in [k for k in os.environ if k.startswith("WHATSAPP_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("WHATSAPP_PROVIDER", "toy")
        monkeypatch.setenv("WHATSAPP_API_KEY", TOY_KEY)
        monkeypatch.setenv("WHATSAPP_BASE_URL", sb.base_url("toy"))
        yield sb


def _toy_sent(sb: Sandbox) -> Counter[str]:
    return Counter(r.json["to"] for r in sb.requests("toy"))


def test_rejected_rows_keep_their_to_and_count_in_the_progress(
    toy: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(1), "hi"], [_number(2), ""], ["", "no one"], [_number(4), "x"]])
    out = tmp_path / "out.csv"
    assert main(["send-bulk", str(source), "--out", str(out)]) == 1
    rows = _by_row(out)
    assert (rows[2]["to"], rows[2]["provider"], rows[2]["error_type"]) == (
        _number(2),
        "toy",
        "ValidationError",
    )
    assert (rows[3]["to"], rows[3]["provider"], rows[3]["in_doubt"]) == ("", "toy", "false")
    assert [rows[n]["ok"] for n in (1, 4)] == ["true", "true"]
    captured = capsys.readouterr()
    assert captured.out == f"4 rows: 2 sent, 2 failed; results in {out}\n"
    assert "4/4" in captured.err


def test_a_5xx_is_in_doubt_and_a_4xx_is_not(
    toy: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHATSAPP_MAX_RETRIES", "0")
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(i), "hi"] for i in range(1, 4)])
    out = tmp_path / "out.csv"
    toy.fail_next("toy", status=503)
    toy.fail_next("toy", status=400)
    args = ["send-bulk", str(source), "--out", str(out), "--concurrency", "1"]
    assert main(args) == 1
    rows = _by_row(out)
    assert [(r["error_type"], r["in_doubt"]) for r in rows.values()] == [
        ("ServerError", "true"),
        ("BadRequestError", "false"),
        ("", "false"),
    ]
    assert main(["send-bulk", str(source), "--resume", str(out)]) == 1
    assert _toy_sent(toy) == {_number(1): 1, _number(2): 2, _number(3): 1}
    assert _by_row(out)[2]["ok"] == "true"


def test_resume_refuses_a_results_file_of_another_input(
    toy: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(1), "hi"], [_number(2), "hi"]])
    out = tmp_path / "out.csv"
    assert main(["send-bulk", str(source), "--out", str(out)]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    _write_csv(source, [[_number(2), "hi"], [_number(1), "hi"]])
    assert main(["send-bulk", str(source), "--resume", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "row 1 is for '+14155550001'" in err
    _write_csv(source, [[_number(1), "hi"]])
    assert main(["send-bulk", str(source), "--resume", str(out)]) == 2
    assert "has a line for row 2, but the input has 1 rows" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert len(toy.requests("toy")) == 2


def test_rows_without_a_line_count_as_in_doubt(
    toy: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a run killed with SIGKILL leaves: some rows have no line, the last one is cut off.
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(i), "hi"] for i in range(1, 5)])
    out = tmp_path / "out.csv"
    with out.open("w", newline="") as fh:
        writer = ResultsWriter(fh, provider="toy")
        writer.write(
            1,
            _number(1),
            SendResult(id="t-1", status="accepted", provider="toy", recipient=_number(1)),
        )
        fh.write(",".join(result_fields(2, _number(2), InvalidRecipient("x"))[:4]))
    assert main(["send-bulk", str(source), "--resume", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the last line of" in err and "3 rows have no line" in err
    assert toy.requests("toy") == []
    rows = _by_row(out)
    assert sorted(rows) == [1, 2, 3, 4]
    assert [rows[n]["in_doubt"] for n in (2, 3, 4)] == ["true"] * 3
    assert main(["send-bulk", str(source), "--resume", str(out), "--resend-in-doubt"]) == 0
    assert _toy_sent(toy) == {_number(i): 1 for i in (2, 3, 4)}


def test_an_existing_results_file_is_never_replaced_by_accident(
    toy: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(1), "hi"]])
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    assert main(["send-bulk", str(source), "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err and out.read_text() == "precious\n"
    assert main(["send-bulk", str(source), "--out", str(out), "--overwrite"]) == 0
    assert _by_row(out)[1]["ok"] == "true"
    elsewhere = tmp_path / "copy.csv"
    assert main(["send-bulk", str(source), "--resume", str(out), "--out", str(elsewhere)]) == 0
    assert _by_row(elsewhere) == _by_row(out) and len(toy.requests("toy")) == 1
    assert main(["send-bulk", str(source), "--resend-in-doubt"]) == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_rate_spaces_the_sends(toy: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [[_number(i), "hi"] for i in range(1, 16)])
    out = tmp_path / "out.csv"
    assert main(["send-bulk", str(source), "--out", str(out), "--rate", "10"]) == 0
    times = [r.received_at for r in toy.requests("toy")]
    # A burst of 10, then one every 0.1 s: the last five take 0.5 s.
    assert max(times) - min(times) >= 0.4
    with pytest.raises(SystemExit) as info:
        main(["send-bulk", str(source), "--out", str(out), "--rate", "0"])
    assert info.value.code == 2


def test_check_templates_refuses_unknown_templates_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ThreadedSandbox(["meta"]) as sb:
        for key, value in _meta_env(sb).items():
            if key.startswith("WHATSAPP_"):
                monkeypatch.setenv(key, value)
        source = tmp_path / "in.csv"
        _write_csv(source, [[_number(1), ""]])
        out = tmp_path / "out.csv"
        args = ["send-bulk", str(source), "--out", str(out), "--template", "no_such_template"]
        assert main([*args, "--check-templates"]) == 1
        row = _by_row(out)[1]
        assert (row["error_type"], row["in_doubt"]) == ("TemplateMismatch", "false")
        assert not [r for r in sb.requests("meta") if r.path.endswith("/messages")]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"whatsapp-async {__version__}\n"


def test_help_names_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["send-bulk", "--help"])
    text = capsys.readouterr().out
    assert "130" in text and "--resume" in text and "in_doubt" in text


# -- the pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "maybe"),
    [
        (SendResult(id="x", status="accepted", provider="toy", recipient="+1"), True),
        (SendCancelled("stopped", request_started=True), True),
        (SendCancelled("stopped", request_started=False), False),
        (APIConnectionError("reset", request_sent=True), True),
        (APIConnectionError("refused", request_sent=False), False),
        (APITimeoutError("slow", timeout="connect", request_sent=False), False),
        (APITimeoutError("slow"), True),
        (ServerError("boom", status=502), True),
        (ServerError("meta code 131000", status=400), True),
        (BadRequestError("no", status=400), False),
        (RateLimitError("later", status=429), False),
        (TemplateMismatch("unknown template", template="t", language="en_US"), False),
        (ValidationError("bad row"), False),
        (InvalidRecipient("bad number"), False),
        (ConfigurationError("bad settings"), False),
        (BulkRun(1, provider="toy").unexpected(KeyError("x")), True),  # a bug mid-send: maybe
        (APIError("a plain API error"), False),
    ],
)
def test_may_have_been_sent(outcome: SendResult | Exception, maybe: bool) -> None:
    assert may_have_been_sent(outcome) is maybe  # type: ignore[arg-type]


def test_result_lines_stay_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as fh:
        ResultsWriter(fh, provider="toy").write(1, "+1", BadRequestError("two\nlines", status=400))
    assert len(path.read_text().splitlines()) == 2
    with path.open(newline="") as fh:
        lines, dropped = read_results(fh)
    assert not dropped and lines[1].fields["error"] == "two lines"
