"""Command line for the redaction package.

`python -m redaction spans [--rules FILE]` turns JSON lines {"text": ...} into {"spans": [...]} lines.
`python -m redaction redact PATH [PATH ...] [--out DIR] [--force] [--json] [--rules FILE]` writes redacted
copies of text and Markdown files (knowledge-base preparation); the originals are never modified.
`--rules FILE` adds a company's recognizer file (see redaction.custom), as HUSHDESK_RECOGNIZERS_FILE does
for the app; a file with an error stops the command (exit 2) naming its line.

Nothing here ever prints file content or exception text: inputs may be PII, so errors are fixed phrases
and the summary holds paths and counts only.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field

# The package's public API only: the modules behind it are free to move.
from . import Placeholders, Redactor, build_detectors
from .custom import RuleFileError, load_rules, with_rules
from .recognizers import LayerError

_USAGE = (
    'usage: python -m redaction spans [--rules FILE]   (stdin: one JSON object {"text": "..."} per line)\n'
    "       python -m redaction redact PATH [PATH ...] [--out DIR] [--force] [--json] [--rules FILE]\n"
)
_REDACTOR: list[Redactor] = []  # the one in use: the defaults, or with --rules


def _redactor() -> Redactor:
    if not _REDACTOR:
        _REDACTOR.append(Redactor(build_detectors()))
    return _REDACTOR[0]


def _use_rules(path: str) -> None:
    """Redact with a recognizer file's rules too; RuleFileError when it cannot be used."""
    from pathlib import Path

    _REDACTOR[:] = [Redactor(with_rules(load_rules(Path(path)), build_detectors()))]
# Fixed message: the input may be PII, so it is never echoed back.
_MALFORMED = json.dumps({"error": "malformed input"})

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
MAX_BYTES = 50 * 1024 * 1024  # larger files are refused ("too large")
_BOM = b"\xef\xbb\xbf"
# No symlinks, and a FIFO that slipped in after the walk must not block the run.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_BINARY", 0))


# --- spans ----------------------------------------------------------------------------------------------


