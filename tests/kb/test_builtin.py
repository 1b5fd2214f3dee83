"""The built-in CPU embedder (HUSHDESK_KB_EMBEDDING_BUILTIN): the real model from the pinned wheel, its
files checked before use, and hybrid search over a real SQLCipher store finding what keyword search
cannot (a Chinese question over an English policy, a paraphrase)."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest

from services.kb import builtin
from services.kb.builtin import BuiltinEmbedder
from services.kb.cli import open_kb
from services.kb.embed import EmbeddingUnavailable
from services.kb.index import KnowledgeBase

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def embedder() -> BuiltinEmbedder:
    model = BuiltinEmbedder()
    model.warm_up()
    return model


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_unit_vectors_and_paraphrases_closer_than_unrelated_text(embedder) -> None:
    texts = ["怎么申请退款", "退货退款的流程是什么", "今天的天气很好", "how do I get my money back",
             "what is the refund process", "the weather is lovely today", ""]
    vectors = embedder.embed(texts)
    assert vectors.shape == (7, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2]) + 0.2
    assert _cos(vectors[3], vectors[4]) > _cos(vectors[3], vectors[5]) + 0.2
    assert _cos(vectors[0], vectors[4]) > _cos(vectors[0], vectors[5])  # across the two languages too
    assert embedder.embed([]).shape == (0, 0)


def test_a_changed_model_file_is_refused(monkeypatch) -> None:
    monkeypatch.setitem(builtin.FILE_SHA256, "weights.npz", "0" * 64)
    with pytest.raises(EmbeddingUnavailable) as err:
        BuiltinEmbedder().warm_up()
    assert "changed" in err.value.message


DOCS = {
    "returns.md": "# Returns\n\n## Time limit\n\nItems may be sent back within thirty days of delivery for a full "
                  "refund.\n\n## Damaged parcels\n\nPhotograph the box before opening it and contact us the same "
                  "day.\n",
    "delivery.md": "# 配送\n\n## 配送时间\n\n订单一般三个工作日内送达，偏远地区可能需要更久。\n",
}


def _add(kb: KnowledgeBase, tmp_path) -> None:
    for name, text in DOCS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        kb.add_file(path, name, "kb")


def test_hybrid_search_with_the_builtin_finds_what_keywords_miss(store, redactor, embedder, tmp_path) -> None:
    keyword = KnowledgeBase(store, redactor)
    _add(keyword, tmp_path)
    question = "退货期限是多少天"  # Chinese, over an English policy: no word in common
    assert not [h for h in keyword.search(question).hits if h.heading == "Time limit"]
    hybrid = KnowledgeBase(store, redactor, embedder=embedder)
    hybrid.reindex()  # the passages gain their vectors
    hits = hybrid.search(question, k=3).hits
    assert hits and (hits[0].source, hits[0].heading) == ("returns.md", "Time limit")
    assert hits[0].similarity is not None and hits[0].similarity > 0.3


def test_the_setting_turns_it_on_and_an_engine_wins(settings, store) -> None:
    assert open_kb(settings, store).embedder is None  # the embedded default: keyword search alone
    assert isinstance(open_kb(replace(settings, kb_embedding_builtin=True), store).embedder, BuiltinEmbedder)


def test_the_server_loads_it_at_start_and_a_changed_file_stops_the_start(tmp_path, monkeypatch) -> None:
    from services.errors import HushdeskError
    from services.ops.bootstrap import ensure_initialised
    from services.runtime import Runtime
    from tests.support.turns import settings_for

    settings = settings_for(tmp_path, "http://127.0.0.1:9/v1", HUSHDESK_KB_EMBEDDING_BUILTIN="true")
    ensure_initialised(settings)[1].dispose()
    monkeypatch.setitem(builtin.FILE_SHA256, "weights.npz", "0" * 64)
    with pytest.raises(HushdeskError) as err:
        Runtime.open(settings)
    assert "changed" in err.value.message  # the fixed message refuse_start prints
    monkeypatch.undo()
    runtime = Runtime.open(settings)
    try:
        embedder = runtime.knowledge_base.embedder
        assert isinstance(embedder, BuiltinEmbedder) and embedder._model is not None  # loaded before any turn
    finally:
        os.close(runtime.lock_fd)
