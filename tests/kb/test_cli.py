"""`python -m services.kb` as the held-out evaluation runs it: `add PATH... --collection NAME` (folders
recursively, sources named relative to the working folder), and `search --json` answering one JSON line
per question, flushed before the next question is read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.config import load_settings
from services.ops.bootstrap import ensure_initialised
from tests.support.documents import write_all
from tests.support.process import base_env


@pytest.fixture
def site(tmp_path: Path):
    env = base_env(tmp_path / "data")
    _, engine, _ = ensure_initialised(load_settings(env, dotenv=False))
    engine.dispose()
    work = tmp_path / "work"
    write_all(work / "kb" / "policies")
    (work / "kb" / "policies" / "notes.bin").write_bytes(b"\x00\x01")  # not a supported type: skipped
    return work, env


def kb(site, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    work, env = site
    return subprocess.run([sys.executable, "-m", "services.kb", *args], cwd=work, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_add_a_folder_then_search_json(site) -> None:
    added = kb(site, "add", "kb", "--collection", "policies")
    assert added.returncode == 0, added.stderr
    lines = added.stdout.splitlines()
    assert len(lines) == 7 and all(": added," in line for line in lines)
    assert "kb/policies/shipping.md: added, 2 passages, redacted: PERSON 1, PHONE 1" in lines
    again = kb(site, "add", "kb/policies/faq.csv", "--collection", "policies")
    assert again.stdout.strip() == "kb/policies/faq.csv: unchanged, 1 passages, redacted: none"
    out = kb(site, "search", "--json", "--collection", "policies", "--k", "3",
             stdin='{"q": "can business accounts pay with an invoice"}\n\n{"q": "火车票怎么改签"}\nnot json\n')
    assert out.returncode == 0, out.stderr
    first, second, third = (json.loads(line) for line in out.stdout.splitlines())
    assert set(first) == {"results", "no_answer"} and first["no_answer"] is False
    top = first["results"][0]
    assert set(top) == {"source", "heading", "page", "score"}
    assert (top["source"], top["heading"], top["page"]) == ("kb/policies/faq.csv", "Can I pay by invoice?", None)
    assert len(first["results"]) <= 3 and isinstance(top["score"], float)
    assert second["no_answer"] is True
    assert third == {"results": [], "no_answer": True, "error": "not a JSON line with q"}


def test_search_json_answers_each_line_before_reading_the_next(site) -> None:
    kb(site, "add", "kb", "--collection", "policies")
    work, env = site
    proc = subprocess.Popen([sys.executable, "-m", "services.kb", "search", "--json"], cwd=work, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for question, source in (("积分能换礼品吗", "kb/policies/faq.xlsx"), ("pay with an invoice", "kb/policies/faq.csv")):
            proc.stdin.write(json.dumps({"q": question}, ensure_ascii=False) + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())  # would hang if the line were not flushed
            assert answer["results"][0]["source"] == source
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_a_bad_file_is_named_and_the_others_are_still_added(site) -> None:
    work, _ = site
    (work / "kb" / "policies" / "broken.pdf").write_bytes(b"not a pdf at all")
    added = kb(site, "add", "kb", "--collection", "policies")
    assert added.returncode == 1
    assert added.stderr.strip() == "kb/policies/broken.pdf: not added: The file is not a PDF, although its name says so."
    assert added.stdout.count(": added,") == 7
    listing = kb(site, "list", "--collection", "policies")
    assert "kb/policies/broken.pdf" not in listing.stdout and "kb/policies/returns.pdf\tpdf" in listing.stdout
    assert kb(site, "remove", "kb/policies/returns.pdf", "--collection", "policies").returncode == 0
    assert kb(site, "remove", "kb/policies/returns.pdf", "--collection", "policies").returncode == 2
    assert kb(site, "grant", "policies", "role:staff").returncode == 0
    assert "role:staff" in kb(site, "list").stdout
    assert kb(site, "search", "anything", "--collection", "nope").stdout.strip() == '{"results": [], "no_answer": true}'


def test_a_first_add_from_a_folder_of_documents_sets_the_store_up(tmp_path: Path) -> None:
    # How an evaluator runs it: the project's venv python from a folder of documents, on an install no one
    # has started, without PYTHONPATH (make's set-up puts the project on the venv's path). The first `add`
    # makes the key file and the encrypted store; `search` then reads them.
    env = base_env(tmp_path / "data")
    del env["PYTHONPATH"]
    work = tmp_path / "elsewhere"
    write_all(work / "docs")

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.kb", *args], cwd=work, env=env, input=stdin,
                              capture_output=True, text=True, timeout=180)

    added = run("add", "docs", "--collection", "faq")
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "data" / "keys.json").is_file() and (tmp_path / "data" / "audit.db").is_file()
    out = run("search", "--json", "--k", "1", stdin='{"q": "can business accounts pay with an invoice"}\n')
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"][0]["source"] == "docs/faq.csv"