def spans_line(raw: bytes) -> str:
    """One output line (without newline) for one input line."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        return _MALFORMED
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return _MALFORMED
    spans = [{"start": s.start, "end": s.end, "label": s.label} for s in _redactor().find_spans(obj["text"])]
    return json.dumps({"spans": spans})


def _spans_main() -> int:
    # Bytes, not text: an invalid UTF-8 line must become one error line, not end the program.
    for raw in iter(sys.stdin.buffer.readline, b""):
        sys.stdout.write(spans_line(raw) + "\n")
        sys.stdout.flush()  # a caller waiting on each answer must get it now
    return 0


# --- redact ---------------------------------------------------------------------------------------------


class _Refused(Exception):
    """The whole run is refused before anything is written (exit 2); the message holds paths only."""


class _Failed(Exception):
    """One file failed; the message is a fixed reason, never content or exception text."""


@dataclass
class _Item:
    """One entry of the summary: a file to redact, or something skipped or failed while walking."""

    path: str  # as shown: built from the PATH argument as given
    source: str | None = None  # absolute path to read (pending files only)
    output: str | None = None  # absolute path to write (pending files only)
    status: str = "pending"  # pending -> redacted | failed; or skipped
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"path": self.path, "output": self.output if self.status == "redacted" else None,
                "status": self.status, "reason": self.reason, "counts": dict(sorted(self.counts.items()))}


def _is_text_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in TEXT_SUFFIXES


def _walk(root: str, shown: str, out_root: str, items: list[_Item]) -> None:
    """Append an item for everything under folder `root` (sorted, depth first); symlinks never followed."""
    stack = [(root, shown, out_root)]
    while stack:
        folder, folder_shown, folder_out = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            items.append(_Item(folder_shown, status="failed", reason="cannot read"))
            continue
        subdirs = []
        for e in entries:
            path_shown = os.path.join(folder_shown, e.name)
            try:
                if e.is_symlink():
                    items.append(_Item(path_shown, status="skipped", reason="symlink not followed"))
                elif e.is_dir(follow_symlinks=False):
                    if e.name.startswith("."):
                        items.append(_Item(path_shown, status="skipped", reason="hidden directory"))
                    else:
                        subdirs.append((e.path, path_shown, os.path.join(folder_out, e.name)))
                elif not e.is_file(follow_symlinks=False):
                    items.append(_Item(path_shown, status="skipped", reason="not a regular file"))
                elif _is_text_name(e.name):
                    items.append(_Item(path_shown, source=e.path, output=os.path.join(folder_out, e.name)))
                else:
                    items.append(_Item(path_shown, status="skipped", reason="not a text or Markdown file"))
            except OSError:
                items.append(_Item(path_shown, status="failed", reason="cannot read"))
        stack.extend(reversed(subdirs))


def _plan(paths: list[str], out_dir: str | None) -> tuple[list[_Item], list[str]]:
    """Items for every PATH argument, and the (absolute) input folders."""
    items: list[_Item] = []
    folders: list[str] = []
    for arg in paths:
        absolute = os.path.abspath(arg)
        name = os.path.basename(absolute)
        if os.path.islink(absolute):
            items.append(_Item(arg, status="skipped", reason="symlink not followed"))
        elif not os.path.lexists(absolute):
            raise _Refused(f"no such file or directory: {arg}")
        elif os.path.isdir(absolute):
            if not name:
                raise _Refused(f"cannot name an output folder for {arg}; use --out")
            if out_dir is not None:
                out_root = os.path.join(out_dir, name)
            else:
                out_root = os.path.join(os.path.dirname(absolute), name + ".redacted")
            folders.append(absolute)
            _walk(absolute, arg, out_root, items)
        elif not os.path.isfile(absolute):
            items.append(_Item(arg, status="skipped", reason="not a regular file"))
        elif not _is_text_name(name):
            items.append(_Item(arg, status="skipped", reason="not a text or Markdown file"))
        else:
            if out_dir is not None:
                output = os.path.join(out_dir, name)
            else:
                stem, suffix = os.path.splitext(name)
                output = os.path.join(os.path.dirname(absolute), f"{stem}.redacted{suffix}")
            items.append(_Item(arg, source=absolute, output=output))
    return items, folders


def _rereadable_inside(path: str, folder: str, is_dir: bool = False) -> bool:
    """Whether a later walk of `folder` would reach `path` (both real paths; hidden dirs are not walked)."""
    rel = os.path.relpath(path, folder)
    if rel == os.curdir:
        return is_dir
    parts = rel.split(os.sep)
    if parts[0] == os.pardir:
        return False
    dirs = parts if is_dir else parts[:-1]
    return not any(p.startswith(".") for p in dirs)


def _check(items: list[_Item], folders: list[str], out_dir: str | None, force: bool) -> None:
    """Refuse (before writing anything) outputs that clash with inputs, each other, or existing files."""
    real_folders = [os.path.realpath(f) for f in folders]
    if out_dir is not None:
        if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
            raise _Refused(f"--out is not a folder: {out_dir}")
        real_out = os.path.realpath(out_dir)
        for folder, real in zip(folders, real_folders):
            if _rereadable_inside(real_out, real, is_dir=True):
                raise _Refused(f"--out {out_dir} is inside input folder {folder}")
    pending = [i for i in items if i.status == "pending"]
    real_inputs = {os.path.realpath(i.source) for i in pending}
    input_ids = set()
    for i in pending:
        try:
            st = os.lstat(i.source)
            input_ids.add((st.st_dev, st.st_ino))
        except OSError:
            pass  # reported when it is read
    seen: dict[str, str] = {}
    existing: list[str] = []
    for i in pending:
        real = os.path.realpath(i.output)
        if real in real_inputs:
            raise _Refused(f"output {i.output} would overwrite an input file")
        for folder, real_folder in zip(folders, real_folders):
            if _rereadable_inside(real, real_folder):
                raise _Refused(f"output {i.output} would be inside input folder {folder}")
        if real in seen:
            raise _Refused(f"{seen[real]} and {i.path} would both be written to {i.output}")
        seen[real] = i.path
        try:
            st = os.stat(i.output)
        except OSError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) in input_ids:
            raise _Refused(f"output {i.output} would overwrite an input file")
        if os.path.lexists(i.output):
            existing.append(i.output)
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise _Refused(f"output already exists: {existing[0]}{more}; use --force to overwrite")


def _read(path: str) -> bytes:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        raise _Failed("cannot read") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Failed("not a regular file")
        if st.st_size > MAX_BYTES:
            raise _Failed("too large")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_BYTES:
                raise _Failed("too large")  # it grew while being read
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        raise _Failed("cannot read") from None
    finally:
        os.close(fd)


def _write_atomic(path: str, data: bytes, force: bool, mode: int) -> None:
    """Write via a temporary file in the same folder and os.replace; never leaves a partial file."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path)[:100] + ".", suffix=".tmp", dir=folder)
    except OSError:
        raise _Failed("cannot write") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if not force and os.path.lexists(path):
            raise _Failed("output already exists")  # appeared since the check
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _Failed("cannot write") from None
        raise


