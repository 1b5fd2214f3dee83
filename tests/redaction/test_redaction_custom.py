"""Company-defined recognizers (redaction.custom): the file's rules, its errors naming the line, and the
custom labels flowing through redaction, placeholders, the output policy and the settings."""

from __future__ import annotations

import pytest

from redaction import Placeholders, Redactor, build_detectors
from redaction.custom import ALLOW, RuleFileError, parse_rules
from services.config import load_settings
from services.errors import ConfigError

RULES = """
# a company's own identifiers
[[recognizer]]
label = "MEMBER_ID"
patterns = ["M[0-9]{8}", "VIP-[0-9]{6}"]
cues = ["会员号", "member no"]

[[recognizer]]
label = "EMPLOYEE_ID"
patterns = ["E[0-9]{6}"]
case_sensitive = true

[[recognizer]]
label = "PROJECT"
deny = ["Project Phoenix", "凤凰计划"]

[[recognizer]]
label = "LOYALTY_CARD"
patterns = ["[0-9]{16}"]
validator = "luhn"

[[recognizer]]
label = "PERSON"
deny = ["Wang Dalei"]

[allow]
terms = ["hushdesk", "400-820-8820", "客服小美"]
"""


@pytest.fixture(scope="module")
def rules():
    return parse_rules(RULES)


@pytest.fixture(scope="module")
def redactor(rules):
    return Redactor(list(rules.detectors) + build_detectors())  # company rules win ties


def test_the_file_adds_its_labels(rules):
    assert rules.labels == ("MEMBER_ID", "EMPLOYEE_ID", "PROJECT", "LOYALTY_CARD")  # PERSON is built in
    assert rules.allow == ("hushdesk", "400-820-8820", "客服小美")


@pytest.mark.parametrize("text, found", [
    ("会员号：M12345678 请查一下", [("MEMBER_ID", "M12345678")]),
    ("会员号 VIP-123456", [("MEMBER_ID", "VIP-123456")]),
    ("my member no m12345678 please", [("MEMBER_ID", "m12345678")]),       # any case unless told
    ("员工E123456今天来电", [("EMPLOYEE_ID", "E123456")]),
    ("Project Phoenix 和凤凰计划的进度", [("PROJECT", "Project Phoenix"), ("PROJECT", "凤凰计划")]),
    ("loyalty 4111111111111111 ok", [("LOYALTY_CARD", "4111111111111111")]),
    ("VIP customer Wang Dalei called", [("PERSON", "Wang Dalei")]),
])
def test_custom_values_are_found(redactor, text, found):
    spans = redactor.find_spans(text)
    got = [(s.label, text[s.start:s.end]) for s in spans if s.label in {f[0] for f in found}]
    assert got == found


@pytest.mark.parametrize("text", [
    "M12345678 on its own",        # the member pattern needs its cue
    "员工e123456",                   # case_sensitive
    "code XM12345678 and 会员号M123456789",  # inside a longer token; too long
    "loyalty 4111111111111112 ok",  # fails Luhn
    "phoenix project",
])
def test_near_misses_are_not_custom_values(redactor, text):
    labels = {s.label for s in redactor.find_spans(text)}
    assert not labels & {"MEMBER_ID", "EMPLOYEE_ID", "LOYALTY_CARD", "PROJECT"}


def test_custom_labels_become_placeholders_and_reveal(redactor):
    vault = Placeholders()
    result = redactor.redact("会员号 M12345678，项目凤凰计划", vault, revealable=True)
    assert result.text == "会员号 [MEMBER_ID_1]，项目[PROJECT_1]"
    assert dict(result.counts) == {"MEMBER_ID": 1, "PROJECT": 1}
    assert vault.reveal("[MEMBER_ID_1]") == "M12345678"


@pytest.mark.parametrize("text, rule, line", [
    ('[[recognizer]]\nlabel = "x"\npatterns = ["a"]\n', "label must be", 2),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["a.*"]\n', "write the characters", 3),
    ('\n[[recognizer]]\nlabel = "AB"\n\npatterns = ["[^a]{3}"]\n', "write the characters", 5),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["(a"]\n', "not a valid regular expression", 3),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["A[0-9]+"]\n', "more than 64 characters", 3),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["(?:A)?"]\n', "empty string", 3),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["A1"]\nvalidator = "crc"\n', "validator must be one of", 4),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["A1"]\ncolour = 1\n', "unknown key 'colour'", 4),
    ('[[recognizer]]\nlabel = "AB"\n', "needs patterns, deny terms or both", 1),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["A1"]\ncues = ["a very long cue word here"]\n', "a cue is at most", 4),
    ('[[recognizer]]\nlabel = "AB"\npatterns = []\n', "non-empty strings", 3),
    ('x = [\n', "not valid TOML", 1),
    ('[[recognizer]]\nlabel = "AB"\npatterns = ["A1"]\n[allow]\nterms = "x"\n', "non-empty strings", 4),
])
def test_a_bad_file_is_refused_naming_its_line(text, rule, line):
    with pytest.raises(RuleFileError) as err:
        parse_rules(text, "rules.toml")
    assert f"rules.toml, line {line}: " in str(err.value) and rule in str(err.value)


def test_allowed_terms_are_never_masked(redactor):
    assert ALLOW in redactor.labels
    assert redactor.find_spans("客服小美为您服务，热线400-820-8820，hushdesk") == []
    # A value around an allowed term is still masked whole.
    assert [s.label for s in redactor.find_spans("会员号：M12345678")] == ["MEMBER_ID"]


def test_settings_read_the_file_once_and_check_the_policy_labels(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    settings = load_settings({"HUSHDESK_RECOGNIZERS_FILE": str(path),
                              "HUSHDESK_OUTPUT_POLICY": "MEMBER_ID=block"}, dotenv=False)
    assert settings.recognizers_file.labels[0] == "MEMBER_ID"
    assert settings.output_policy.block == frozenset({"MEMBER_ID"})
    with pytest.raises(ConfigError) as err:  # a policy label nobody defines
        load_settings({"HUSHDESK_OUTPUT_POLICY": "MEMBER_ID=block"}, dotenv=False)
    assert "MEMBER_ID" not in err.value.message
    path.write_text('[[recognizer]]\nlabel = "AB"\npatterns = ["A[0-9]+"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings({"HUSHDESK_RECOGNIZERS_FILE": str(path)}, dotenv=False)
    assert err.value.message.startswith("HUSHDESK_RECOGNIZERS_FILE: ") and "line 3" in err.value.message


def test_the_command_line_takes_a_recognizer_file(tmp_path):
    import json
    import subprocess
    import sys

    from tests.support.process import ROOT

    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    line = json.dumps({"text": "会员号：M12345678，电话13812345678"}) + "\n"
    run = subprocess.run([sys.executable, "-m", "redaction", "spans", "--rules", str(rules)], input=line,
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0
    assert [s["label"] for s in json.loads(run.stdout)["spans"]] == ["MEMBER_ID", "PHONE"]
    (tmp_path / "notes.md").write_text("项目凤凰计划，会员号 M12345678\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "redaction", "redact", str(tmp_path / "notes.md"), "--rules",
                          str(rules)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0
    assert (tmp_path / "notes.redacted.md").read_text(encoding="utf-8") == "项目[PROJECT_1]，会员号 [MEMBER_ID_1]\n"
    rules.write_text('[[recognizer]]\nlabel = "AB"\npatterns = ["A[0-9]+"]\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "redaction", "spans", "--rules", str(rules)], input=line,
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2 and "line 3" in run.stderr and run.stdout == ""
