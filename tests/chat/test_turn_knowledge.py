"""Answering from the knowledge base, through the real runtime: a real SQLCipher store, a real KnowledgeBase
holding documents with personal data (written here by the libraries that write them), and the fake
engine process (the boundary: it records every request body). Proves the engine gets the passages only
redacted, the sources come back in TurnResult, the audit row keeps hashes, counts and timings and no
text, grants decide what a user's turn can find, and knowledge off means no search at all."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging

import pytest

from services.kb.answer import NO_ANSWER_ZH, knowledge_base
from services.keys import hash_id, load_keys
from services.logs import configure_logging
from services.ops.bootstrap import ensure_initialised
from services.redact import redactor_for
from services.runtime import Runtime
from services.store import open_store
from tests.support.documents import docx_file, xlsx
from tests.support.turns import settings_for

PHONE, NAME = "13912345678", "张伟"
HR_PHONE, HR_NAME = "13711112222", "李娜"
EN_PHONE, EN_NAME = "13987654321", "Margaret Thompson"
RAW = (PHONE, NAME, HR_PHONE, HR_NAME, EN_PHONE, EN_NAME)
RETURNS = "退货请联系客服主管张伟，电话 13912345678。收货后七天内可以申请退货退款，退款在三个工作日内原路返回。"
LEAVE = "年假申请请联系人事部李娜，电话 13711112222。员工每年享有十五天带薪年假。"
QUESTION = "退货退款多久能到账？"
HR_QUESTION = "员工每年有几天带薪年假？"


@pytest.fixture(scope="module")
def site(tmp_path_factory, fake_engine):
    """An initialised instance whose knowledge base holds `support` (granted to staff) and `hr` (granted
    to the identity-provider group hr only)."""
    tmp = tmp_path_factory.mktemp("kb-turn")
    settings = settings_for(tmp, fake_engine.base_url)
    ensure_initialised(settings)
    keys = load_keys(settings)
    files = tmp / "files"
    files.mkdir()
    returns = docx_file(files / "returns.docx", [("h1", "退货政策"), ("p", RETURNS)])
    faq = xlsx(files / "refund-faq.xlsx", [["question", "answer"],
                                           ["How long do refunds take?",
                                            f"Call our refunds lead {EN_NAME} on {EN_PHONE}. Refunds are paid "
                                            "within three working days."]])
    leave = docx_file(files / "leave.docx", [("h1", "年假制度"), ("p", LEAVE)])
    store = open_store(settings, keys)
    try:
        kb = knowledge_base(settings, store, redactor_for(settings))
        kb.add_file(returns, "kb/returns.docx", "support")
        kb.add_file(faq, "kb/refund-faq.xlsx", "support")
        kb.add_file(leave, "kb/leave.docx", "hr")
        kb.grant("support", "role:staff")
        kb.grant("hr", "group:hr")
    finally:
        store.dispose()
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (returns, faq, leave)}
    return settings, keys, sha


async def _turns(settings, steps):
    """Run (conversation options, settings values, question) steps in one runtime; each turn's result,
    the engine request it caused and the conversation; the runtime is stopped afterwards."""
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    out = []
    try:
        for n, (groups, values, question) in enumerate(steps):
            conv = runtime.conversation(f"chainlit-session-{n}", "alice.staff", "staff", groups=groups)
            runtime.chat.choose(conv, values)
            shown: list[str] = []

            async def on_text(piece, shown=shown):
                shown.append(piece)

            result = await runtime.chat.turn(conv, question, on_text)
            out.append((result, conv, "".join(shown)))
    finally:
        await runtime.stop()
    return runtime, out


def _sent(fake_engine, before):
    return [json.loads(b) for b in fake_engine.requests()[before:]]


def test_passages_reach_the_engine_redacted_and_come_back_as_sources(site, fake_engine, caplog):
    settings, keys, sha = site
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    before = len(fake_engine.requests())
    runtime, [(result, conv, shown)] = asyncio.run(_turns(settings, [(None, None, QUESTION)]))
    assert result.outcome == "ok" and result.error is None
    # Sources: numbered, from the readable collection, redacted (placeholders written ［…］).
    assert result.sources and [s.n for s in result.sources] == list(range(1, len(result.sources) + 1))
    assert {s.collection for s in result.sources} == {"support"}
    first = result.sources[0]
    assert first.title and "退货" in first.text and "［PHONE_1］" in first.text
    assert first.document_sha256 == sha["returns.docx"]
    for source in result.sources:
        for value in RAW:
            assert value not in f"{source.title} {source.heading} {source.text}"
    # The engine: the passages numbered in the system message, never a raw value from a document.
    [request] = _sent(fake_engine, before)
    raw_body = fake_engine.requests()[before]
    for value in RAW:
        assert value.encode() not in raw_body
    system = request["messages"][0]
    assert system["role"] == "system" and "[1] " in system["content"] and "例如 [1]" in system["content"]  # a Chinese question: Chinese instructions
    assert "［PHONE_1］" in system["content"] and "［PERSON_1］" in system["content"]
    assert request["messages"][-1] == {"role": "user", "content": QUESTION}
    # The history keeps the redacted question and reply only, never a passage.
    assert conv.history == [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": shown}]
    # The audit row: counts, hashes, timings; no text.
    row = runtime.audit.tail(1)[0]
    assert row["kind"] == "turn" and row["outcome"] == "ok"
    assert row["kb_passages"] == len(result.sources)
    assert row["kb_documents"] == sorted({s.document_sha256 for s in result.sources})
    assert row["kb_collections"] == [hash_id(keys.pepper, "kb_collection", "support")]
    assert 0 < row["kb_top_score"] <= 1 and row["kb_latency_ms"] > 0
    assert result.record.kb_passages == row["kb_passages"]
    flat = json.dumps(row, ensure_ascii=False)
    for text in ("退货", "support", "returns", first.title, QUESTION, *RAW):
        assert text not in flat
    # Nor in any log line.
    for text in ("退货", QUESTION, first.text[:10], *RAW):
        assert text not in caplog.text


def test_grants_decide_what_a_turn_can_find(site, fake_engine):
    settings, keys, sha = site
    before = len(fake_engine.requests())
    steps = [(None, None, HR_QUESTION),                        # staff without the hr group
             (["hr"], None, HR_QUESTION),                      # the same role, in the hr group
             (None, {"kb_collections": ["hr"]}, HR_QUESTION)]  # naming a collection not granted changes nothing
    runtime, [(plain, _, _), (member, _, _), (chose, _, _)] = asyncio.run(_turns(settings, steps))
    plain_req, member_req, chose_req = _sent(fake_engine, before)
    assert all(s.collection == "support" for s in plain.sources)
    assert "年假" not in plain_req["messages"][0]["content"]
    assert [s.document_sha256 for s in member.sources][0] == sha["leave.docx"]
    assert "年假" in member_req["messages"][0]["content"] and HR_PHONE not in json.dumps(member_req, ensure_ascii=False)
    # Only hr chosen, and hr not readable: nothing to search, so no search and no kb figures.
    assert chose.sources == () and chose.record.kb_passages is None
    assert chose_req["messages"][0]["content"] == settings.system_prompt
    rows = [r for r in runtime.audit.tail(3)]
    hr_hash = hash_id(keys.pepper, "kb_collection", "hr")
    assert hr_hash not in rows[0]["kb_collections"] and hr_hash in rows[1]["kb_collections"]
    assert rows[2]["kb_passages"] is None and rows[2]["kb_collections"] is None


def test_knowledge_off_means_no_search(site, fake_engine, monkeypatch):
    settings, _, _ = site
    searched: list[str] = []
    from services.kb.index import KnowledgeBase

    real = KnowledgeBase.search
    monkeypatch.setattr(KnowledgeBase, "search", lambda self, q, **kw: searched.append(q) or real(self, q, **kw))
    before = len(fake_engine.requests())
    runtime, [(result, conv, _)] = asyncio.run(_turns(settings, [(None, {"kb": False}, QUESTION)]))
    assert conv.knowledge is False and searched == []
    assert result.outcome == "ok" and result.sources == () and result.cited == ()
    [request] = _sent(fake_engine, before)
    assert request["messages"][0] == {"role": "system", "content": settings.system_prompt}
    row = runtime.audit.tail(1)[0]
    assert all(row[c] is None for c in ("kb_passages", "kb_documents", "kb_top_score", "kb_latency_ms",
                                        "kb_collections"))


def test_a_question_the_documents_do_not_answer(site, fake_engine):
    settings, _, _ = site
    before = len(fake_engine.requests())
    runtime, [(result, _, _)] = asyncio.run(_turns(settings, [(None, None, "火星的卫星叫什么名字？")]))
    assert result.outcome == "ok" and result.sources == ()
    [request] = _sent(fake_engine, before)
    assert request["messages"][0]["content"].endswith(NO_ANSWER_ZH)
    row = runtime.audit.tail(1)[0]
    assert row["kb_passages"] == 0 and row["kb_documents"] == [] and row["kb_latency_ms"] > 0


def test_a_failed_search_is_audited_and_answered_with_a_fixed_message(site, fake_engine, monkeypatch, caplog):
    settings, _, _ = site
    from services.kb.index import KnowledgeBase

    def broken(self, question, **kw):
        raise RuntimeError(f"boom {question}")

    monkeypatch.setattr(KnowledgeBase, "search", broken)
    before = len(fake_engine.requests())
    runtime, [(result, conv, _)] = asyncio.run(_turns(settings, [(None, None, QUESTION)]))
    assert result.outcome == "kb_unavailable" and result.error is not None and result.sources == ()
    assert _sent(fake_engine, before) == [] and conv.history == []
    assert runtime.audit.tail(1)[0]["outcome"] == "kb_unavailable"
    assert QUESTION not in caplog.text and "boom" not in caplog.text


def test_cited_sources_follow_the_reply():
    from services.kb.answer import Source, cited

    sources = tuple(Source(n, f"T{n}", None, n, "text", "c", "ab" * 32, 0.9) for n in (1, 2, 3))
    assert [s.n for s in cited("See [3] and [1].", sources)] == [1, 3]
    assert [s.n for s in cited("No citation here.", sources)] == [1, 2, 3]
    assert cited("[9]", ()) == ()
    assert sources[0].where == "T1 — p. 1"
