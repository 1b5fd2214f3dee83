"""Knowledge-base figures: retrieval quality on a labelled set built from public documents, retrieval
latency at 100,000 passages, and ingestion speed of a mixed PDF/DOCX/Markdown set.

Quality input: `bench/kb_eval/` (public policy, FAQ and product-help pages in Chinese and English, and
questions written against them; see its README for sources and licences). The documents are added
through the real `KnowledgeBase` (parsing, redaction, segmentation) into a real SQLCipher store; each
question goes through `search`. Compared in the same run with the whitespace-split BM25 that Open
WebUI's keyword search amounts to (a run of Chinese is one token) and with a jieba-tokenised BM25 over
whole sections. Scores: document and section recall@5 and MRR over answerable questions; AUROC of the
top score between answerable and unanswerable questions, and how often each kind is called right.

Latency input: the eval set's passages and the public agent replies (`../shared/data/replies/`, when
present) repeated with distinct numbering up to 100,000 passages, indexed directly (the ingestion path
is measured apart); questions from the eval set.

    python -m bench.kb            # the quality part only, for tuning
"""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "bench" / "kb_eval"
REPLIES = ROOT.parent / "shared" / "data" / "replies"


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    answers: tuple[tuple[str, str | None], ...]
    answerable: bool


def load_questions(path: Path = EVAL / "questions.jsonl") -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(Question(row["q"], row.get("lang", "?"),
                                tuple((a["source"], a.get("heading")) for a in row.get("answers", [])),
                                bool(row.get("answerable", bool(row.get("answers"))))))
    return out


def _kb(tmp: Path, **kwargs):
    from redaction import Redactor, build_detectors
    from redaction.recognizers import load_layers
    from services.config import load_settings
    from services.kb.index import KnowledgeBase
    from services.keys import load_keys
    from services.store import open_store

    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp / "data")}, dotenv=False)
    engine = open_store(settings, load_keys(settings, create=True), create=True)
    return KnowledgeBase(engine, Redactor(build_detectors(), load_layers()), **kwargs), engine


