"""Numbers said in pieces with fillers between them: a caller reading a phone, an ID or a card number aloud
stops to think, and speech-to-text writes the pause and what was said in it (幺五七，那个，五七五九，那个，七八四二;
三七零二八三，然后一九八五零三一二，后面是四一零四). The number rules read digits with commas or spaces
between them, not with words; so each stretch of numeral pieces whose pauses hold such a word is read again
with its pauses taken out, and what the rules find there is mapped back over the pauses.
"""

from __future__ import annotations

import re

from .said_places import _FILLERS as _ADDRESS_FILLERS
from .said_places import over_pauses

# What a caller says between two pieces of a number.
_FILLERS = _ADDRESS_FILLERS + "|接着|后面是|后面|再来|再|还有|对"
# (Normalised text: full-width commas are commas, an ellipsis is dots.)
_GAP = r"(?:[，,、 ]|…|\.{2,})"
_PAUSE = f"(?=[，,、 …]|\\.\\.|{_FILLERS}){_GAP}*(?:(?:{_FILLERS}){_GAP}*)*"
_SAID = re.compile(f"…|\\.\\.|{_FILLERS}")
# A piece: numerals, digits or the X of an ID (叉, X), up to 19 of them.
_DIGIT = "0-9零〇幺一二三四五六七八九两洞"
_PIECE = f"[{_DIGIT}](?:[{_DIGIT} ]{{0,22}}(?:[{_DIGIT}Xx叉]|艾克斯))?"
_RUN = re.compile(f"(?<![{_DIGIT}A-Za-z]){_PIECE}(?:{_PAUSE}{_PIECE})+(?![{_DIGIT}A-Za-z])")
_PAUSE_RE = re.compile(_PAUSE)


class SaidNumbers:
    """Finds number spans over pauses with fillers with `rules` (a Redactor holding the number patterns)."""

    def __init__(self, rules) -> None:
        self.rules = rules

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        for run in _RUN.finditer(text):
            if _SAID.search(text, run.start(), run.end()) is None:
                continue  # commas and spaces alone: the rules read those
            kept: list[int] = []  # positions in `text` of the run read again
            cuts: list[tuple[int, int]] = []
            pos = run.start()
            for pause in _PAUSE_RE.finditer(text, run.start(), run.end()):
                kept.extend(range(pos, pause.start()))
                cuts.append(pause.span())
                pos = pause.end()
            kept.extend(range(pos, run.end()))
            joined = "".join(text[i] for i in kept)
            out.extend(over_pauses(self.rules.fused(joined), self.rules.labels, kept, cuts))
        return out
