"""`python -m services.ops.replay`: replay a redacted set against fake engine processes, then diff the reports."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from services.ops.replay import SCHEMA, ReplayError, load_set, main
from tests.support.engine import FakeEngine
from tests.support.engine_server import DEFAULT_REPLY
from tests.support.process import ROOT, free_port, stop_process, wait_http

SETS = ROOT / "tests" / "ops" / "fixtures" / "replay"
BASIC = SETS / "basic.jsonl"
PHONE = "13812345678"


def replay(*args: object) -> int:
    """Run the command line in this process; output goes to pytest's capture."""
    return main([str(a) for a in args])


def run_to(engine_url: str, out: Path, *extra: object, set_path: Path = BASIC) -> dict:
    """Replay `set_path` against an engine, expect exit 0, return the report."""
    assert replay("run", set_path, "--engine-url", engine_url, "--out", out, *extra) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def set_texts(path: Path) -> list[str]:
    """Every message content and must_include string of a set (what a report must never hold)."""
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            texts += [obj["prompt"]] if "prompt" in obj else [m["content"] for m in obj["messages"]]
            texts += obj.get("expect", {}).get("must_include", [])
    return texts


@pytest.fixture(scope="module")
def reports(tmp_path_factory, fake_engine):
    """The baseline report and a second run of the same set against the same engine."""
    tmp = tmp_path_factory.mktemp("replay")
    before = len(fake_engine.requests())
    first = run_to(fake_engine.base_url, tmp / "old.json")
    sent = fake_engine.requests()[before:]
    second = run_to(fake_engine.base_url, tmp / "again.json")
    return {"dir": tmp, "old": tmp / "old.json", "again": tmp / "again.json", "first": first, "second": second,
            "sent": sent}


