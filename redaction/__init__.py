"""PII redaction for chat text and streamed model replies: spans, placeholders, a vault, hold-back streaming.

    find_spans(text) -> [Span]           offsets into the original text, end exclusive
    redact(text, placeholders) -> Redaction
    StreamRedactor(placeholders).feed(chunk) / .flush()   same result as redact() of the whole
"""

from .detectors import DEFAULT_DETECTORS, LABELS, PatternDetector, PatternError, build_detectors
from .normalise import normalise
from .policy import OutputPolicy
from .redactor import Redactor, find_spans, redact
from .spans import Redaction, Span
from .stream import StreamRedactor
from .vault import Placeholders, Revealer, escape_placeholders

__all__ = [
    "DEFAULT_DETECTORS",
    "LABELS",
    "OutputPolicy",
    "PatternDetector",
    "PatternError",
    "Placeholders",
    "Redaction",
    "Redactor",
    "Revealer",
    "Span",
    "StreamRedactor",
    "build_detectors",
    "escape_placeholders",
    "find_spans",
    "normalise",
    "redact",
]
