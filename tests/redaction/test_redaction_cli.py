"""`python -m redaction redact`: redacted copies of text/Markdown files and folders, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PHONE = "13812345678"
EMAIL = "li.ming@example.com"
ORDER = "ORD-12345678"
CN_ID = "11010519491231002X"
SECRETS = (PHONE, EMAIL, ORDER, CN_ID)


def run(*args: str | Path) -> subprocess.CompletedProcess:
    """Run `python -m redaction redact ARGS...` from the repository root."""
    return subprocess.run([sys.executable, "-m", "redaction", "redact", *map(str, args)], capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under root (symlinks not followed) and its bytes."""
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def make_kb(root: Path) -> Path:
    kb = root / "kb"
    (kb / "guides" / "deep").mkdir(parents=True)
    (kb / "a.txt").write_text(f"call {PHONE} or {PHONE}, mail {EMAIL}\n", encoding="utf-8")
    (kb / "guides" / "b.md").write_text(f"# order\n\norder {ORDER}\n", encoding="utf-8")
    (kb / "guides" / "deep" / "c.markdown").write_text(f"id {CN_ID}\n", encoding="utf-8")
    (kb / "guides" / "deep" / "d.text").write_text("nothing here\n", encoding="utf-8")
    (kb / "logo.png").write_bytes(b"\x89PNG\r\n")
    return kb


def test_folder_is_mirrored_next_to_itself(tmp_path):
    kb = make_kb(tmp_path)
    before = snapshot(kb)
    proc = run(kb)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "kb.redacted"
    assert sorted(snapshot(out)) == ["a.txt", "guides/b.md", "guides/deep/c.markdown", "guides/deep/d.text"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "call [PHONE_1] or [PHONE_1], mail [EMAIL_1]\n"
    assert (out / "guides" / "b.md").read_text(encoding="utf-8") == "# order\n\norder [ORDER_ID_1]\n"
    assert (out / "guides" / "deep" / "c.markdown").read_text(encoding="utf-8") == "id [CN_ID_1]\n"
    assert (out / "guides" / "deep" / "d.text").read_text(encoding="utf-8") == "nothing here\n"
    assert snapshot(kb) == before  # originals untouched, byte for byte, and nothing added in the tree
    lines = proc.stdout.splitlines()
    assert f"{kb / 'a.txt'}: 3 spans (EMAIL=1, PHONE=2)" in lines
    assert f"{kb / 'guides' / 'b.md'}: 1 span (ORDER_ID=1)" in lines
    assert f"{kb / 'guides' / 'deep' / 'd.text'}: 0 spans" in lines
    assert f"{kb / 'logo.png'}: skipped (not a text or Markdown file)" in lines
    assert lines[-1] == "total: 5 spans (CN_ID=1, EMAIL=1, ORDER_ID=1, PHONE=2) in 4 files; 0 failed, 1 skipped"
    assert not any(s in proc.stdout + proc.stderr for s in SECRETS)


def test_placeholders_are_numbered_per_file(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "one.txt").write_text(f"{PHONE} 13912345678\n", encoding="utf-8")
    (kb / "two.txt").write_text(f"13912345678 {PHONE}\n", encoding="utf-8")
    assert run(kb).returncode == 0
    out = tmp_path / "kb.redacted"
    assert (out / "one.txt").read_text(encoding="utf-8") == "[PHONE_1] [PHONE_2]\n"
    assert (out / "two.txt").read_text(encoding="utf-8") == "[PHONE_1] [PHONE_2]\n"


def test_single_file_gets_a_sibling_copy(tmp_path):
    src = tmp_path / "notes.md"
    src.write_text(f"phone {PHONE}\n", encoding="utf-8")
    proc = run(src)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "notes.redacted.md").read_text(encoding="utf-8") == "phone [PHONE_1]\n"
    assert src.read_text(encoding="utf-8") == f"phone {PHONE}\n"
    assert proc.stdout.splitlines()[0] == f"{src}: 1 span (PHONE=1)"


