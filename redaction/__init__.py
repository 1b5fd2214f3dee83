"""PII redaction for chat text and streamed model replies (spans, placeholders, hold-back streaming)."""

from .detectors import DEFAULT_DETECTORS, PatternDetector
from .placeholders import Placeholders
from .redactor import find_spans, redact
from .spans import Redaction, Span
from .stream import StreamRedactor

__all__ = [
    "DEFAULT_DETECTORS",
    "PatternDetector",
    "Placeholders",
    "Redaction",
    "Span",
    "StreamRedactor",
    "find_spans",
    "redact",
]
