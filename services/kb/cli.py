"""The knowledge base's command line: `python -m services.kb`.

    python -m services.kb add PATH... --collection NAME   files, or folders recursively; each source is
                                                          named by its path relative to the working folder
    python -m services.kb list [--collection NAME]        collections, or one collection's documents
    python -m services.kb remove SOURCE --collection NAME
    python -m services.kb reindex [--collection NAME]
    python -m services.kb grant NAME role:staff|role:admin|group:GROUP   (and `revoke`)
    python -m services.kb search "QUESTION" [--collection NAME] [--k N]
    python -m services.kb search --json [--collection NAME] [--k N]
        reads JSON lines {"q": "..."} on stdin and writes one line per question, flushed:
        {"results": [{"source", "heading", "page", "score"}], "no_answer": true|false}

Exit 0 on success, 2 with a fixed message on an error (a file that cannot be added is reported by name
with its reason, and the others are still added: exit 1 then).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Sequence, TextIO

from ..config import load_settings
from ..engine.supervisor import create_kb_engines
from ..errors import HushdeskError
from ..keys import load_keys
from ..redact import redactor_for
from ..store import open_store
from .builtin import BuiltinEmbedder
from .embed import Embedder, Reranker
from .index import KnowledgeBase
from .parse import KINDS, DocumentRejected

__all__ = ["main", "open_kb", "files_under", "source_name"]


def open_kb(settings, engine, *, redactor=None, embed_engine=None, rerank_engine=None) -> KnowledgeBase:
    """The knowledge base over an open store, sized by the settings: with `redactor` when one is already
    built (the chat's: the name layers load once) else the settings' own, and with the embedding and
    reranking engines when they run (their endpoints are read at each call: they change on restart), else
    the built-in CPU embedder when HUSHDESK_KB_EMBEDDING_BUILTIN is on."""
    if embed_engine is not None:
        embedder: Embedder | BuiltinEmbedder | None = Embedder(lambda: embed_engine.endpoint)
    elif settings.kb_embedding_builtin:
        embedder = BuiltinEmbedder()
    else:
        embedder = None
    return KnowledgeBase(
        engine, redactor if redactor is not None else redactor_for(settings), chunk_chars=settings.kb_chunk_chars,
        overlap_chars=settings.kb_overlap_chars, max_bytes=settings.kb_max_file_mb * 2**20,
        keep_originals=settings.kb_keep_originals, no_answer_below=settings.kb_no_answer_below,
        embedder=embedder,
        reranker=Reranker(lambda: rerank_engine.endpoint) if rerank_engine is not None else None,
        vector_candidates=settings.kb_vector_candidates, vector_no_answer_below=settings.kb_vector_no_answer_below)


def files_under(paths: Sequence[str]) -> list[Path]:
    """The files named, and the supported files inside the folders named (recursively, sorted)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KINDS
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            out.append(path)
    return out


def source_name(path: Path, base: Path) -> str:
    """A file's name as a source: its path relative to `base` (the working folder), with forward slashes."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(base.absolute()).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, base.absolute())).as_posix()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.kb", description="Manage and search the knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add files or folders (recursively) to a collection")
    add.add_argument("paths", nargs="+")
    add.add_argument("--collection", required=True)
    listing = sub.add_parser("list", help="list collections, or the documents of one")
    listing.add_argument("--collection")
    remove = sub.add_parser("remove", help="remove a document")
    remove.add_argument("source")
    remove.add_argument("--collection", required=True)
    reindex = sub.add_parser("reindex", help="rebuild the keyword index from the stored passages")
    reindex.add_argument("--collection")
    for name in ("grant", "revoke"):
        cmd = sub.add_parser(name, help=f"{name} a role or group access to a collection")
        cmd.add_argument("collection")
        cmd.add_argument("grantee", help="role:staff, role:admin or group:NAME")
    search = sub.add_parser("search", help="search; with --json, questions as JSON lines on stdin")
    search.add_argument("question", nargs="?")
    search.add_argument("--json", action="store_true")
    search.add_argument("--collection", action="append")
    search.add_argument("--k", type=int, default=5)
    return parser


def _result_line(result) -> str:
    return json.dumps({"results": [{"source": h.source, "heading": h.heading, "page": h.page, "score": h.score}
                                   for h in result.hits], "no_answer": result.no_answer}, ensure_ascii=False)


def _search_json(kb: KnowledgeBase, collections, k: int, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            question = json.loads(line).get("q")
        except (ValueError, AttributeError):
            question = None
        if not isinstance(question, str):
            stdout.write(json.dumps({"results": [], "no_answer": True, "error": "not a JSON line with q"}) + "\n")
        else:
            stdout.write(_result_line(kb.search(question, collections=collections, k=k)) + "\n")
        stdout.flush()
    return 0


def _run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    if args.command == "add":
        failed = 0
        base = Path.cwd()
        for path in files_under(args.paths):
            source = source_name(path, base)
            try:
                done = kb.add_file(path, source, args.collection)
            except DocumentRejected as exc:
                failed += 1
                print(f"{source}: not added: {exc.message}", file=sys.stderr)
                continue
            counts = ", ".join(f"{k} {v}" for k, v in sorted(done.redactions.items())) or "none"
            print(f"{source}: {done.status}, {done.passages} passages, redacted: {counts}")
        return 1 if failed else 0
    if args.command == "list":
        if args.collection is None:
            for c in kb.collections():
                print(f"{c.name}\t{c.documents} documents\t{c.passages} passages\t{' '.join(c.grantees) or '(no access)'}")
        else:
            for d in kb.documents(args.collection):
                counts = ", ".join(f"{k} {v}" for k, v in sorted(d.redactions.items())) or "none"
                print(f"{d.source}\t{d.kind}\t{d.passages} passages\tredacted: {counts}\t{d.sha256[:12]}")
        return 0
    if args.command == "remove":
        if not kb.remove(args.source, args.collection):
            print("No such document in that collection.", file=sys.stderr)
            return 2
        print(f"Removed {args.source}.")
        return 0
    if args.command == "reindex":
        print(f"Reindexed {kb.reindex(args.collection)} passages.")
        return 0
    if args.command in ("grant", "revoke"):
        (kb.grant if args.command == "grant" else kb.revoke)(args.collection, args.grantee)
        verb = "Granted" if args.command == "grant" else "Revoked"
        print(f"{verb} {args.grantee} on {args.collection}.")
        return 0
    k = max(1, min(args.k, 50))
    if args.json:
        return _search_json(kb, args.collection, k, sys.stdin, sys.stdout)
    if not args.question:
        print("Give a question, or --json to read JSON lines on stdin.", file=sys.stderr)
        return 2
    result = kb.search(args.question, collections=args.collection, k=k)
    print(_result_line(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        # Adding is a first use too: on an install nobody has started yet, the key file and the encrypted
        # store are made as the app's first run makes them (never over an existing store without its key).
        first = args.command == "add"
        engine = open_store(settings, load_keys(settings, create=first), create=first, local=True)  # this host's file
        embed = None
        if settings.kb_embedding_url:  # an external embedding server; the command line never launches a model
            embed, _ = create_kb_engines(settings)
            asyncio.run(embed.start())
        try:
            return _run(args, open_kb(settings, engine, embed_engine=embed))
        finally:
            engine.dispose()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - never a traceback that could hold document or question text
        print(f"Unexpected error ({type(exc).__name__}).", file=sys.stderr)
        return 2
