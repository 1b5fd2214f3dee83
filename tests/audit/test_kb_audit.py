"""The knowledge-base columns of the audit trail (migration m005): rows written before the migration still
verify after it, beside new rows with retrieval figures; an edit of a figure is caught; validation refuses
text; the dashboard's knowledge-base figures come from the rollups and are suppressed with their group."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

import pytest

from services import store as store_module
from services.audit import AuditLog, TurnRecord, canonical_json, verify_chain
from services.audit.dashboard import DateRange, build, to_json
from services.audit.log import tail
from services.audit.records import COLUMNS, validate
from services.keys import hash_id
from services.store import open_store, transaction
from tests.support.dashboard import user_hash

# The columns and the MAC as the code before m005 wrote them, written out here on purpose: old rows must
# keep verifying however the current code builds its canonical form.
OLD_COLUMNS = ("seq", "ts", "kind", "session_hash", "user_hash", "role", "model", "prompt_tokens",
               "completion_tokens", "ttft_ms", "latency_ms", "redactions_in", "redactions_out", "outcome",
               "target_hash")


def _old_mac(chain_key: bytes, previous: bytes, row: dict) -> bytes:
    body = {c: row[c] for c in OLD_COLUMNS if c != "target_hash" or row[c] is not None}
    return hmac.digest(chain_key, previous + canonical_json(body).encode("ascii"), "sha256")


def _turn(keys, user: int, **kb) -> TurnRecord:
    return TurnRecord(session_hash=hash_id(keys.pepper, "session", f"s{user}"), user_hash=user_hash(keys, user),
                      role="staff", model="fake-model", prompt_tokens=10, completion_tokens=20, ttft_ms=50.0,
                      latency_ms=400.0, redactions_in={}, redactions_out={}, outcome=kb.pop("outcome", "ok"), **kb)


def _kb(keys, passages: int, latency: float = 12.0) -> dict:
    docs = [hashlib.sha256(f"doc{i}".encode()).hexdigest() for i in range(passages)]
    return {"kb_passages": passages, "kb_documents": docs + docs[:1], "kb_top_score": 0.8 if passages else 0.1,
            "kb_latency_ms": latency, "kb_collections": [hash_id(keys.pepper, "kb_collection", "support")]}


@pytest.mark.sqlcipher_only  # SQLite's own SQL (triggers, PRAGMA), its file or its disk
def test_rows_written_before_m005_still_verify_beside_new_rows(settings, keys, monkeypatch):
    # A store as it was before m005, with rows written in the old canonical form.
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:4])
    engine = open_store(settings, keys, create=True)
    mac = bytes(32)
    with transaction(engine, write=True) as conn:
        assert "kb_passages" not in {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(audit_events)")}
        for seq in (1, 2, 3):
            row = {c: None for c in OLD_COLUMNS} | {
                "seq": seq, "ts": f"2026-05-01T10:00:0{seq}.000Z", "kind": "turn" if seq != 2 else "login",
                "session_hash": "a" * 64, "user_hash": "b" * 64, "role": "staff", "outcome": "ok",
                "model": "m", "latency_ms": 5.0, "redactions_in": "{}", "redactions_out": "{}",
                "target_hash": "c" * 64 if seq == 2 else None}
            mac = _old_mac(keys.chain_key, mac, row)
            conn.exec_driver_sql(f"INSERT INTO audit_events ({', '.join(OLD_COLUMNS)}, mac) VALUES "
                                 f"({', '.join('?' * len(OLD_COLUMNS))}, ?)",
                                 (*(row[c] for c in OLD_COLUMNS), mac.hex()))
    engine.dispose()
    monkeypatch.undo()
    # Opened by the current code: m005 adds the columns; the old rows verify, and new ones follow them.
    engine = open_store(settings, keys)
    try:
        assert verify_chain(engine, keys.chain_key) == (True, None)
        log = AuditLog(engine, keys.chain_key)
        log.start()
        try:
            log.submit(_turn(keys, 1, **_kb(keys, 2))).result(10)
            log.submit(_turn(keys, 2)).result(10)  # knowledge off: kb columns stay NULL
            log.submit(_turn(keys, 3, **_kb(keys, 0))).result(10)
        finally:
            log.close()
        assert verify_chain(engine, keys.chain_key) == (True, None)
        rows = tail(engine, 6)
        assert [r["kb_passages"] for r in rows] == [None, None, None, 2, None, 0]
        assert rows[3]["kb_documents"] == sorted(_kb(keys, 2)["kb_documents"][:2])  # sorted, each once
        assert rows[5]["kb_documents"] == []
        # An edited figure breaks the chain at its row.
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE audit_events SET kb_passages = 5 WHERE seq = 4")
        assert verify_chain(engine, keys.chain_key) == (False, 4)
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE audit_events SET kb_passages = 2 WHERE seq = 4")
            conn.exec_driver_sql("UPDATE audit_events SET kb_passages = 0 WHERE seq = 2")  # a figure added to an old row
        assert verify_chain(engine, keys.chain_key) == (False, 2)
    finally:
        engine.dispose()


@pytest.mark.parametrize("bad", [
    {"kb_passages": 1, "kb_documents": ["refund policy"], "kb_top_score": 0.5, "kb_latency_ms": 1.0},
    {"kb_passages": 1, "kb_collections": ["support"], "kb_top_score": 0.5, "kb_latency_ms": 1.0},
    {"kb_passages": 1, "kb_documents": "ab" * 32, "kb_top_score": 0.5, "kb_latency_ms": 1.0},
    {"kb_passages": 1, "kb_top_score": 1.5, "kb_latency_ms": 1.0},
    {"kb_passages": -1, "kb_top_score": 0.5, "kb_latency_ms": 1.0},
    {"kb_passages": 1, "kb_top_score": 0.5, "kb_latency_ms": float("nan")},
    {"kb_documents": ["ab" * 32]},  # figures without a search
])
def test_validation_refuses_text_and_bad_figures(keys, bad):
    with pytest.raises(ValueError):
        validate(_turn(keys, 1, **bad))


def test_every_kb_column_is_metadata(keys):
    row = validate(_turn(keys, 1, **_kb(keys, 3)))
    assert set(row) == set(COLUMNS) - {"seq", "ts"}
    assert json.loads(row["kb_documents"]) == sorted(json.loads(row["kb_documents"]))
    assert all(len(h) == 64 for h in json.loads(row["kb_documents"]) + json.loads(row["kb_collections"]))


def test_dashboard_knowledge_figures_and_suppression(store, keys, monkeypatch):
    import sys

    module = sys.modules[AuditLog.__module__]
    stamps = iter([f"2026-06-0{d}T09:00:0{i}.000Z" for d in (1, 2) for i in range(6)])
    monkeypatch.setattr(module, "utc_now", lambda: next(stamps))
    log = AuditLog(store, keys.chain_key)
    log.start()
    try:
        # Day 1: five users; three turns with sources, one the documents did not answer, one knowledge off,
        # one failed after a search.
        for record in (_turn(keys, 1, **_kb(keys, 2, 10.0)), _turn(keys, 2, **_kb(keys, 1, 20.0)),
                       _turn(keys, 3, **_kb(keys, 3, 40.0)), _turn(keys, 4, **_kb(keys, 0, 80.0)),
                       _turn(keys, 5), _turn(keys, 5, outcome="engine_error", **_kb(keys, 1, 160.0))):
            log.submit(record).result(10)
        # Day 2: one user only.
        for _ in range(6):
            log.submit(_turn(keys, 9, **_kb(keys, 1))).result(10)
    finally:
        log.close()
    d = build(store, DateRange(date(2026, 6, 1), date(2026, 6, 2)), k=5)
    day1, day2 = d.days
    f = day1.figures
    assert (f.kb_searched, f.kb_with_sources, f.kb_no_answer, f.ok) == (5, 3, 1, 5)
    assert f.kb_without_sources == 2 and f.kb_no_answer_rate == pytest.approx(1 / 5)
    assert 9 <= f.kb_latency_ms.p50 <= 45 and 150 <= f.kb_latency_ms.p95 <= 170
    assert day2.suppressed and day2.figures is None
    data = to_json(d)
    assert data["days"][0]["kb"]["with_sources"] == 3 and data["days"][0]["kb"]["no_answer_rate"] == 0.2
    assert "kb" not in data["days"][1]
    assert data["summary"]["kb"]["searched"] == 11  # six users over the range: shown
