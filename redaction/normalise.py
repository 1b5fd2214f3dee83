"""Normalisation before detection: NFKC per character, other scripts' digits to ASCII, invisibles removed.

Detectors run on the normalised text; spans are mapped back to the original through `offsets`, so what is
replaced (and what is shown) is always the original text. The mapping is per code point, which makes it
chunk-local: normalising a stream chunk by chunk gives the same result as normalising the whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Invisible characters people (or models) put inside numbers: zero-width space/joiners, bidi marks and
# isolates, word joiner, BOM, soft hyphen, Mongolian vowel separator, combining grapheme joiner.
_INVISIBLE = (
    [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF]
    + list(range(0x200B, 0x2010)) + list(range(0x202A, 0x202F)) + list(range(0x2060, 0x2070))
)


def _build() -> dict[int, str]:
    fold: dict[int, str] = {cp: "" for cp in _INVISIBLE}
    # Planes 0-2 hold every compatibility character that matters here (full-width forms, circled and
    # mathematical digits and letters, compatibility ideographs); 40 ms once, at import.
    for cp in range(0x80, 0x30000):
        if cp in fold or 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            fold[cp] = str(unicodedata.digit(ch))
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch:
            fold[cp] = folded
    return fold


def _char_class(cps: list[int]) -> str:
    ranges: list[list[int]] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


_FOLD = _build()
_NEEDS_ALL = re.compile("[" + _char_class(list(_FOLD)) + "]")
# A class of BMP characters only compiles to a lookup table; one with astral characters is scanned as
# ranges (20x slower). Texts without astral characters, nearly all, use the BMP one.
_NEEDS_BMP = re.compile("[" + _char_class([cp for cp in _FOLD if cp <= 0xFFFF]) + "]")
# Characters that fold to other than exactly one character (removed, or expanded like `ﬁ` -> `fi`):
# only these need an offset map; the common case (full-width forms) keeps offsets as they are.
_RESIZES = re.compile("[" + _char_class([cp for cp, f in _FOLD.items() if len(f) != 1]) + "]")
_ONE_TO_ONE = {chr(cp): f for cp, f in _FOLD.items() if len(f) == 1}


def _fold_one(m: re.Match[str]) -> str:
    return _ONE_TO_ONE[m.group()]


@dataclass(frozen=True, slots=True)
class Normalised:
    """`text` normalised; `offsets[j]` is the index in the original of the character that produced
    `text[j]`, and `offsets[len(text)]` is the original's length. `offsets` is None when nothing changed."""

    text: str
    offsets: list[int] | None

    def start(self, j: int) -> int:
        """Original index where normalised position j begins."""
        return j if self.offsets is None else self.offsets[j]

    def end(self, j: int) -> int:
        """Original index just past the character that produced normalised text[j - 1] (j > 0)."""
        return j if self.offsets is None else self.offsets[j - 1] + 1


def normalise(text: str) -> Normalised:
    """Normalise text for detection (see the module docstring)."""
    if text.isascii():
        return Normalised(text, None)
    needs = _NEEDS_BMP if max(text) <= "\uffff" else _NEEDS_ALL
    first = needs.search(text)
    if first is None:
        return Normalised(text, None)
    if _RESIZES.search(text, first.start()) is None:
        return Normalised(needs.sub(_fold_one, text), None)
    parts: list[str] = []
    offsets: list[int] = []
    at = 0
    for m in needs.finditer(text):
        i = m.start()
        if i > at:
            parts.append(text[at:i])
            offsets.extend(range(at, i))
        folded = _FOLD[ord(text[i])]
        parts.append(folded)
        offsets.extend([i] * len(folded))
        at = i + 1
    parts.append(text[at:])
    offsets.extend(range(at, len(text)))
    offsets.append(len(text))
    return Normalised("".join(parts), offsets)
