"""Command line: `python -m redaction spans` turns JSON lines {"text": ...} into {"spans": [...]} lines."""

from __future__ import annotations

import json
import sys

from .redactor import find_spans

_USAGE = 'usage: python -m redaction spans   (stdin: one JSON object {"text": "..."} per line)\n'
# Fixed message: the input may be PII, so it is never echoed back.
_MALFORMED = json.dumps({"error": "malformed input"})


def spans_line(raw: bytes) -> str:
    """One output line (without newline) for one input line."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        return _MALFORMED
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return _MALFORMED
    spans = [{"start": s.start, "end": s.end, "label": s.label} for s in find_spans(obj["text"])]
    return json.dumps({"spans": spans})


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["spans"]:
        sys.stderr.write(_USAGE)
        return 2
    # Bytes, not text: an invalid UTF-8 line must become one error line, not end the program.
    for raw in iter(sys.stdin.buffer.readline, b""):
        sys.stdout.write(spans_line(raw) + "\n")
        sys.stdout.flush()  # a caller waiting on each answer must get it now
    return 0


if __name__ == "__main__":
    sys.exit(main())
