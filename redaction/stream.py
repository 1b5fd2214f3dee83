"""Streaming redaction: emit a reply as it arrives, holding back only the tail that could still be PII."""

from __future__ import annotations

from typing import Sequence

from .detectors import PatternDetector
from .normalise import RTL_RUN, Normalised, bidi_positions, has_bidi, normalise, rtl_runs
from .redactor import CONTEXT as _CONTEXT
from .redactor import Redactor, compiled, select
from .vault import Placeholders


class StreamRedactor:
    """Redacts a streamed reply so that the joined output of feed()s and flush() equals the output side's
    batch redaction of the whole (`Redactor.output.redact`, `redact_output()`).

    It runs the output detector set (Redactor.output): no recognizer, no input-only rule.

    No character is emitted while it could still belong to a PII value. Only the pending tail is rescanned
    on each feed (plus _CONTEXT emitted characters), never the whole history.
    """

    __slots__ = (
        "_placeholders", "_redactor", "_limits", "_runs", "_context", "_pending", "_norm", "_offsets",
        "_counts", "_required", "_margin",
    )

    def __init__(
        self, placeholders: Placeholders | None = None, detectors: Sequence[PatternDetector] | None = None,
        *, redactor: Redactor | None = None,
    ) -> None:
        """`redactor`, an already compiled detector list, takes the place of `detectors`; either way the
        stream runs its `.output`."""
        self._placeholders = Placeholders() if placeholders is None else placeholders
        self._redactor: Redactor = (redactor if redactor is not None else compiled(detectors)).output
        # One search for any string some match would need; None when a detector promises none.
        self._required = self._redactor.stream_required
        self._limits = self._redactor.limits
        self._runs = [0] * len(self._limits)  # trailing run of each alphabet, capped at its limit
        self._context = ""  # the last _CONTEXT normalised characters emitted
        self._pending = ""  # original text not yet emitted
        self._norm = ""  # its normalised form
        self._offsets: list[int] | None = None  # as in Normalised, for _pending; None: identical
        self._counts: dict[str, int] = {}
        # How far around a bidi control the other orders can reach: a match (max_len) and the context a
        # later window needs to see what batch sees (lookbehind plus the stream's own context).
        self._margin = max((d.max_len for d in self._redactor.detectors), default=0) + 2 * _CONTEXT + 2

    @property
    def counts(self) -> dict[str, int]:
        """Spans emitted so far, per label (a copy)."""
        return dict(self._counts)

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the redacted text that is now safe to show (possibly "")."""
        piece = normalise(chunk)
        text = piece.text
        if piece.offsets is not None or self._offsets is not None:
            base = len(self._pending)
            if self._offsets is None:
                self._offsets = list(range(len(self._norm)))
            else:
                self._offsets.pop()
            self._offsets.extend([base + o for o in piece.offsets] if piece.offsets is not None
                                 else range(base, base + len(text) + 1))
        self._pending += chunk
        pending = self._norm = self._norm + text
        size = len(text)
        hold = 0
        end = len(pending)
        runs = self._runs
        for k, (alphabet, limit, starts) in enumerate(self._limits):
            # A match that could still grow (or whose lookahead needs the next char) lies inside the
            # trailing run of its detector's alphabet, and no further back than its max length. The run
            # is kept across feeds so each feed only looks at its own chunk.
            i = size
            low = size - limit if size > limit else 0
            while i > low and text[i - 1] in alphabet:
                i -= 1
            if i == 0:
                run = runs[k] + size
                if run > limit:
                    run = limit
            else:
                run = size - i
            runs[k] = run
            if run > hold:
                # Only from the run's first character that can begin a match (never before pending).
                m = starts.search(pending, end - run if end > run else 0)
                if m is not None and end - m.start() > hold:
                    hold = end - m.start()
        cut = end - hold
        if cut > 0 and not pending.isascii() and has_bidi(pending):
            cut = self._bidi_cut(pending, cut)
        if cut <= 0:
            return ""
        return self._emit(cut)

    def _bidi_cut(self, pending: str, cut: int) -> int:
        """The cut moved back out of the reach of every bidi control in pending.

        A control at q reaches from q - margin to margin past what it affects: itself, or for a
        right-to-left opener its run, until that closes (PDF/PDI, a paragraph end, or RTL_RUN characters,
        the bound on how long a reply is held for one). Matches in the other orders (redactor.all_matches)
        lie inside it, so a cut outside every reach sees them whole, as batch does.
        """
        margin = self._margin
        runs = {opener: end if closed else opener + RTL_RUN + 1 for opener, end, closed in rtl_runs(pending)}
        zones = sorted(((q - margin, runs.get(q, q) + margin) for q in bidi_positions(pending)), reverse=True)
        for start, stop in zones:
            if start < cut < stop:
                cut = start
        return cut

    def flush(self) -> str:
        """End of text: return the redacted held-back tail; the redactor may then start a new text."""
        out = self._emit(len(self._norm))
        self._context = ""
        self._runs = [0] * len(self._limits)
        return out

    def _emit(self, cut: int) -> str:
        """Emit pending up to normalised position `cut`, or to the end of a chosen span that reaches past it."""
        norm = self._norm
        offsets = self._offsets
        if offsets is not None:
            # Never cut inside the expansion of one original character (`ﬁ` -> `fi`).
            while 0 < cut < len(norm) and offsets[cut - 1] == offsets[cut]:
                cut -= 1
        window = self._context + norm
        base = len(self._context)
        cut += base
        bidi = not window.isascii() and has_bidi(window)  # the other orders may need any character
        required = None if bidi else self._required
        if required is not None and required.search(window, max(base - _CONTEXT, 0)) is None:
            # Nothing here can be PII (most reply tokens): emit without matching at all.
            return self._advance(window, base, cut, None)
        # Every attempt starting before the cut is complete (the hold saw to that), so the greedy
        # selection over their matches is final for every span starting before the cut: a span from a
        # later attempt starts at or after the cut. The last chosen span may reach past the cut: it is
        # final too, so it is emitted whole and the cut moves to its end (spans from the attempts it
        # covers overlap it and lose in batch as well).
        chosen = select(self._redactor.all_matches(window, base, stop=cut) if bidi
                        else self._redactor.matches(window, base, stop=cut))
        if chosen and chosen[-1].end > cut:
            cut = chosen[-1].end
        if cut == base and (offsets is None or offsets[0] == 0):
            return ""  # (with removed characters first, those are emitted: they are plain text)
        local = Normalised(norm, offsets)
        shifted = [m._replace(start=m.start - base, end=m.end - base) for m in chosen]
        out = self._redactor.replace(self._pending, local, 0, cut - base, shifted, self._placeholders,
                                     self._counts, False)
        return self._advance(window, base, cut, out)

    def _advance(self, window: str, base: int, cut: int, out: str | None) -> str:
        """Drop the emitted part of pending (normalised cut `cut` in window); return what to emit."""
        local_cut = cut - base
        orig_cut = local_cut if self._offsets is None else self._offsets[local_cut]
        emitted = self._pending[:orig_cut]
        self._context = window[max(cut - _CONTEXT, 0):cut]
        self._pending = self._pending[orig_cut:]
        self._norm = self._norm[local_cut:]
        if self._offsets is not None:
            rest = self._offsets[local_cut:]
            self._offsets = None if not self._pending and not self._norm else [o - orig_cut for o in rest]
            if self._offsets is not None and self._pending == self._norm:
                self._offsets = None
        return emitted if out is None else out

