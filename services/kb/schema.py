"""The knowledge base's tables in the encrypted store (store migrations; m009 alone uses the project's segmenter).

    kb_collections  id, name (unique), created_at
    kb_grants       collection -> grantee: `role:staff`, `role:admin` or `group:<identity-provider group>`
    kb_documents    one row per source in a collection: its path as added, SHA-256 of the file, title,
                    kind, pages, passage count, redaction counts by label (JSON), the original file
                    only when HUSHDESK_KB_KEEP_ORIGINALS is on (inside the encrypted store)
    kb_chunks       the redacted passages: heading, the headings above it (JSON), page, text
    kb_fts          FTS5 over the passages' segmented words (title, heading path, body), Chinese character
                    pairs, and the collection as a token (`c<id>`) so a search never leaves its collections
    kb_vocab        FTS5's own view of document frequencies (for the answerability score)
    kb_vectors      (m006) a passage's embedding as float32 bytes with its dimension; `id` only grows
                    (AUTOINCREMENT), so (count, max id) changes with every add or removal; rows go with
                    their passage (foreign key, ON DELETE CASCADE)
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Connection

__all__ = ["m004_knowledge_base", "m006_kb_vectors", "m009_kb_abbreviations"]

_DDL = (
    "CREATE TABLE kb_collections (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
    "CREATE TABLE kb_grants (collection_id INTEGER NOT NULL REFERENCES kb_collections(id) ON DELETE CASCADE, "
    "grantee TEXT NOT NULL, PRIMARY KEY (collection_id, grantee))",
    "CREATE TABLE kb_documents (id INTEGER PRIMARY KEY, collection_id INTEGER NOT NULL REFERENCES "
    "kb_collections(id) ON DELETE CASCADE, source TEXT NOT NULL, sha256 TEXT NOT NULL, title TEXT NOT NULL, "
    "kind TEXT NOT NULL, pages INTEGER, chunks INTEGER NOT NULL, redactions TEXT NOT NULL, added_at TEXT NOT NULL, "
    "original BLOB, UNIQUE (collection_id, source))",
    "CREATE TABLE kb_chunks (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES kb_documents(id) "
    "ON DELETE CASCADE, ord INTEGER NOT NULL, heading TEXT, path TEXT NOT NULL, page INTEGER, text TEXT NOT NULL)",
    "CREATE INDEX kb_chunks_document ON kb_chunks (document_id)",
    "CREATE VIRTUAL TABLE kb_fts USING fts5(title, heading, body, grams, coll, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, 'row')",
)


def m004_knowledge_base(conn: Connection) -> None:
    """Create the knowledge base's tables."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def m006_kb_vectors(conn: Connection) -> None:
    """The passages' embeddings (when an embedding model is configured), inside the encrypted store."""
    conn.exec_driver_sql(
        "CREATE TABLE kb_vectors (id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id INTEGER NOT NULL UNIQUE "
        "REFERENCES kb_chunks(id) ON DELETE CASCADE, dim INTEGER NOT NULL, vec BLOB NOT NULL)")


def m009_kb_abbreviations(conn: Connection) -> None:
    """Re-segment the keyword index of passages stored before Chinese abbreviations were indexed (年假 for
    年休假; services/kb/segment.py), from the redacted passages themselves; vectors are not touched."""
    rows = conn.exec_driver_sql(
        "SELECT c.id, d.id, d.title, c.path, c.heading, c.text, d.collection_id FROM kb_chunks c "
        "JOIN kb_documents d ON d.id = c.document_id").all()
    if not rows:
        return
    from .segment import index_row, segment  # defers jieba's dictionary to a store with passages to re-index

    titles: dict[int, str] = {}  # each document's title, segmented once
    for chunk, doc, title, path, heading, text, cid in rows:
        if doc not in titles:
            titles[doc] = segment(title).words
        conn.exec_driver_sql("DELETE FROM kb_fts WHERE rowid = ?", (chunk,))
        conn.exec_driver_sql("INSERT INTO kb_fts (rowid, title, heading, body, grams, coll) VALUES (?, ?, ?, ?, ?, ?)",
                             (chunk, *index_row(titles[doc], (*json.loads(path), heading), text, int(cid))))
