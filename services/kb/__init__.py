"""The knowledge base: company documents redacted at ingestion, searched in Chinese and English.

    parse.py    files into sections (PDF, DOCX, Markdown, HTML, text, XLSX/CSV FAQ rows)
    chunk.py    sections into passages at sentence ends, never across a heading
    segment.py  index words: jieba for Chinese, Snowball stems for English, Chinese character pairs
    schema.py   its tables in the encrypted store (FTS5 inside SQLCipher)
    index.py    KnowledgeBase: collections and grants, add/replace/remove, search with an answerability score
    cli.py      `python -m services.kb add|list|remove|reindex|grant|revoke|search`

Names load their module on first use, so the store can create the tables (schema.py imports nothing of
the project) without loading the parsers.
"""

from __future__ import annotations

import importlib
from typing import Any

_SURFACE = {
    "KnowledgeBase": "index", "AddResult": "index", "Hit": "index", "SearchResult": "index",
    "DocumentInfo": "index", "CollectionInfo": "index", "KbError": "index", "UnknownCollection": "index",
    "DocumentRejected": "parse", "parse_bytes": "parse", "open_kb": "cli",
}

__all__ = list(_SURFACE)


def __getattr__(name: str) -> Any:
    module = _SURFACE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