def _redact_file(item: _Item, force: bool, mode: int) -> None:
    """Redact one file with its own Placeholders; sets status, reason and counts."""
    try:
        data = _read(item.source)
        bom = data.startswith(_BOM)
        try:
            # Bytes in, bytes out: no newline translation (as newline=""), so CRLF/LF/CR stay as they were.
            text = data[len(_BOM):].decode("utf-8") if bom else data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Failed("not UTF-8 text") from None
        try:
            result = _redactor().redact(text, Placeholders())
            out = (_BOM if bom else b"") + result.text.encode("utf-8")
        except Exception:  # never let a traceback (which could quote the text) reach the terminal
            raise _Failed("redaction error") from None
        _write_atomic(item.output, out, force, mode)
    except _Failed as failed:
        item.status, item.reason = "failed", str(failed)
        return
    item.status, item.counts = "redacted", dict(result.counts)


def _counts_text(counts: dict[str, int]) -> str:
    n = sum(counts.values())
    words = f"{n} span" if n == 1 else f"{n} spans"
    if not counts:
        return words
    return words + " (" + ", ".join(f"{label}={c}" for label, c in sorted(counts.items())) + ")"


def _summary_line(item: _Item) -> str:
    if item.status == "redacted":
        return f"{item.path}: {_counts_text(item.counts)}"
    return f"{item.path}: {item.status} ({item.reason})"


def _redact_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m redaction redact", allow_abbrev=False,
        description="Write redacted copies of .txt/.md/.markdown/.text files (folders walked recursively). "
                    "Originals are never modified.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a text or Markdown file, or a folder")
    p.add_argument("--out", metavar="DIR",
                   help="write under DIR (DIR/<folder name>/... or DIR/<file name>) instead of next to each PATH")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--json", action="store_true", help="print one JSON summary object instead of lines")
    p.add_argument("--rules", metavar="FILE", help="a recognizer file (TOML) of the company's own identifiers")
    return p


def _redact_main(argv: list[str]) -> int:
    try:
        args = _redact_parser().parse_args(argv)
    except SystemExit as exc:  # usage error (2) or --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    out_dir = None if args.out is None else os.path.abspath(args.out)
    if args.rules is not None:
        try:
            _use_rules(args.rules)
        except RuleFileError as exc:
            sys.stderr.write(f"redact: {exc}\n")
            return 2
    _redactor()  # the layers load (or the command stops) before any file is read
    try:
        items, folders = _plan(args.paths, out_dir)
        _check(items, folders, out_dir, args.force)
    except _Refused as refused:
        sys.stderr.write(f"redact: {refused}\n")
        return 2
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask  # like any newly created file
    totals: dict[str, int] = {}
    for item in items:
        if item.status == "pending":
            _redact_file(item, args.force, mode)
            for label, n in item.counts.items():
                totals[label] = totals.get(label, 0) + n
        if not args.json:
            sys.stdout.write(_summary_line(item) + "\n")
            sys.stdout.flush()
    failed = sum(i.status == "failed" for i in items)
    if args.json:
        sys.stdout.write(json.dumps({"files": [i.as_json() for i in items],
                                     "totals": dict(sorted(totals.items()))}) + "\n")
    else:
        written = sum(i.status == "redacted" for i in items)
        skipped = sum(i.status == "skipped" for i in items)
        sys.stdout.write(f"total: {_counts_text(totals)} in {written} file{'' if written == 1 else 's'}; "
                         f"{failed} failed, {skipped} skipped\n")
    if failed:
        sys.stderr.write(f"redact: {failed} file{'' if failed == 1 else 's'} failed\n")
        return 1
    return 0


# --- entry point ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    # A path that is not valid in the terminal's encoding must not crash the summary.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _dispatch(args)
    except LayerError as exc:  # a missing or changed model file: never run on the rules alone
        sys.stderr.write(f"redaction: {exc.MESSAGE}.\n")
        return 2


def _dispatch(args: list[str]) -> int:
    if args[:1] == ["spans"] and (len(args) == 1 or (len(args) == 3 and args[1] == "--rules")):
        if len(args) == 3:
            try:
                _use_rules(args[2])
            except RuleFileError as exc:
                sys.stderr.write(f"spans: {exc}\n")
                return 2
        _redactor()  # load the layers before reading any input
        return _spans_main()
    if args[:1] == ["redact"]:
        return _redact_main(args[1:])
    sys.stderr.write(_USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main())
