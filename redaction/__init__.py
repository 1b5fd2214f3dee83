"""PII redaction for chat text and streamed model replies: spans, placeholders, a vault, hold-back streaming.

    find_spans(text) -> [Span]           offsets into the original text, end exclusive
    redact(text, placeholders) -> Redaction
    StreamRedactor(placeholders).feed(chunk) / .flush()   same result as redact_output() of the whole
    load_layers() / check_layers()       the built-in recognizers (LayerError if a model file is bad)
"""

from .detectors import DEFAULT_DETECTORS, LABELS, PatternDetector, PatternError, build_detectors
from .normalise import normalise
from .policy import OutputPolicy
from .recognizers import LAYERS, LayerError, Recognizer, check_layers, load_layers
from .redactor import Redactor, find_spans, output_detectors, redact, redact_output
from .spans import Redaction, Span
from .stream import StreamRedactor
from .vault import Placeholders, Revealer, escape_placeholders

__all__ = [
    "DEFAULT_DETECTORS",
    "LAYERS",
    "LayerError",
    "Recognizer",
    "check_layers",
    "load_layers",
    "output_detectors",
    "redact_output",
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