def _auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(an answerable question's top score > an unanswerable one's), ties half."""
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def score(questions: Sequence[Question], ranked: Callable[[str], tuple[list[tuple[str, str | None]], float, bool]],
          k: int = 5) -> dict:
    """Recall@k and MRR at document and section level, the no-answer AUROC and decisions."""
    doc_hits = sec_hits = 0
    doc_rr: list[float] = []
    sec_rr: list[float] = []
    pos: list[float] = []
    neg: list[float] = []
    right_answerable = right_unanswerable = 0
    by_lang: dict[str, list[int]] = {}
    latencies = []
    for question in questions:
        started = time.perf_counter()
        results, top, no_answer = ranked(question.q)
        latencies.append((time.perf_counter() - started) * 1000)
        results = results[:k]
        if not question.answerable:
            neg.append(top)
            right_unanswerable += no_answer
            continue
        pos.append(top)
        right_answerable += not no_answer
        docs = {s for s, _ in question.answers}
        secs = set(question.answers)
        d_rank = next((i for i, (s, _) in enumerate(results, 1) if s in docs), None)
        s_rank = next((i for i, r in enumerate(results, 1) if r in secs), None)
        doc_hits += d_rank is not None
        sec_hits += s_rank is not None
        doc_rr.append(1 / d_rank if d_rank else 0.0)
        sec_rr.append(1 / s_rank if s_rank else 0.0)
        cell = by_lang.setdefault(question.lang, [0, 0, 0])
        cell[0] += 1
        cell[1] += d_rank is not None
        cell[2] += s_rank is not None
    n = len(pos) or 1
    latencies.sort()
    return {"answerable": len(pos), "unanswerable": len(neg), "doc_recall": doc_hits / n, "section_recall": sec_hits / n,
            "doc_mrr": sum(doc_rr) / n, "section_mrr": sum(sec_rr) / n, "auroc": _auroc(pos, neg),
            "answerable_called_answerable": right_answerable / n, "unanswerable_recognised": right_unanswerable / (len(neg) or 1),
            "by_lang": {lang: (c[0], c[1] / c[0], c[2] / c[0]) for lang, c in sorted(by_lang.items())},
            "p50_ms": latencies[len(latencies) // 2] if latencies else 0.0,
            "p95_ms": latencies[int(len(latencies) * 0.95)] if latencies else 0.0}


# Baselines: BM25 over whole sections, tokens split on whitespace (the peers) or by jieba. ---------------


class _Bm25:
    def __init__(self, docs: list[tuple[tuple[str, str | None], list[str]]], k1: float = 1.5, b: float = 0.75) -> None:
        self.keys = [key for key, _ in docs]
        self.tf = [Counter(tokens) for _, tokens in docs]
        self.len = [len(tokens) for _, tokens in docs]
        self.avg = sum(self.len) / (len(self.len) or 1)
        df: Counter = Counter()
        for tf in self.tf:
            df.update(tf.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.k1, self.b = k1, b

    def search(self, tokens: list[str]) -> list[tuple[float, tuple[str, str | None]]]:
        scores = []
        for i, tf in enumerate(self.tf):
            s = 0.0
            for t in tokens:
                f = tf.get(t)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[i] / self.avg))
            if s > 0:
                scores.append((s, self.keys[i]))
        scores.sort(key=lambda x: -x[0])
        return scores


def _sections(folder: Path) -> list[tuple[tuple[str, str | None], str]]:
    from services.kb.parse import KINDS, parse_file

    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in KINDS:
            source = path.relative_to(folder.parent).as_posix()
            for section in parse_file(path, max_bytes=50 * 2**20).sections:
                out.append(((source, section.heading), " ".join((*section.path, section.heading or "", section.text))))
    return out


def _whitespace(text: str) -> list[str]:
    return [t for t in re.split(r"\s+", text.lower()) if t]


def _jieba(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.cut_for_search(text.lower()) if t.strip() and re.search(r"\w", t)]


def _baseline(sections, tokenize) -> Callable[[str], tuple[list[tuple[str, str | None]], float, bool]]:
    index = _Bm25([(key, tokenize(text)) for key, text in sections])

    def ranked(question: str):
        found = index.search(tokenize(question))
        seen, results = set(), []
        for _, key in found:
            if key not in seen:
                seen.add(key)
                results.append(key)
        return results, (found[0][0] if found else 0.0), not found
    return ranked


def quality(tmp: Path) -> dict:
    from services.kb.cli import files_under

    questions = load_questions()
    kb, engine = _kb(tmp)
    try:
        for path in files_under([str(EVAL / "docs")]):
            kb.add_file(path, path.relative_to(EVAL).as_posix(), "eval")

        def ours(question: str):
            result = kb.search(question, k=5)
            return [(h.source, h.heading) for h in result.hits], result.top_score, result.no_answer

        sections = _sections(EVAL / "docs")
        return {"questions": len(questions), "documents": len(kb.documents()),
                "passages": sum(d.passages for d in kb.documents()),
                "ours": score(questions, ours),
                "whitespace_bm25": score(questions, _baseline(sections, _whitespace)),
                "jieba_bm25": score(questions, _baseline(sections, _jieba))}
    finally:
        engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = quality(Path(tmp))
    for name in ("ours", "jieba_bm25", "whitespace_bm25"):
        r = result[name]
        print(f"{name:16} docR@5 {r['doc_recall']:.3f} secR@5 {r['section_recall']:.3f} docMRR {r['doc_mrr']:.3f} "
              f"secMRR {r['section_mrr']:.3f} AUROC {r['auroc']:.3f} ans-ok {r['answerable_called_answerable']:.2f} "
              f"unans-ok {r['unanswerable_recognised']:.2f} p50 {r['p50_ms']:.1f} ms  {r['by_lang']}")


if __name__ == "__main__":
    sys.exit(main())
