"""Hybrid search over a real SQLCipher store with a real embedding server process.

The embedding and reranker models are generated with RANDOM weights (services.engine.embed_model): these
tests check plumbing (vectors stored encrypted with their passages, kept in step across instances, fusion
and reranking taking part, keyword results unchanged without an embedder), never retrieval quality.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from services.engine.embed_model import EMBED_DIM, ensure_embed_model
from services.engine.specs import EMBED_KEY_ENV, Endpoint
from services.kb.embed import Embedder, EmbeddingUnavailable, Reranker
from services.kb.index import KbError, KnowledgeBase
from services.kb.vectors import from_blob
from services.store import transaction
from tests.support.process import ROOT, free_port, stop_process, wait_http

pytestmark = pytest.mark.timeout(180)

DOCS = {
    "refunds.md": "# 退款政策\n\n## 退款时间\n\n退款会在七个工作日内退回原支付账户。\n\n## Refunds\n\n"
                  "Refunds are paid to the original card within seven days.\n",
    "shipping.md": "# 配送说明\n\n## 快递\n\n快递一般三个工作日内送达，偏远地区可能需要更久。\n\n## Shipping\n\n"
                   "Standard shipping takes three business days; express arrives the next day.\n",
    "returns.md": "# Returns\n\n## Conditions\n\nReturns are accepted within thirty days if the item is unused.\n",
}
QUESTIONS = ["退款多久到账", "how long does shipping take", "return conditions", "快递 express", "warranty"]


def _serve(model, *extra):
    port, key = free_port(), "k-" + os.urandom(8).hex()
    env = {**os.environ, EMBED_KEY_ENV: key, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "services.engine.embed_server", "--model", str(model),
                             "--port", str(port), "--served-model-name", "m", *extra], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/health", timeout=90, proc=proc)
    return proc, Endpoint(f"http://127.0.0.1:{port}/v1", key, "m")


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory):
    base = tmp_path_factory.mktemp("models")
    embed, embed_ep = _serve(ensure_embed_model(base / "embed"))
    try:
        rerank, rerank_ep = _serve(ensure_embed_model(base / "rerank", rerank=True), "--rerank")
        try:
            yield {"embed": embed_ep, "rerank": rerank_ep}
        finally:
            stop_process(rerank)
    finally:
        stop_process(embed)


def _kb(store, redactor, **kw) -> KnowledgeBase:
    return KnowledgeBase(store, redactor, chunk_chars=200, overlap_chars=0, **kw)


def _add(kb: KnowledgeBase, names=DOCS) -> None:
    for name in names:
        kb.add_bytes(DOCS[name].encode(), name, f"docs/{name}", "policies")


def _plain(result):  # chunk ids change when passages are reindexed
    return (tuple(replace(h, chunk_id=0) for h in result.hits), result.no_answer, result.top_score, result.collections, result.mode)


def test_keyword_results_are_unchanged_without_an_embedder(store, redactor, endpoints):
    keyword = _kb(store, redactor)
    _add(keyword)
    before = [_plain(keyword.search(q)) for q in QUESTIONS]
    assert all(r[4] == "keyword" and all(h.similarity is None for h in r[0]) for r in before)
    hybrid = _kb(store, redactor, embedder=Embedder(endpoints["embed"]))
    assert hybrid.reindex() > 0  # re-embeds every passage
    with transaction(store) as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM kb_vectors").scalar() == \
               conn.exec_driver_sql("SELECT COUNT(*) FROM kb_chunks").scalar()
    assert [_plain(_kb(store, redactor).search(q)) for q in QUESTIONS] == before
    assert keyword.reindex() > 0  # without an embedder the vectors are kept
    with transaction(store) as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM kb_vectors").scalar() > 0


def test_hybrid_search_fuses_vectors_with_keywords(store, redactor, endpoints):
    embedder = Embedder(endpoints["embed"])
    kb = _kb(store, redactor, embedder=embedder)
    _add(kb)
    keyword = _kb(store, redactor)
    for question in QUESTIONS[:4]:
        result, plain = kb.search(question), keyword.search(question)
        assert result.mode == "hybrid"
        assert all(h.similarity is not None and 0.0 <= h.similarity <= 1.0 for h in result.hits)
        assert plain.hits[0].chunk_id in {h.chunk_id for h in result.hits}  # the keyword winner stays in
        sections = [(h.source, h.heading) for h in result.hits]
        assert len(sections) == len(set(sections))  # one result per section
        by_id = {h.chunk_id: h.score for h in plain.hits}
        assert all(h.score == by_id[h.chunk_id] for h in result.hits if h.chunk_id in by_id)  # keyword scores kept
    # No word in common: the keyword search finds nothing, the vectors still return passages; no_answer is the
    # keyword score's unless a similarity threshold is set.
    assert keyword.search("zzqx wibble").hits == ()
    nothing = kb.search("zzqx wibble")
    assert nothing.hits and nothing.no_answer and all(h.score < 0.45 for h in nothing.hits)
    kb.vector_no_answer_below = 0.0001
    assert not kb.search("zzqx wibble").no_answer
    assert kb.search("zzqx", collections=[]).hits == ()  # collections still decide what is searched


def test_vector_search_keeps_to_the_collections_asked_for(store, redactor, endpoints):
    # The product runs over the whole matrix and the rows of other collections are dropped after it
    # (services/kb/vectors.py): a restricted search returns only its collection's passages, with the
    # same similarities as an unrestricted one.
    kb = _kb(store, redactor, embedder=Embedder(endpoints["embed"]))
    _add(kb)
    kb.add_bytes(DOCS["returns.md"].encode(), "returns.md", "other/returns.md", "other")
    only = kb.search("zzqx wibble", collections=["other"])  # no keyword: the vectors alone
    assert only.hits and {h.collection for h in only.hits} == {"other"}
    both = kb.search("zzqx wibble")
    assert "policies" in {h.collection for h in both.hits}  # five results, one passage in "other"
    sims = {h.chunk_id: h.similarity for h in both.hits}
    assert all(sims[h.chunk_id] == h.similarity for h in only.hits if h.chunk_id in sims)
    assert kb.search("zzqx wibble", collections=["nowhere"]).hits == ()


def test_reranker_reorders_the_fused_results(store, redactor, endpoints):
    kb = _kb(store, redactor, embedder=Embedder(endpoints["embed"]), reranker=Reranker(endpoints["rerank"]))
    _add(kb)
    result = kb.search("refund shipping returns", k=3)
    assert result.mode == "hybrid+rerank" and len(result.hits) == 3
    sims = [h.similarity for h in result.hits]
    assert sims == sorted(sims, reverse=True)  # in the reranker's order


def test_vectors_round_trip_encrypted_and_stay_in_step_across_instances(store, redactor, endpoints, settings):
    embedder = Embedder(endpoints["embed"])
    first, second = _kb(store, redactor, embedder=embedder), _kb(store, redactor, embedder=embedder)
    _add(first, ["refunds.md"])
    assert first.search("退款").mode == "hybrid" and first._vectors.size > 0
    with transaction(store) as conn:
        rows = conn.exec_driver_sql("SELECT v.dim, v.vec, c.text, c.heading, c.path, d.title FROM kb_vectors v "
                                    "JOIN kb_chunks c ON c.id = v.chunk_id JOIN kb_documents d ON d.id = c.document_id"
                                    ).all()
    assert rows and all(dim == EMBED_DIM for dim, *_ in rows)
    stored = np.stack([from_blob(vec, dim) for dim, vec, *_ in rows])
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)
    # The file never holds a vector's bytes in the clear (SQLCipher encrypts every page).
    raw = b"".join(p.read_bytes() for p in settings.audit_db_path.parent.glob(settings.audit_db_path.name + "*"))
    assert rows[0][1][:32] not in raw
    # Another instance (as the command line in another process) adds and removes: the first follows.
    size = first._vectors.size
    _add(second, ["shipping.md"])
    first.search("快递")
    assert first._vectors.size > size
    second.remove("docs/shipping.md", "policies")
    first.search("快递")
    assert first._vectors.size == size
    # Its own removal updates its matrix in place.
    first.remove("docs/refunds.md", "policies")
    assert first._vectors.size == 0


def test_embedder_failures(store, redactor, endpoints):
    down = _kb(store, redactor, embedder=Embedder(lambda: None))
    with pytest.raises(EmbeddingUnavailable) as caught:
        _add(down, ["returns.md"])
    assert isinstance(caught.value, KbError)
    with transaction(store) as conn:  # nothing half-added
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM kb_documents").scalar() == 0
    _add(_kb(store, redactor), ["returns.md"])
    result = down.search("return conditions")  # a search falls back to the keyword search
    assert result.mode == "keyword" and result.hits
    wrong = Embedder(replace(endpoints["embed"], api_key="wrong"))
    assert _kb(store, redactor, embedder=wrong).search("return conditions").mode == "keyword"
