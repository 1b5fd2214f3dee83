"""The knowledge base: collections, documents redacted at ingestion, keyword search with an answerability
score. Blocking calls (SQLite and CPU): call them off the event loop.

Adding a file parses it, cuts it into passages, redacts every passage with the chat's own redactor (one
placeholder vault per document, so a value keeps its placeholder throughout; never stored), segments
them and writes document, passages and index rows in ONE transaction: a failure leaves nothing. The same
source with the same SHA-256 is a no-op; a changed file replaces its passages.

Search redacts the question the same way, then ranks passages by FTS5's BM25 (title, heading path,
body and Chinese character pairs weighted), keeps the best passage of each section, and scores each
result by how much of the question it covers: the IDF-weighted share of the question's words found in
the passage's title, headings and text, blended with its BM25 relative to the best one. A top score under
`no_answer_below` means the documents do not answer the question.

With an embedder (HUSHDESK_KB_EMBEDDING_MODEL or _URL), passages are also embedded at ingestion (after
redaction, outside the write lock; their vectors are written in the same transaction as their rows) and a
search is hybrid: the redacted question is embedded, the `vector_candidates` nearest passages (cosine) are
fused with the keyword candidates by reciprocal rank fusion (k = 60: each list adds 1 / (60 + rank)), one
result per section is kept, and with a reranker the fused top passages are reordered by its score.
Scores: a hit's `score` stays its keyword answerability score (for a passage found only by its vector,
its coverage with no BM25 part), `similarity` is its cosine (or the reranker's score); the question is
not answered when the best keyword score is under `no_answer_below` AND the best similarity is under
`vector_no_answer_below` (1: the keyword score alone decides, as measured on bench/kb_eval). Without an
embedder, or when it fails during a search (logged, never the text), search is the keyword search alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy.engine import Connection, Engine

from redaction import Placeholders, Redactor

from ..errors import HushdeskError
from ..store import transaction, utc_now
from .chunk import Passage, passages
from .glossary import translations
from .parse import DocumentRejected, Parsed, parse_bytes
from .segment import index_row, key_pairs, pairs, query_terms, segment
from .vectors import Change, VectorIndex

if TYPE_CHECKING:
    from .embed import Embedder, Reranker

__all__ = ["KnowledgeBase", "AddResult", "Hit", "SearchResult", "DocumentInfo", "CollectionInfo", "KbError",
           "UnknownCollection"]

_WEIGHTS = (2.0, 3.0, 1.0, 0.35, 0.0)  # title, heading path, body, Chinese pairs, collection token
_CANDIDATES = 60
# The score blends coverage with BM25 squashed to 0..1. BM25 grows with the question's matched rare words,
# and a word's weight (IDF) with the log of the number of passages, so the squashing scale does too:
# 3.3 * ln(1 + 2N) is about the median top BM25 of answerable questions on bench/kb_eval (N = 218: 20).
# Measured there (even lines): no-answer AUROC 0.80, against 0.73 for coverage alone.
_COVER = 0.3
_SCALE_PER_LOG = 3.3
_MAX_TERMS = 24
_RRF_K = 60
_RERANK_MAX = 20
_log = logging.getLogger("hushdesk.kb")


class KbError(HushdeskError):
    """A knowledge-base request that cannot be done; the message is fixed."""

    outcome = "kb_error"
    default_message = "The knowledge base could not do that."
    notice = "kb_failed"


class UnknownCollection(KbError):
    default_message = "There is no collection of that name."
    notice = "kb_unknown_collection"


class InvalidCollectionName(KbError):
    default_message = "A collection name is 1 to 64 characters, without control characters."
    notice = "kb_invalid_name"


@dataclass(frozen=True)
class AddResult:
    """What adding one file did: `added`, `replaced` (the file changed) or `unchanged`."""

    source: str
    status: str
    passages: int
    redactions: dict[str, int]
    sha256: str


@dataclass(frozen=True)
class Hit:
    """One retrieved passage (redacted text), where it comes from, and its score in [0, 1]."""

    source: str
    title: str
    heading: str | None
    page: int | None
    score: float
    text: str
    collection: str
    document_sha256: str
    chunk_id: int
    similarity: float | None = None  # with an embedder: cosine to the question (or the reranker's score)


@dataclass(frozen=True)
class SearchResult:
    """The best passages, one per section, and whether the documents answer the question at all."""

    hits: tuple[Hit, ...]
    no_answer: bool
    top_score: float
    latency_ms: float
    collections: tuple[str, ...]
    mode: str = "keyword"  # "hybrid" when vectors (and a reranker, "hybrid+rerank") took part
    top_similarity: float | None = None


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    collection: str
    title: str
    kind: str
    pages: int | None
    passages: int
    redactions: dict[str, int]
    sha256: str
    added_at: str


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    documents: int
    passages: int
    grantees: tuple[str, ...]
    created_at: str


@dataclass
class KnowledgeBase:
    """See the module docstring. One per process; thread-safe through the store's connections."""

    engine: Engine
    redactor: Redactor
    chunk_chars: int = 600
    overlap_chars: int = 100
    max_bytes: int = 50 * 2**20
    keep_originals: bool = False
    no_answer_below: float = 0.45
    embedder: "Embedder | None" = None
    reranker: "Reranker | None" = None
    vector_candidates: int = 40
    vector_no_answer_below: float = 1.0
    grants_ttl: float = 2.0  # how long a role's readable collections are kept; changes made here apply at once
    _ids: dict[str, int] = field(default_factory=dict, repr=False)
    _readable: dict[tuple[str, tuple[str, ...]], tuple[float, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _vectors: VectorIndex = field(default_factory=VectorIndex, repr=False)

    # Collections -------------------------------------------------------------------------------

    def create_collection(self, name: str) -> CollectionInfo:
        name = _check_name(name)
        with transaction(self.engine, write=True) as conn:
            conn.exec_driver_sql("INSERT OR IGNORE INTO kb_collections (name, created_at) VALUES (?, ?)",
                                 (name, utc_now()))
        return next(c for c in self.collections() if c.name == name)

    def collections(self) -> list[CollectionInfo]:
        with transaction(self.engine) as conn:
            rows = conn.exec_driver_sql(
                "SELECT c.id, c.name, c.created_at, COUNT(d.id), COALESCE(SUM(d.chunks), 0) FROM kb_collections c "
                "LEFT JOIN kb_documents d ON d.collection_id = c.id GROUP BY c.id ORDER BY c.name").all()
            grants = conn.exec_driver_sql("SELECT collection_id, grantee FROM kb_grants ORDER BY grantee").all()
        by_id: dict[int, list[str]] = {}
        for cid, grantee in grants:
            by_id.setdefault(cid, []).append(grantee)
        return [CollectionInfo(name, int(docs), int(chunks), tuple(by_id.get(cid, ())), created)
                for cid, name, created, docs, chunks in rows]

    def delete_collection(self, name: str) -> None:
        self._readable.clear()
        with transaction(self.engine, write=True) as conn:
            cid = self._collection_id(conn, name)
            conn.exec_driver_sql("DELETE FROM kb_fts WHERE coll = ?", (f"c{cid}",))
            conn.exec_driver_sql("DELETE FROM kb_chunks WHERE document_id IN "
                                 "(SELECT id FROM kb_documents WHERE collection_id = ?)", (cid,))
            conn.exec_driver_sql("DELETE FROM kb_documents WHERE collection_id = ?", (cid,))
            conn.exec_driver_sql("DELETE FROM kb_grants WHERE collection_id = ?", (cid,))
            conn.exec_driver_sql("DELETE FROM kb_collections WHERE id = ?", (cid,))
        self._vectors.invalidate()

    def grant(self, name: str, grantee: str) -> None:
        """Let a role (`role:staff`) or an identity-provider group (`group:NAME`) search a collection."""
        self._readable.clear()
        grantee = _check_grantee(grantee)
        with transaction(self.engine, write=True) as conn:
            cid = self._collection_id(conn, name)
            conn.exec_driver_sql("INSERT OR IGNORE INTO kb_grants (collection_id, grantee) VALUES (?, ?)", (cid, grantee))

    def revoke(self, name: str, grantee: str) -> None:
        self._readable.clear()
        with transaction(self.engine, write=True) as conn:
            cid = self._collection_id(conn, name)
            conn.exec_driver_sql("DELETE FROM kb_grants WHERE collection_id = ? AND grantee = ?", (cid, grantee))

    def cached_readable(self, role: str, groups: Iterable[str] = ()) -> tuple[str, ...] | None:
        """`readable` as last read, if within `grants_ttl` seconds, else None (no I/O: safe on the event
        loop). Grants changed through this object clear it; changes from another process (the command
        line, another app process) apply within `grants_ttl`."""
        entry = self._readable.get((role, tuple(groups)))
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def readable(self, role: str, groups: Iterable[str] = ()) -> tuple[str, ...]:
        """The collections granted to this role or to one of these groups."""
        groups = tuple(groups)
        grantees = [f"role:{role}", *(f"group:{g}" for g in groups)]
        marks = ",".join("?" * len(grantees))
        with transaction(self.engine) as conn:
            rows = conn.exec_driver_sql(
                f"SELECT DISTINCT c.name FROM kb_collections c JOIN kb_grants g ON g.collection_id = c.id "
                f"WHERE g.grantee IN ({marks}) ORDER BY c.name", tuple(grantees)).all()
        names = tuple(r[0] for r in rows)
        self._readable[(role, groups)] = (time.monotonic() + self.grants_ttl, names)
        return names

    def _collection_id(self, conn: Connection, name: str) -> int:
        row = conn.exec_driver_sql("SELECT id FROM kb_collections WHERE name = ?", (name,)).first()
        if row is None:
            raise UnknownCollection()
        return int(row[0])

    # Documents ---------------------------------------------------------------------------------

    def add_file(self, path: Path, source: str, collection: str) -> AddResult:
        """Add (or replace, or keep) one file under the name `source` in a collection (created if new)."""
        try:
            size = path.stat().st_size
        except OSError:
            raise DocumentRejected("The file could not be read.") from None
        if size > self.max_bytes:
            raise DocumentRejected(f"The file is larger than the limit ({self.max_bytes // 2**20} MB).")
        try:
            data = path.read_bytes()
        except OSError:
            raise DocumentRejected("The file could not be read.") from None
        return self.add_bytes(data, path.name, source, collection)

    def add_bytes(self, data: bytes, name: str, source: str, collection: str) -> AddResult:
        sha = hashlib.sha256(data).hexdigest()
        self.create_collection(collection)
        with transaction(self.engine) as conn:
            cid = self._collection_id(conn, collection)
            row = conn.exec_driver_sql("SELECT sha256, chunks, redactions FROM kb_documents "
                                       "WHERE collection_id = ? AND source = ?", (cid, source)).first()
        if row is not None and row[0] == sha:
            return AddResult(source, "unchanged", int(row[1]), json.loads(row[2]), sha)
        parsed = parse_bytes(data, name, max_bytes=self.max_bytes)
        redacted, counts = self._redact(parsed)
        vectors = self._embed_passages(redacted.title, redacted.passages)  # before the write lock is taken
        with transaction(self.engine, write=True) as conn:
            before = VectorIndex.signature(conn)
            cid = self._collection_id(conn, collection)
            removed = self._document_chunks(conn, cid, source)
            self._delete_document(conn, cid, source)
            doc = conn.exec_driver_sql(
                "INSERT INTO kb_documents (collection_id, source, sha256, title, kind, pages, chunks, redactions, "
                "added_at, original) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cid, source, sha, redacted.title, parsed.kind, parsed.pages, len(redacted.passages),
                 json.dumps(counts, sort_keys=True), utc_now(), data if self.keep_originals else None)).lastrowid
            chunks = self._index(conn, cid, int(doc), redacted.title, redacted.passages)
            if vectors is not None:
                VectorIndex.insert(conn, chunks, vectors)
            change = Change(before, VectorIndex.signature(conn),
                            [(c, cid, v) for c, v in zip(chunks, vectors)] if vectors is not None else [], removed)
        self._vectors.apply(change)
        return AddResult(source, "added" if row is None else "replaced", len(redacted.passages), counts, sha)

    def _redact(self, parsed: Parsed) -> tuple["_Redacted", dict[str, int]]:
        vault = Placeholders()  # one per document, never stored: a value keeps one placeholder throughout
        counts: dict[str, int] = {}

        def clean(text: str) -> str:
            result = self.redactor.redact(text, vault)
            for label, n in result.counts.items():
                counts[label] = counts.get(label, 0) + n
            return result.text

        title = clean(parsed.title)
        sections = [type(s)(clean(s.heading) if s.heading else None, tuple(clean(h) for h in s.path), s.page,
                            clean(s.text)) for s in parsed.sections]
        return _Redacted(title, passages(sections, size=self.chunk_chars, overlap=self.overlap_chars)), counts

    def _embed_passages(self, title: str, items: Sequence[Passage]) -> Any:
        """The passages' vectors (title, headings and text embedded together), or None without an embedder."""
        if self.embedder is None or not items:
            return None
        return self.embedder.embed([_embed_text(title, item) for item in items])

    def _index(self, conn: Connection, cid: int, doc: int, title: str, items: Sequence[Passage]) -> list[int]:
        title_words = segment(title).words
        chunks: list[int] = []
        for order, item in enumerate(items):
            chunk = conn.exec_driver_sql(
                "INSERT INTO kb_chunks (document_id, ord, heading, path, page, text) VALUES (?, ?, ?, ?, ?, ?)",
                (doc, order, item.heading, json.dumps(list(item.path), ensure_ascii=False), item.page,
                 item.text)).lastrowid
            chunks.append(int(chunk))
            conn.exec_driver_sql("INSERT INTO kb_fts (rowid, title, heading, body, grams, coll) VALUES (?, ?, ?, ?, ?, ?)",
                                 (chunk, *index_row(title_words, (*item.path, item.heading), item.text, cid)))
        return chunks

    @staticmethod
    def _document_chunks(conn: Connection, cid: int, source: str) -> set[int]:
        return {int(r[0]) for r in conn.exec_driver_sql(
            "SELECT c.id FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id "
            "WHERE d.collection_id = ? AND d.source = ?", (cid, source)).all()}

    def _delete_document(self, conn: Connection, cid: int, source: str) -> bool:
        row = conn.exec_driver_sql("SELECT id FROM kb_documents WHERE collection_id = ? AND source = ?",
                                   (cid, source)).first()
        if row is None:
            return False
        conn.exec_driver_sql("DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE document_id = ?)",
                             (row[0],))
        conn.exec_driver_sql("DELETE FROM kb_chunks WHERE document_id = ?", (row[0],))
        conn.exec_driver_sql("DELETE FROM kb_documents WHERE id = ?", (row[0],))
        return True

    def remove(self, source: str, collection: str) -> bool:
        """Remove one document and its passages; False if it was not there."""
        with transaction(self.engine, write=True) as conn:
            before = VectorIndex.signature(conn)
            cid = self._collection_id(conn, collection)
            removed = self._document_chunks(conn, cid, source)
            done = self._delete_document(conn, cid, source)
            change = Change(before, VectorIndex.signature(conn), [], removed)
        self._vectors.apply(change)
        return done

    def documents(self, collection: str | None = None) -> list[DocumentInfo]:
        sql = ("SELECT d.source, c.name, d.title, d.kind, d.pages, d.chunks, d.redactions, d.sha256, d.added_at "
               "FROM kb_documents d JOIN kb_collections c ON c.id = d.collection_id")
        with transaction(self.engine) as conn:
            if collection is None:
                rows = conn.exec_driver_sql(sql + " ORDER BY c.name, d.source").all()
            else:
                self._collection_id(conn, collection)
                rows = conn.exec_driver_sql(sql + " WHERE c.name = ? ORDER BY d.source", (collection,)).all()
        return [DocumentInfo(r[0], r[1], r[2], r[3], r[4], int(r[5]), json.loads(r[6]), r[7], r[8]) for r in rows]

    def reindex(self, collection: str | None = None) -> int:
        """Rebuild the keyword index (and, with an embedder, the vectors) from the stored redacted passages.

        One document per transaction, embedded before its write lock is taken, so the store stays writable
        (the audit trail shares it) while a large collection is re-embedded. Without an embedder a passage
        keeps the vector it had. Returns the number of passages.
        """
        with transaction(self.engine) as conn:
            where, args = ("", ()) if collection is None else (" WHERE c.name = ?", (collection,))
            if collection is not None:
                self._collection_id(conn, collection)
            docs = conn.exec_driver_sql("SELECT d.id, d.collection_id, d.title, d.sha256 FROM kb_documents d "
                                        "JOIN kb_collections c ON c.id = d.collection_id" + where, args).all()
        total = 0
        for doc, cid, title, sha in docs:
            with transaction(self.engine) as conn:
                rows = conn.exec_driver_sql("SELECT heading, path, page, text FROM kb_chunks WHERE document_id = ? "
                                            "ORDER BY ord", (doc,)).all()
            items = [Passage(h, tuple(json.loads(p)), page, text) for h, p, page, text in rows]
            vectors = self._embed_passages(title, items)
            with transaction(self.engine, write=True) as conn:
                if conn.exec_driver_sql("SELECT sha256 FROM kb_documents WHERE id = ?", (doc,)).scalar() != sha:
                    continue  # replaced or removed meanwhile: its passages are already fresh
                kept = {} if vectors is not None else {int(o): (int(d), bytes(v)) for o, d, v in conn.exec_driver_sql(
                    "SELECT c.ord, v.dim, v.vec FROM kb_vectors v JOIN kb_chunks c ON c.id = v.chunk_id "
                    "WHERE c.document_id = ?", (doc,)).all()}
                conn.exec_driver_sql("DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE document_id = ?)",
                                     (doc,))
                conn.exec_driver_sql("DELETE FROM kb_chunks WHERE document_id = ?", (doc,))
                chunks = self._index(conn, int(cid), int(doc), title, items)
                if vectors is not None:
                    VectorIndex.insert(conn, chunks, vectors)
                for order, chunk in enumerate(chunks):
                    if order in kept:
                        conn.exec_driver_sql("INSERT INTO kb_vectors (chunk_id, dim, vec) VALUES (?, ?, ?)",
                                             (chunk, *kept[order]))
            total += len(items)
        self._vectors.invalidate()
        return total

    # Search ------------------------------------------------------------------------------------

    def search(self, question: str, *, collections: Sequence[str] | None = None, k: int = 5) -> SearchResult:
        """The best passages for a question (redacted first), at most one per section, from `collections`
        (None: every collection; an empty sequence: none). Hybrid with an embedder (module docstring)."""
        started = time.perf_counter()
        text = self.redactor.redact(question, Placeholders()).text
        if self.embedder is not None:
            try:
                query = self.embedder.embed([text])[0]
            except KbError as exc:  # fixed messages: safe to log
                _log.warning("knowledge base search falls back to keywords: %s", exc.message)
            else:
                return self._hybrid(text, query, collections, k, started)
        words, grams, key = _terms(text)
        with transaction(self.engine) as conn:
            ids = self._collection_ids(conn, collections)
            if not ids or not (words or grams):
                return SearchResult((), True, 0.0, _ms(started), tuple(collections or ()))
            rows = self._keyword_rows(conn, words, grams, ids)
            if not rows:
                return SearchResult((), True, 0.0, _ms(started), tuple(ids))
            idf, scale = self._weights(conn, (*words, *key))
            hits = self._hits(conn, rows, words, key, idf, scale, k, {v: n for n, v in ids.items()})
        top = hits[0].score if hits else 0.0
        return SearchResult(tuple(hits), top < self.no_answer_below, top, _ms(started), tuple(ids))

    @staticmethod
    def _keyword_rows(conn: Connection, words: Sequence[str], grams: Sequence[str], ids: dict[str, int]) -> list[Any]:
        return list(conn.exec_driver_sql(
            "SELECT rowid, -bm25(kb_fts, ?, ?, ?, ?, ?) AS s FROM kb_fts WHERE kb_fts MATCH ? "
            "ORDER BY bm25(kb_fts, ?, ?, ?, ?, ?) LIMIT ?",
            (*_WEIGHTS, _match(words, grams, ids.values()), *_WEIGHTS, _CANDIDATES)).all())

    def _hybrid(self, text: str, query: Any, collections: Sequence[str] | None, k: int, started: float) -> SearchResult:
        words, grams, key = _terms(text)
        with transaction(self.engine) as conn:
            ids = self._collection_ids(conn, collections)
        if not ids:
            return SearchResult((), True, 0.0, _ms(started), tuple(collections or ()), "hybrid", 0.0)
        nearest = self._vectors.search(self.engine, query, ids.values(), self.vector_candidates)
        with transaction(self.engine) as conn:
            rows = self._keyword_rows(conn, words, grams, ids) if words or grams else []
            idf, scale = self._weights(conn, (*words, *key))
            found = {int(r[0]) for r in rows}
            candidates = [*rows, *((chunk, 0.0) for chunk, _ in nearest if chunk not in found)]
            scored = self._scored(conn, candidates, words, key, idf, scale, {v: n for n, v in ids.items()})
        cosine = dict(nearest)
        missing = [hit.chunk_id for _, _, hit in scored if hit.chunk_id not in cosine]
        cosine.update(self._vectors.similarities(missing, query))
        fused: dict[int, float] = {}
        for rank, (_, _, hit) in enumerate(scored, start=1):  # the keyword list, in the keyword search's order
            if hit.chunk_id in found:
                fused[hit.chunk_id] = 1.0 / (_RRF_K + rank)
        for rank, (chunk, _) in enumerate(nearest, start=1):
            fused[chunk] = fused.get(chunk, 0.0) + 1.0 / (_RRF_K + rank)
        by_chunk = {hit.chunk_id: hit for _, _, hit in scored}
        order = sorted((c for c in fused if c in by_chunk), key=lambda c: (-fused[c], c))
        sim = {c: round(min(1.0, max(0.0, cosine.get(c, 0.0))), 4) for c in order}
        mode = "hybrid"
        first = _one_per_section([by_chunk[c] for c in order], max(k, min(self.vector_candidates, _RERANK_MAX))
                                 if self.reranker is not None else k)
        if self.reranker is not None and first:
            try:
                scores = self.reranker.rerank(text, [h.text for h in first])
            except KbError as exc:
                _log.warning("knowledge base search not reranked: %s", exc.message)
            else:
                mode = "hybrid+rerank"
                sim.update({h.chunk_id: round(min(1.0, max(0.0, s)), 4) for h, s in zip(first, scores)})
                first = [h for _, h in sorted(zip(scores, first), key=lambda p: (-p[0], p[1].chunk_id))]
        hits = [dataclass_replace(h, similarity=sim.get(h.chunk_id, 0.0)) for h in first[:k]]
        top = max((h.score for h in hits), default=0.0)
        top_sim = max((h.similarity or 0.0 for h in hits), default=0.0)
        no_answer = not hits or (top < self.no_answer_below and top_sim < self.vector_no_answer_below)
        return SearchResult(tuple(hits), no_answer, top, _ms(started), tuple(ids), mode, top_sim)

    def _collection_ids(self, conn: Connection, names: Sequence[str] | None) -> dict[str, int]:
        rows = conn.exec_driver_sql("SELECT name, id FROM kb_collections").all()
        known = {name: int(cid) for name, cid in rows}
        if names is None:
            return known
        return {n: known[n] for n in names if n in known}

    @staticmethod
    def _weights(conn: Connection, terms: Sequence[str]) -> tuple[dict[str, float], float]:
        """Each term's IDF and the BM25 squashing scale, from one count of the passages."""
        total = int(conn.exec_driver_sql("SELECT COUNT(*) FROM kb_chunks").scalar() or 0)
        scale = _SCALE_PER_LOG * math.log(1 + 2 * total)
        words = tuple(dict.fromkeys(terms))
        if not words:
            return {}, scale
        marks = ",".join("?" * len(words))
        found = dict(conn.exec_driver_sql(f"SELECT term, doc FROM kb_vocab WHERE term IN ({marks})", words).all())
        return {w: math.log(1 + (total - found.get(w, 0) + 0.5) / (found.get(w, 0) + 0.5)) for w in words}, scale

    def _hits(self, conn: Connection, rows: Sequence[Any], words: Sequence[str], grams: Sequence[str],
              idf: dict[str, float], scale: float, k: int, names: dict[int, str]) -> list[Hit]:
        return _one_per_section([hit for _, _, hit in self._scored(conn, rows, words, grams, idf, scale, names)], k)

    def _scored(self, conn: Connection, rows: Sequence[Any], words: Sequence[str], grams: Sequence[str],
                idf: dict[str, float], scale: float, names: dict[int, str]) -> list[tuple[float, int, Hit]]:
        """Every candidate (chunk id, BM25) with its keyword score, best first."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        detail = {r[0]: r[1:] for r in conn.exec_driver_sql(
            "SELECT c.id, d.source, d.title, c.heading, c.page, c.text, d.collection_id, d.sha256, f.title, f.heading, "
            f"f.body, f.grams FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id JOIN kb_fts f ON f.rowid = c.id "
            f"WHERE c.id IN ({marks})", tuple(r[0] for r in rows)).all()}
        scored = []
        for chunk, bm25 in rows:
            info = detail.get(chunk)
            if info is None:
                continue
            source, title, heading, page, text, cid, sha, f_title, f_heading, f_body, f_grams = info
            cover = _coverage(words, grams, idf, set(f"{f_heading} {f_body}".split()), set(f_title.split()),
                              set(f_grams.split()))
            score = _COVER * cover + (1 - _COVER) * (1 - math.exp(-bm25 / scale))
            scored.append((score, chunk, Hit(source, title, heading, page, round(score, 4), text,
                                             names.get(int(cid), ""), sha, int(chunk))))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored


def _one_per_section(hits: Iterable[Hit], k: int) -> list[Hit]:
    """The first hit of each section (document and heading), at most `k`."""
    out: list[Hit] = []
    seen: set[tuple[str, str | None]] = set()
    for hit in hits:
        key = (hit.collection + "\0" + hit.source, hit.heading)
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
        if len(out) == k:
            break
    return out


def _embed_text(title: str, item: Passage) -> str:
    """What is embedded for a passage: its document's title and headings, then its text."""
    head = " / ".join(h for h in (title, *item.path, item.heading) if h)
    return f"{head}\n{item.text}" if head else item.text


@dataclass(frozen=True)
class _Redacted:
    title: str
    passages: list[Passage]


def _coverage(words: Sequence[str], grams: Sequence[str], idf: dict[str, float], main: set[str], title: set[str],
              pair_set: set[str]) -> float:
    """How much of the question a passage holds, 0 to 1: the IDF-weighted share of the question's words in
    its headings and text (a word only in the document's title counts half; a Chinese word segmented
    differently counts when all its character pairs are there), averaged with the share of the
    question's Chinese character pairs when it has any."""
    def share(items: Sequence[str], found) -> float:
        total = sum(idf.get(i, 0.0) for i in items)
        return sum(idf.get(i, 0.0) * found(i) for i in items) / total if total else 0.0

    by_word = share(words, lambda w: 1.0 if w in main or _in_pairs(w, pair_set) else 0.5 if w in title else 0.0)
    if not grams:
        return by_word
    by_pair = share(grams, lambda g: 1.0 if g in pair_set or g in main else 0.0)
    return (by_word + by_pair) / 2 if words else by_pair


def _in_pairs(word: str, present: set[str]) -> bool:
    """A Chinese word segmented differently in the passage still counts when all its pairs are there."""
    grams = pairs(word)
    return bool(grams) and all(g in present for g in grams)


def _terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A redacted question's words and pairs to match with, and its key pairs to score coverage with.
    A question mixing Chinese and English also gets the other language's words (services/kb/glossary.py)."""
    words, grams = query_terms(text)
    words = (*words, *translations(words, text))
    return words[:_MAX_TERMS], grams[:_MAX_TERMS], key_pairs(text)[:_MAX_TERMS]


def _match(words: Sequence[str], grams: Sequence[str], ids: Iterable[int]) -> str:
    terms = " OR ".join(f'"{t}"' for t in (*words, *grams))
    colls = " OR ".join(f'"c{i}"' for i in ids)
    return f"({terms}) AND coll : ({colls})"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64 or any(ord(c) < 32 for c in name):
        raise InvalidCollectionName()
    return name.strip()


def _check_grantee(grantee: object) -> str:
    if not isinstance(grantee, str):
        raise KbError("A grant names a role (role:staff, role:admin) or a group (group:NAME).")
    kind, _, value = grantee.partition(":")
    if kind == "role" and value in ("staff", "admin"):
        return grantee
    if kind == "group" and 1 <= len(value) <= 128 and not any(c.isspace() or ord(c) < 32 for c in value):
        return grantee
    raise KbError("A grant names a role (role:staff, role:admin) or a group (group:NAME).")
