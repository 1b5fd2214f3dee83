"""Passage embeddings inside the encrypted store, searched in memory with numpy.

The vectors are float32 bytes in `kb_vectors` (m006), so they are encrypted with everything else. A
search multiplies the question's vector with one matrix of every passage's vector (rows normalised, so
the product is the cosine), restricted to the collections asked for, and keeps the top N.

The matrix is loaded once per process and kept in step: this process's own adds and removals update it
in place (`apply`), and every search first compares the table's (row count, highest id) with the
signature the matrix was built at; ids only grow (AUTOINCREMENT), so any change by another process (the
command line adding files while the server runs) changes it and the matrix is reloaded. sqlite-vec
0.1.9 loads inside SQLCipher 4.19 here, but needs a fixed dimension per table and the extension in
every pooled connection of a store shared with the audit trail; a brute-force numpy product over the
same bytes is as fast at the knowledge base's scale (100,000 passages of 1,024 dimensions: 400 MB,
tens of milliseconds).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from sqlalchemy.engine import Connection, Engine

from ..store import transaction

__all__ = ["VectorIndex", "Change", "to_blob", "from_blob"]

log = logging.getLogger("hushdesk.kb")

Signature = tuple[int, int]


def to_blob(vector: np.ndarray) -> bytes:
    """A vector as little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes, dim: int) -> np.ndarray:
    """The inverse of `to_blob`."""
    vec = np.frombuffer(blob, dtype="<f4")
    if vec.shape != (dim,):
        raise ValueError("vector length does not match its dimension")
    return vec.astype(np.float32)


@dataclass
class Change:
    """What one write transaction did to the vectors, for `VectorIndex.apply` after it commits."""

    before: Signature
    after: Signature
    added: list[tuple[int, int, np.ndarray]]  # (chunk id, collection id, vector)
    removed: set[int]  # chunk ids


class VectorIndex:
    """See the module docstring. Thread-safe; one per KnowledgeBase."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sig: Signature | None = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._colls = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    # Writes (inside the caller's write transaction) ---------------------------------------------

    @staticmethod
    def signature(conn: Connection) -> Signature:
        count, top = conn.exec_driver_sql("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM kb_vectors").one()
        return int(count), int(top)

    @staticmethod
    def insert(conn: Connection, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
        if chunk_ids:
            conn.exec_driver_sql("DELETE FROM kb_vectors WHERE chunk_id IN (%s)" % ",".join("?" * len(chunk_ids)),
                                 tuple(int(c) for c in chunk_ids))
        for chunk, vec in zip(chunk_ids, vectors):
            conn.exec_driver_sql("INSERT INTO kb_vectors (chunk_id, dim, vec) VALUES (?, ?, ?)",
                                 (int(chunk), int(vec.shape[0]), to_blob(vec)))

    # The in-memory matrix ------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Bring the matrix up to date after this process's own committed write; reload later if it was stale."""
        with self._lock:
            if self._sig is None or self._sig != change.before:
                self._sig = None  # not loaded, or another process wrote meanwhile: reload at the next search
                return
            keep = ~np.isin(self._ids, np.fromiter(change.removed | {c for c, _, _ in change.added}, dtype=np.int64))
            ids, colls, matrix = self._ids[keep], self._colls[keep], self._matrix[keep]
            if change.added:
                dims = {v.shape[0] for _, _, v in change.added}
                if len(dims) != 1 or (matrix.shape[0] and matrix.shape[1] not in dims):
                    self._sig = None
                    return
                ids = np.concatenate([ids, np.array([c for c, _, _ in change.added], dtype=np.int64)])
                colls = np.concatenate([colls, np.array([k for _, k, _ in change.added], dtype=np.int64)])
                new = np.stack([v for _, _, v in change.added]).astype(np.float32)
                matrix = np.concatenate([matrix, new]) if matrix.shape[0] else new
            self._ids, self._colls, self._matrix, self._sig = ids, colls, matrix, change.after

    def invalidate(self) -> None:
        with self._lock:
            self._sig = None

    def _load(self, conn: Connection, sig: Signature, dim: int) -> None:
        rows = conn.exec_driver_sql(
            "SELECT v.chunk_id, d.collection_id, v.vec FROM kb_vectors v JOIN kb_chunks c ON c.id = v.chunk_id "
            "JOIN kb_documents d ON d.id = c.document_id WHERE v.dim = ? ORDER BY v.chunk_id", (dim,)).all()
        others = int(conn.exec_driver_sql("SELECT COUNT(*) FROM kb_vectors WHERE dim != ?", (dim,)).scalar() or 0)
        if others:
            log.warning("%d passage vectors have another dimension than the embedding model's; "
                        "run `python -m services.kb reindex`", others)
        self._ids = np.array([r[0] for r in rows], dtype=np.int64)
        self._colls = np.array([r[1] for r in rows], dtype=np.int64)
        self._matrix = (np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dim)
                        .astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32))
        self._sig = sig

    def search(self, engine: Engine, query: np.ndarray, collections: Iterable[int], n: int) -> list[tuple[int, float]]:
        """The `n` passages (chunk id, cosine) nearest `query` within `collections`, best first."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        wanted = np.fromiter(collections, dtype=np.int64)
        with self._lock:
            with transaction(engine) as conn:
                sig = self.signature(conn)
                if sig != self._sig or (self._matrix.shape[0] and self._matrix.shape[1] != query.shape[0]):
                    self._load(conn, sig, query.shape[0])
            if not self._matrix.shape[0] or not wanted.size:
                return []
            mask = np.isin(self._colls, wanted)
            if not mask.any():
                return []
            # One product over the whole matrix, then the rows asked for: indexing the matrix by the mask
            # would copy it (400 MB at 100,000 x 1,024) on every search.
            scores = self._matrix @ query
            ids = self._ids
            if not mask.all():
                ids, scores = ids[mask], scores[mask]
        n = min(n, scores.shape[0])
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.lexsort((ids[top], -scores[top]))]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def similarities(self, chunk_ids: Sequence[int], query: np.ndarray) -> dict[int, float]:
        """The cosine of these passages (those with a vector in the loaded matrix) to `query`."""
        if not chunk_ids:
            return {}
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        with self._lock:
            if not self._matrix.shape[0] or self._matrix.shape[1] != query.shape[0]:
                return {}
            rows = np.nonzero(np.isin(self._ids, np.asarray(chunk_ids, dtype=np.int64)))[0]
            return {int(self._ids[i]): float(v) for i, v in zip(rows, self._matrix[rows] @ query)}

    @property
    def size(self) -> int:
        """Rows in the loaded matrix (0 before the first search)."""
        return int(self._ids.shape[0])