def test_out_dir_mirrors_relative_paths(tmp_path):
    kb = make_kb(tmp_path)
    single = tmp_path / "single.txt"
    single.write_text(f"mail {EMAIL}\n", encoding="utf-8")
    out = tmp_path / "export" / "clean"
    proc = run(kb, single, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(snapshot(out)) == ["kb/a.txt", "kb/guides/b.md", "kb/guides/deep/c.markdown",
                                     "kb/guides/deep/d.text", "single.txt"]
    assert (out / "single.txt").read_text(encoding="utf-8") == "mail [EMAIL_1]\n"
    assert not (tmp_path / "kb.redacted").exists() and not (tmp_path / "single.redacted.txt").exists()


def test_refuses_to_overwrite_unless_forced(tmp_path):
    kb = make_kb(tmp_path)
    assert run(kb).returncode == 0
    target = tmp_path / "kb.redacted" / "a.txt"
    target.write_text("stale\n", encoding="utf-8")
    proc = run(kb)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr and "--force" in proc.stderr
    assert target.read_text(encoding="utf-8") == "stale\n"  # nothing written at all
    proc = run(kb, "--force")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8") == "call [PHONE_1] or [PHONE_1], mail [EMAIL_1]\n"


def test_refuses_output_inside_input_tree_or_on_an_input(tmp_path):
    kb = make_kb(tmp_path)
    before = snapshot(tmp_path)
    for args in ([kb, "--out", kb / "clean"], [kb, "--out", kb], [kb, "--out", tmp_path, "--force"],
                 [kb, kb / "a.txt"], [kb, kb]):
        proc = run(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith("redact: ") and proc.stdout == ""
    assert snapshot(tmp_path) == before
    # A hidden folder inside the tree is never walked, so it is allowed as an output.
    assert run(kb, "--out", kb / ".redacted").returncode == 0
    assert (kb / ".redacted" / "kb" / "a.txt").exists()
    assert run(kb, "--out", kb / ".redacted", "--force").returncode == 0  # not re-read: still 4 files


def test_crlf_and_bom_are_kept(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "crlf.txt").write_bytes(f"line one {PHONE}\r\nline two\r\nmixed\nend".encode())
    (kb / "bom.md").write_bytes(b"\xef\xbb\xbf" + f"# t\r\n{EMAIL}\r\n".encode())
    assert run(kb).returncode == 0
    out = tmp_path / "kb.redacted"
    assert (out / "crlf.txt").read_bytes() == b"line one [PHONE_1]\r\nline two\r\nmixed\nend"
    assert (out / "bom.md").read_bytes() == b"\xef\xbb\xbf# t\r\n[EMAIL_1]\r\n"


def test_non_utf8_file_fails_alone_without_leaking(tmp_path):
    kb = make_kb(tmp_path)
    bad = kb / "guides" / "legacy.txt"
    bad.write_bytes(f"电话 {PHONE} ".encode("gbk") + b"\xff")
    proc = run(kb)
    assert proc.returncode == 1
    assert f"{bad}: failed (not UTF-8 text)" in proc.stdout.splitlines()
    assert "failed" in proc.stderr
    assert not any(s in proc.stdout + proc.stderr for s in SECRETS)
    assert "Traceback" not in proc.stderr
    out = tmp_path / "kb.redacted"
    assert not (out / "guides" / "legacy.txt").exists()
    assert (out / "a.txt").exists() and (out / "guides" / "deep" / "c.markdown").exists()
    assert bad.read_bytes().endswith(b"\xff")


def test_too_large_file_fails(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    with open(kb / "huge.txt", "wb") as f:
        f.truncate(50 * 1024 * 1024 + 1)  # sparse: cheap to make, refused before reading
    (kb / "ok.txt").write_text(f"{PHONE}\n", encoding="utf-8")
    proc = run(kb, "--json")
    assert proc.returncode == 1
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert files["huge.txt"]["status"] == "failed" and files["huge.txt"]["reason"] == "too large"
    assert files["ok.txt"]["status"] == "redacted"
    assert not (tmp_path / "kb.redacted" / "huge.txt").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"{PHONE}\n", encoding="utf-8")
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "real.md").write_text(f"{EMAIL}\n", encoding="utf-8")
    (kb / "linked.md").symlink_to(outside / "secret.md")
    (kb / "linkdir").symlink_to(outside, target_is_directory=True)
    proc = run(kb)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"{kb / 'linked.md'}: skipped (symlink not followed)" in lines
    assert f"{kb / 'linkdir'}: skipped (symlink not followed)" in lines
    assert sorted(snapshot(tmp_path / "kb.redacted")) == ["real.md"]
    assert not (tmp_path / "kb.redacted" / "linkdir").exists()
    # Named directly, a symlink is skipped too.
    proc = run(kb / "linked.md")
    assert proc.returncode == 0 and "symlink not followed" in proc.stdout
    assert not (kb / "linked.redacted.md").exists()


def test_hidden_directories_are_skipped(tmp_path):
    kb = make_kb(tmp_path)
    (kb / ".git").mkdir()
    (kb / ".git" / "notes.md").write_text(f"{PHONE}\n", encoding="utf-8")
    proc = run(kb)
    assert proc.returncode == 0
    assert f"{kb / '.git'}: skipped (hidden directory)" in proc.stdout.splitlines()
    assert not (tmp_path / "kb.redacted" / ".git").exists()


def test_json_summary(tmp_path):
    kb = make_kb(tmp_path)
    (kb / "bad.txt").write_bytes(b"\xc3\x28")
    proc = run(kb, "--json")
    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert set(summary) == {"files", "totals"}
    assert summary["totals"] == {"CN_ID": 1, "EMAIL": 1, "ORDER_ID": 1, "PHONE": 2}
    by_path = {f["path"]: f for f in summary["files"]}
    for f in summary["files"]:
        assert {"path", "counts", "status"} <= set(f)
        assert f["status"] in {"redacted", "failed", "skipped"}
    assert by_path[str(kb / "a.txt")]["counts"] == {"EMAIL": 1, "PHONE": 2}
    assert by_path[str(kb / "a.txt")]["status"] == "redacted"
    assert by_path[str(kb / "a.txt")]["output"] == str(tmp_path / "kb.redacted" / "a.txt")
    assert by_path[str(kb / "bad.txt")]["status"] == "failed"
    assert by_path[str(kb / "bad.txt")]["reason"] == "not UTF-8 text"
    assert by_path[str(kb / "logo.png")]["status"] == "skipped"
    assert not any(s in proc.stdout + proc.stderr for s in SECRETS)


def test_markdown_structure_is_kept(tmp_path):
    kb = tmp_path / "kb"
    (kb / "faq" / "billing").mkdir(parents=True)
    doc = (
        "# refunds\n"
        "\n"
        "## contact\n"
        "\n"
        f"- phone: **{PHONE}**\n"
        f"- mail: <{EMAIL}>\n"
        "\n"
        "> quote of order " + ORDER + "\n"
        "\n"
        "```json\n"
        f'{{"id": "{CN_ID}", "n": 1}}\n'
        "```\n"
        "\n"
        "| key | value |\n"
        "|-----|-------|\n"
        f"| phone | {PHONE} |\n"
    )
    (kb / "faq" / "billing" / "refunds.md").write_text(doc, encoding="utf-8")
    proc = run(kb)
    assert proc.returncode == 0, proc.stderr
    got = (tmp_path / "kb.redacted" / "faq" / "billing" / "refunds.md").read_text(encoding="utf-8")
    expected = (doc.replace(PHONE, "[PHONE_1]").replace(EMAIL, "[EMAIL_1]")
                .replace(ORDER, "[ORDER_ID_1]").replace(CN_ID, "[CN_ID_1]"))
    assert got == expected
    assert got.splitlines()[:4] == ["# refunds", "", "## contact", ""]
    assert [line for line in got.splitlines() if line.startswith("```")] == ["```json", "```"]


def test_missing_path_and_usage(tmp_path):
    proc = run(tmp_path / "nope.md")
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr
    for args in ([], ["bogus"], ["redact"], ["redact", "--bogus", str(tmp_path)]):
        proc = subprocess.run([sys.executable, "-m", "redaction", *args], capture_output=True, text=True,
                              cwd=REPO, timeout=60)
        assert proc.returncode == 2, args
        assert "usage" in proc.stderr and proc.stdout == ""
    assert "redact PATH" in subprocess.run([sys.executable, "-m", "redaction"], capture_output=True, text=True,
                                           cwd=REPO, timeout=60).stderr


def test_other_files_in_a_folder_are_only_listed(tmp_path):
    kb = make_kb(tmp_path)
    (kb / "data.csv").write_text(f"{PHONE}\n", encoding="utf-8")
    (kb / "README").write_text(f"{PHONE}\n", encoding="utf-8")
    (kb / "UPPER.MD").write_text(f"{PHONE}\n", encoding="utf-8")
    proc = run(kb)
    assert proc.returncode == 0
    out = tmp_path / "kb.redacted"
    assert not (out / "data.csv").exists() and not (out / "README").exists()
    assert (out / "UPPER.MD").read_text(encoding="utf-8") == "[PHONE_1]\n"
    assert f"{kb / 'data.csv'}: skipped (not a text or Markdown file)" in proc.stdout.splitlines()


def test_unwritable_output_fails_alone(tmp_path):
    kb = make_kb(tmp_path)
    (tmp_path / "kb.redacted" / "a.txt").mkdir(parents=True)  # a folder where the copy should go
    proc = run(kb, "--force")
    assert proc.returncode == 1
    assert f"{kb / 'a.txt'}: failed (cannot write)" in proc.stdout.splitlines()
    assert (tmp_path / "kb.redacted" / "guides" / "b.md").exists()
    assert not [p for p in (tmp_path / "kb.redacted").rglob("*.tmp")]  # no temporary files left behind


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_not_opened(tmp_path):
    kb = make_kb(tmp_path)
    os.mkfifo(kb / "pipe.txt")  # opening it for reading would block
    proc = run(kb)
    assert proc.returncode == 0, proc.stderr
    assert f"{kb / 'pipe.txt'}: skipped (not a regular file)" in proc.stdout.splitlines()