@pytest.fixture(scope="module")
def leaky_engine_url():
    """A fake engine whose every reply carries a phone number, an e-mail address and an order number."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.engine_server", "--port", str(port), "--pii"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc=proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop_process(proc)


def test_run_records_counts_per_prompt_and_summary(reports):
    report = reports["first"]
    assert report["schema"] == SCHEMA and report["set"]["file"] == "basic.jsonl"
    assert report["set"]["digest"] == load_set(str(BASIC))[1]
    assert report["config"]["model"] == "hushdesk-model" and report["config"]["temperature"] == 0.0
    assert report["hushdesk_version"] and report["engine"]["url"].endswith("/v1")
    s = report["summary"]
    assert (s["count"], s["ok"], s["errors"], s["errors_by_kind"]) == (7, 6, 1, {"engine_error": 1})
    assert (s["format_errors"], s["format_error_rate"]) == (2, round(2 / 6, 4))
    assert s["redactions"] == {} and s["prompts_with_pii"] == 0
    assert s["output_chars_p50"] == len(DEFAULT_REPLY)
    assert 0 < s["ttft_ms_p50"] <= s["latency_ms_p50"] <= s["latency_ms_p95"]
    by_id = {p["id"]: p for p in report["prompts"]}
    assert [p["id"] for p in report["prompts"]] == ["greeting", "refund-zh", "json-summary", "must-include",
                                                    "echo", "engine-fails", "short"]
    assert by_id["engine-fails"]["outcome"] == "engine_error" and by_id["engine-fails"]["latency_ms"] is None
    assert by_id["json-summary"]["format_errors"] == ["not_json"]
    assert by_id["short"]["format_errors"] == ["too_long"]
    assert by_id["must-include"]["format_errors"] == [] and by_id["refund-zh"]["format_errors"] == []
    greeting = by_id["greeting"]
    assert greeting["output_sha256"] == hashlib.sha256(DEFAULT_REPLY.encode()).hexdigest()
    assert greeting["output_chars"] == len(DEFAULT_REPLY) and greeting["tokens_from"] == "usage"
    # The echo reply repeats the placeholder [PHONE_1]: a placeholder is not personal data.
    assert by_id["echo"]["outcome"] == "ok" and by_id["echo"]["redactions"] == {}


def test_run_sends_like_a_chat_turn(reports):
    bodies = [json.loads(b) for b in reports["sent"]]
    assert len(bodies) == 1 + 7  # one untimed warm-up, then every prompt once
    assert all(b["stream"] and b["temperature"] == 0 and b["max_tokens"] == 1024 for b in bodies)
    assert all(b["model"] == "hushdesk-model" for b in bodies)
    refund = next(b for b in bodies[1:] if "退款" in json.dumps(b, ensure_ascii=False))
    assert [m["role"] for m in refund["messages"]] == ["system", "user"]


def test_report_is_private_by_default(reports, fake_engine, tmp_path):
    raw = reports["old"].read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(reports["old"]).st_mode) == 0o600
    assert not [t for t in set_texts(BASIC) if t in raw]
    assert "output" not in reports["first"]["prompts"][0] and DEFAULT_REPLY not in raw
    kept = run_to(fake_engine.base_url, tmp_path / "kept.json", "--keep-text", "--warmup", "0")
    assert kept["config"]["keep_text"] is True
    assert next(p for p in kept["prompts"] if p["id"] == "greeting")["output"] == DEFAULT_REPLY
    assert stat.S_IMODE(os.stat(tmp_path / "kept.json").st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_set_with_raw_pii_is_refused_without_printing_it(fake_engine, tmp_path, capsys):
    before = len(fake_engine.requests())
    out = tmp_path / "r.json"
    assert replay("run", SETS / "with-pii.jsonl", "--engine-url", fake_engine.base_url, "--out", out) == 2
    captured = capsys.readouterr()
    assert "line 3: still holds personal data (PHONE)" in captured.err
    assert PHONE not in captured.err + captured.out and "refund" not in captured.err
    assert "line 1" not in captured.err and "line 2" not in captured.err  # placeholders are fine
    assert not out.exists() and len(fake_engine.requests()) == before


def test_malformed_lines_are_named_by_number_only(fake_engine, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert replay("run", SETS / "malformed.jsonl", "--engine-url", fake_engine.base_url, "--out", out) == 2
    err = capsys.readouterr().err
    for expected in ("line 2: malformed JSON", "line 3: missing or empty id", "line 4: duplicate id (first on line 1)",
                     "line 5: needs exactly one of prompt or messages", "line 6: malformed expect",
                     "line 7: not a JSON object"):
        assert expected in err
    assert "line 1:" not in err and "no closing brace" not in err and "same id again" not in err
    assert not out.exists()


@pytest.mark.parametrize("line", [
    '{"id": "a", "messages": [{"role": [], "content": "x"}]}',
    '{"id": "a", "messages": [{"role": "assistant", "content": "x"}]}',
    '{"id": "a", "prompt": "x", "expect": {"max_chars": true}}',
    '{"id": "a", "prompt": "x", "extra": 1}',
    '{"id": "", "prompt": "x"}',
    b'{"id": "a", "prompt": "\xff"}',
])
def test_bad_line_shapes_are_refused(tmp_path, line):
    path = tmp_path / "set.jsonl"
    path.write_bytes(line if isinstance(line, bytes) else line.encode())
    with pytest.raises(ReplayError) as caught:
        load_set(str(path))
    assert caught.value.args[0].startswith("line 1: ")


def test_diff_of_two_runs_of_the_same_engine_passes(reports, capsys):
    assert replay("diff", reports["old"], reports["again"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("OK") and "FAIL" not in out
    assert "replies changed (SHA-256): 0 of 6" in out and "new errors: 0" in out


def test_diff_fails_on_a_slower_engine(reports, tmp_path, capsys):
    slow = FakeEngine(tmp_path, delay=0.02)
    try:
        run_to(slow.base_url, tmp_path / "slow.json", "--concurrency", "7", "--warmup", "0")
    finally:
        slow.stop()
    capsys.readouterr()
    assert replay("diff", reports["old"], tmp_path / "slow.json") == 1
    out = capsys.readouterr().out
    assert "FAIL latency p95 rose" in out and "PII" not in out.split("FAIL", 1)[1]
    replay("diff", reports["old"], tmp_path / "slow.json", "--max-latency-p95-increase", "1000")
    assert "FAIL latency p95" not in capsys.readouterr().out


def test_diff_fails_when_replies_start_carrying_pii(reports, leaky_engine_url, tmp_path, capsys):
    leaky = run_to(leaky_engine_url, tmp_path / "leaky.json")
    assert leaky["summary"]["redactions"] == {"EMAIL": 5, "ORDER_ID": 5, "PHONE": 5}
    raw = (tmp_path / "leaky.json").read_text(encoding="utf-8")
    assert "13912345678" not in raw and "alice.wong" not in raw
    capsys.readouterr()
    assert replay("diff", reports["old"], tmp_path / "leaky.json") == 1
    out = capsys.readouterr().out
    assert "FAIL PHONE found in replies 0 -> 5 times" in out and "FAIL EMAIL" in out
    assert "more PII in reply: 5" in out and "greeting (EMAIL +1, ORDER_ID +1, PHONE +1)" in out
    assert "new format errors: 1  must-include (missing:0)" in out


def test_diff_fails_on_a_large_length_change(reports, tmp_path, capsys):
    wordy = FakeEngine(tmp_path, tokens=200)
    try:
        run_to(wordy.base_url, tmp_path / "wordy.json", "--warmup", "0")
    finally:
        wordy.stop()
    capsys.readouterr()
    assert replay("diff", reports["old"], tmp_path / "wordy.json") == 1
    out = capsys.readouterr().out
    assert "FAIL output chars p50 changed by more than 50%" in out
    assert "length changes over 50%: 5  greeting (169 -> 800 chars);" in out  # the echo reply is unchanged
    replay("diff", reports["old"], tmp_path / "wordy.json", "--max-length-change", "10")
    assert "FAIL output chars" not in capsys.readouterr().out


def test_failures_are_recorded_and_an_all_failed_run_exits_1(fake_engine, tmp_path):
    hang = tmp_path / "hang.jsonl"
    hang.write_text('{"id": "h", "prompt": "[[hang]] hello"}\n{"id": "fine", "prompt": "hello"}\n')
    report = run_to(fake_engine.base_url, tmp_path / "h.json", "--timeout", "0.5", "--warmup", "0", set_path=hang)
    assert [p["outcome"] for p in report["prompts"]] == ["engine_timeout", "ok"]
    down = f"http://127.0.0.1:{free_port()}/v1"
    assert replay("run", BASIC, "--engine-url", down, "--out", tmp_path / "down.json", "--warmup", "0") == 1
    down_report = json.loads((tmp_path / "down.json").read_text())
    assert down_report["summary"]["errors_by_kind"] == {"engine_unavailable": 7}
    assert down_report["summary"]["latency_ms_p95"] is None


def test_api_key_from_the_environment_never_stored(tmp_path, monkeypatch):
    keyed = FakeEngine(tmp_path, api_key="s3cret-key")
    try:
        assert replay("run", BASIC, "--engine-url", keyed.base_url, "--out", tmp_path / "no.json",
                      "--warmup", "0") == 1  # every prompt refused: HTTP 401
        monkeypatch.setenv("REPLAY_API_KEY", "s3cret-key")
        report = run_to(keyed.base_url, tmp_path / "yes.json", "--warmup", "0")
    finally:
        keyed.stop()
    assert report["summary"]["ok"] == 6
    assert "s3cret" not in (tmp_path / "yes.json").read_text()


def test_refusals_exit_2(reports, fake_engine, tmp_path, capsys):
    old = reports["old"]
    before = old.read_bytes()
    assert replay("run", BASIC, "--engine-url", fake_engine.base_url, "--out", old) == 2  # exists, no --force
    assert old.read_bytes() == before
    forced = tmp_path / "forced.json"
    forced.write_text("old")
    assert replay("run", BASIC, "--engine-url", fake_engine.base_url, "--out", forced, "--force") == 0
    assert json.loads(forced.read_text())["summary"]["count"] == 7
    assert replay("run", BASIC, "--engine-url", "ftp://x/v1", "--out", tmp_path / "r.json") == 2
    other = json.loads(old.read_text())
    other["set"]["digest"] = "0" * 64
    (tmp_path / "other.json").write_text(json.dumps(other))
    (tmp_path / "junk.json").write_text("{}")
    capsys.readouterr()
    assert replay("diff", old, tmp_path / "other.json") == 2
    assert "different sets" in capsys.readouterr().err
    assert replay("diff", old, tmp_path / "junk.json") == 2
    assert replay("diff", old, tmp_path / "missing.json") == 2
    with pytest.raises(SystemExit) as caught:
        replay("diff", old, old, "--max-length-change", "-1")
    assert caught.value.code == 2


def test_command_line_as_a_process(fake_engine, tmp_path):
    def cli(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.ops.replay", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)

    first = cli("run", BASIC, "--engine-url", fake_engine.base_url, "--out", tmp_path / "a.json",
                "--label", "engine v2")
    assert first.returncode == 0 and "7 prompts, 1 errors" in first.stdout
    assert json.loads((tmp_path / "a.json").read_text())["label"] == "engine v2"
    done = cli("diff", tmp_path / "a.json", tmp_path / "a.json")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("OK")
