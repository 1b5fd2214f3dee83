"""Streaming redaction: emit a reply as it arrives, holding back only the tail that could still be PII."""

from __future__ import annotations

import re
from typing import Sequence

from .detectors import DEFAULT_DETECTORS, PatternDetector
from .placeholders import Placeholders
from .redactor import _groups, _matches, _replace, _select

# Emitted characters kept for the detectors' lookbehinds (their contract: at most 8 characters back).
_CONTEXT = 8


class StreamRedactor:
    """Redacts a streamed text so that the joined output of feed()s and flush() equals redact() of the whole.

    No character is emitted while it could still belong to a PII value. Only the pending tail is rescanned
    on each feed (plus _CONTEXT emitted characters), never the whole history.
    """

    __slots__ = (
        "_placeholders", "_detectors", "_groups", "_limits", "_runs", "_context", "_pending", "_counts",
        "_required",
    )

    def __init__(
        self, placeholders: Placeholders | None = None, detectors: Sequence[PatternDetector] | None = None
    ) -> None:
        self._placeholders = Placeholders() if placeholders is None else placeholders
        self._detectors = tuple(DEFAULT_DETECTORS if detectors is None else detectors)
        self._groups = _groups(self._detectors)
        # One search for any character some match would need; None when a detector promises none.
        self._required = _any_of(self._detectors)
        # +1: a lookahead may peek one character past a match that reaches the end of what we have.
        pairs = {(d.alphabet, d.max_len + 1, d.starts) for d in self._detectors}
        # An entry whose alphabet and start characters are subsets of another's, with no larger limit,
        # never sets the hold: dropping it changes nothing and halves the per-token loop.
        self._limits = tuple(p for p in pairs if not any(
            q != p and p[0] <= q[0] and p[1] <= q[1] and p[2] <= q[2] for q in pairs))
        self._runs = [0] * len(self._limits)  # trailing run of each alphabet, capped at its limit
        self._context = ""
        self._pending = ""
        self._counts: dict[str, int] = {}

    @property
    def counts(self) -> dict[str, int]:
        """Spans emitted so far, per label (a copy)."""
        return dict(self._counts)

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the redacted text that is now safe to show (possibly "")."""
        pending = self._pending + chunk
        self._pending = pending
        size = len(chunk)
        hold = 0
        end = len(pending)
        for k, (alphabet, limit, starts) in enumerate(self._limits):
            # A match that could still grow (or whose lookahead needs the next char) lies inside the
            # trailing run of its detector's alphabet, and no further back than its max length. The run
            # is kept across feeds so each feed only looks at its own chunk.
            i = size
            low = max(size - limit, 0)
            while i > low and chunk[i - 1] in alphabet:
                i -= 1
            run = min(self._runs[k] + size, limit) if i == 0 else size - i
            self._runs[k] = run
            if run > hold:
                # Only from the run's first character that can begin a match (never before pending).
                j = max(end - run, 0)
                while j < end and pending[j] not in starts:
                    j += 1
                if end - j > hold:
                    hold = end - j
        if hold >= end:
            return ""
        return self._emit(end - hold)

    def flush(self) -> str:
        """End of text: return the redacted held-back tail; the redactor may then start a new text."""
        out = self._emit(len(self._pending))
        self._context = ""
        self._runs = [0] * len(self._limits)
        return out

    def _emit(self, cut: int) -> str:
        """Emit pending[:cut'] redacted, where cut' <= cut is the nearest point no match straddles."""
        window = self._context + self._pending
        base = len(self._context)
        cut += base
        if self._required is not None and self._required.search(window, base) is None:
            # Nothing here can be PII (most reply tokens): emit without matching at all.
            self._context = window[max(cut - _CONTEXT, 0):cut]
            self._pending = window[cut:]
            return window[base:cut]
        # Matches starting before the cut are final: none can reach the unseen text. Greedy selection in
        # start order is final for them too; only the last chosen span can straddle the cut, and then the
        # cut moves back to its start (it is emitted whole next time).
        chosen = _select(_matches(window, base, self._groups, stop=cut))
        if chosen and chosen[-1].end > cut:
            cut = chosen.pop().start
        if cut == base:
            return ""
        out = _replace(window, base, cut, chosen, self._detectors, self._placeholders, self._counts)
        self._context = window[max(cut - _CONTEXT, 0):cut]
        self._pending = window[cut:]
        return out


def _any_of(detectors: Sequence[PatternDetector]) -> "re.Pattern[str] | None":
    """A character class of every detector's required characters, or None if one requires none."""
    if not detectors or any(not d.required for d in detectors):
        return None
    chars = "".join(sorted(set().union(*(d.required for d in detectors))))
    return re.compile("[" + re.escape(chars) + "]")
