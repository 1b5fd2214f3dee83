"""Normalisation before detection: one view of the text in which hidden and look-alike characters neither
split nor disguise a value.

Per code point, from a table built once at import:
- removed: every format character (category Cf: zero-width characters, soft hyphen, tags U+E0000-E007F,
  Arabic number signs...), every combining or enclosing mark (Mn, Me: accents, variation selectors
  U+FE00-FE0F and U+E0100-E01EF, the keycap U+20E3) and every Default_Ignorable_Code_Point (which adds
  the Hangul fillers U+115F, U+1160, U+3164, U+FFA0 and reserved ones). Removing every mark is safe for
  detection: spans map back to the original, so `Jose\u0301` is found as `Jose` and replaced whole
  but for the mark after its last letter, which stays outside the span like any removed character;
- kept as themselves: the bidi controls (BIDI_CONTROLS). No detector's alphabet holds them, so in this
  view they separate values; `bidi_views` gives the orders in which they could hide one;
- NFKC per character, other scripts' decimal digits to ASCII;
- letters and digits (other than ASCII and CJK) whose TR39 skeleton in Unicode's confusables.txt is
  ASCII, to that skeleton (Cyrillic `а`, Greek `ο`, Cherokee `Ꭺ`...);
- traditional Chinese characters to simplified ones, one character each, from OpenCC's own
  character table (`t2s`, each character converted alone, so no phrase rule applies): 電話 reads as
  电话, 號 as 号, 陳 as 陈, so cue words, address words and the name model (trained on simplified text)
  work on Hong Kong and Taiwan text with no second set of patterns.

Detectors run on the normalised text; spans are mapped back to the original through `offsets`, so what
is replaced (and what is shown) is always the original text. The mapping is per code point, which makes
it chunk-local: normalising a stream chunk by chunk gives the same result as normalising the whole.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from importlib.util import find_spec

# Removed in the detection view, whole categories (the tests go over every code point of each).
REMOVED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
# Default_Ignorable_Code_Point as DerivedCoreProperties.txt lists it (the same since Unicode 6.x; a test
# compares it with the `regex` module's \p{Default_Ignorable_Code_Point}). Beyond Cf and Mn it adds the
# Hangul fillers (Lo) and reserved code points that a future Unicode may assign as invisible.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# Bidi controls: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# A run from one of these (RLE, RLO, RLI, and FSI, which may resolve to right-to-left) to its PDF/PDI,
# a paragraph end or RTL_RUN characters, whichever comes first, is also checked reversed.
_RTL_OPENERS = "\u202b\u202e\u2067\u2068"
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # closed by PDF
_ISOLATES = "\u2066\u2067\u2068"  # closed by PDI
_PARAGRAPH = "\n\r\x1c\x1d\x1e\x85\u2029"
RTL_RUN = 64
_HAS_BIDI = re.compile("[" + BIDI_CONTROLS + "]")

# Confusables: not folded from these ranges (Hangul jamo, CJK radicals to Yi, Hangul syllables,
# compatibility ideographs and forms, half- and full-width forms, kana supplements, planes 2 and up):
# Chinese text is never rewritten into Latin look-alikes (`〇` stays a Chinese zero).
_CJK = ((0x1100, 0x11FF), (0x2E80, 0xA4CF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x1AFF0, 0x1B2FF), (0x20000, 0x10FFFF))
# What the table scans: everything up to plane 2 but the blocks of CJK ideographs and Hangul syllables
# (letters without decomposition, marks or digits), and plane 14 (tags, variation selectors). A test
# checks the categories over all code points.
_SCAN = ((0x80, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0xAC00), (0xD7A4, 0xD800), (0xE000, 0x20000),
         (0x2F800, 0x30000), (0xE0000, 0xE1000))
CONFUSABLES_SOURCE = "confusable-homoglyphs 3.3.1 (Unicode confusables.txt, TR39)"


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= cp <= b for a, b in ranges)


def _confusables() -> dict[str, str]:
    """Non-ASCII, non-CJK letters and digits whose TR39 prototype is ASCII, to that prototype.

    The package keeps confusables.txt as a two-way table: a source lists its one prototype, a
    prototype lists its sources. A non-ASCII character listing exactly one ASCII string is therefore a
    source with an ASCII prototype (in confusables.txt no prototype has one ASCII source only; the one
    ASCII source with a non-ASCII prototype is `%`). Right-to-left characters come wrapped in LRM.
    """
    spec = find_spec("confusable_homoglyphs")  # the data file, without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("confusable-homoglyphs is not installed (see requirements.txt)")
    with open(os.path.join(spec.submodule_search_locations[0], "confusables.json"), encoding="utf-8") as f:
        raw = f.read()
    out: dict[str, str] = {}
    for key, entries in json.loads(raw).items():
        if len(entries) != 1:
            continue
        ch = key.replace("\u200e", "")
        if len(ch) != 1 or ch.isascii() or unicodedata.category(ch)[0] not in "LN" or _in(ord(ch), _CJK):
            continue
        proto = entries[0]["c"].replace("\u200e", "")
        if proto and proto.isascii() and proto.isprintable() and not proto.isspace():
            out[ch] = proto
    return out


# The blocks of CJK ideographs whose traditional forms fold to simplified ones (with the compatibility
# ideographs, which NFKC first maps into them).
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
TRADITIONAL_SOURCE = "OpenCC 1.4.2 (t2s character table)"


def _traditional() -> dict[str, str]:
    """Traditional Chinese character -> simplified, one to one, from OpenCC's t2s conversion of each
    character alone (newline-separated in one call: about 5 ms for the 28,000 ideographs)."""
    import opencc

    chars = [chr(cp) for a, b in _HAN for cp in range(a, b + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise ImportError("OpenCC's t2s table gave an unexpected result (see requirements.txt)")
    return {a: b for a, b in zip(chars, converted) if a != b and len(b) == 1}


def _build() -> dict[int, str]:
    confusable = _confusables()
    removed = {cp for a, b in DEFAULT_IGNORABLE for cp in range(a, b + 1)}
    category = unicodedata.category
    # Comprehensions and map() keep the per-code-point calls in C (about 25 ms in all).
    chars = [ch for a, b in _SCAN for ch in map(chr, range(a, b))]
    wanted = REMOVED_CATEGORIES | {"Nd"}
    fold: dict[int, str] = {}
    for ch, cat in [(ch, cat) for ch, cat in zip(chars, map(category, chars)) if cat in wanted]:
        fold[ord(ch)] = "" if cat != "Nd" else str(unicodedata.digit(ch))
    for cp in removed:
        fold[cp] = ""
    normalized = unicodedata.is_normalized
    for ch in [ch for ch in chars if not normalized("NFKC", ch)] + list(confusable):
        cp = ord(ch)
        if cp in fold:
            continue
        # An NFKC result may hold marks (`´` -> space + U+0301) or confusables: the view holds neither.
        folded = "".join(confusable.get(c, c) for c in unicodedata.normalize("NFKC", ch)
                         if category(c) not in REMOVED_CATEGORIES and ord(c) not in removed)
        if folded != ch:
            fold[cp] = folded
    for ch in BIDI_CONTROLS:
        del fold[ord(ch)]  # kept: separators here, see bidi_views
    simplified = _traditional()
    for cp, folded in list(fold.items()):  # a compatibility ideograph's NFKC form may be traditional
        if folded in simplified:
            fold[cp] = simplified[folded]
    for ch, folded in simplified.items():
        fold.setdefault(ord(ch), folded)
    return fold


def _char_class(cps) -> str:
    ranges: list[list[int]] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


_FOLD = _build()
# A class of BMP characters only compiles to a lookup table; one with astral characters is scanned as
# ranges, one by one (hundreds here: every plane-1 mark and mathematical letter). So a text with astral
# characters (an emoji) is searched with the BMP table or any astral character, each then looked up.
_BMP_CLASS = _char_class([cp for cp in _FOLD if cp <= 0xFFFF])
_NEEDS_BMP = re.compile("[" + _BMP_CLASS + "]")
_NEEDS_ANY = re.compile("[" + _BMP_CLASS + "]|[\U00010000-\U0010ffff]")
# BMP characters that fold to other than exactly one character (removed, or expanded like `ﬁ` -> `fi`):
# only these need an offset map; the common case (full-width forms) keeps offsets as they are.
_RESIZES_BMP = re.compile("[" + _char_class([cp for cp, f in _FOLD.items() if len(f) != 1 and cp <= 0xFFFF]) + "]")
_ONE_TO_ONE = {chr(cp): f for cp, f in _FOLD.items() if len(f) == 1}
# The invisible ones among what the view removes: format characters and default ignorables (tags,
# variation selectors, fillers), not the marks that accents are made of, nor the bidi controls. What
# services.chat.clean_input drops from what the model receives (a regex character class body).
INVISIBLE_CLASS = _char_class(cp for cp, f in _FOLD.items() if f == "" and (
    unicodedata.category(chr(cp)) == "Cf" or _in(cp, DEFAULT_IGNORABLE)))


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


# Financial (capital) numerals, as in 手机壹叁捌…: read as the everyday ones in a run of numerals that
# holds two or more of them (陆 and 伍 alone are surnames). Length-preserving: offsets stay as they are.
_CAPITAL_DIGITS = "壹贰叁肆伍陆柒捌玖"
_CAPITAL_SEEN = re.compile("[" + _CAPITAL_DIGITS + "]")
_CAPITAL_RUN = re.compile("[零〇幺两一二三四五六七八九" + _CAPITAL_DIGITS + "]{4,}")
_CAPITAL_FOLD = str.maketrans(_CAPITAL_DIGITS, "一二三四五六七八九")


def _fold_capitals(m: re.Match[str]) -> str:
    run = m.group()
    return run.translate(_CAPITAL_FOLD) if len(_CAPITAL_SEEN.findall(run)) >= 2 else run


def capital_numerals(norm: Normalised) -> Normalised:
    """`norm` with runs of financial numerals read as everyday ones (壹叁捌… as 一三八…). Not per code
    point, so not chunk-local: the input side applies it to a whole message (Redactor), never a stream."""
    if norm.text.isascii() or _CAPITAL_SEEN.search(norm.text) is None:
        return norm
    return Normalised(_CAPITAL_RUN.sub(_fold_capitals, norm.text), norm.offsets)


# Chinese numerals read out as a number (一三八一二三四五六七八, 一八六，两两幺七，零三九五, 幺三洞 拐拐两洞 五幺八三:
# speech-to-text writes 幺 for 1, and callers say 两 for 2, 洞 for 0 and 拐 for 7): in a run of seven or more
# numerals and digits, three of them numerals or more, at most one space, comma or dash apart, each numeral
# is read as its ASCII digit (and each comma as a space), so the rules for written numbers (IDs, cards,
# phones, grouped or not) read it. Seven: shorter runs are years, counts and idioms (二〇二四, 三三两两).
# Length-preserving, like capital_numerals.
_SPOKEN_NUMERALS = "零〇洞幺一二两三四五六七拐八九"
# Each numeral's digit (also for redaction.extend and redaction.ner.spoken).
SPOKEN_DIGITS = dict(zip(_SPOKEN_NUMERALS, "000112234567789"))
NUMERAL_DIGITS = str.maketrans(SPOKEN_DIGITS)
_NUMERAL_SEEN = re.compile("[" + _SPOKEN_NUMERALS + "]")
_NUMERAL_RUN = re.compile("[0-9" + _SPOKEN_NUMERALS + "](?:[ ,，-]?[0-9" + _SPOKEN_NUMERALS + "]){6,}")
_NUMERAL_FOLD = str.maketrans({**SPOKEN_DIGITS, "，": " ", ",": " "})  # a comma between groups: a space


def _fold_numerals(m: re.Match[str]) -> str:
    run = m.group()
    # Three numerals or more: 1,234,567 keeps its commas, and 010-67012402,010-67028866三个 its count.
    return run.translate(_NUMERAL_FOLD) if len(_NUMERAL_SEEN.findall(run)) >= 3 else run


# A Chinese plate read out (沪A七K三M九, 川A 八G二T七, 粤B，D，三六八七九): a province, a letter and five or six
# letters and numerals (pauses between them), the numerals read as digits so the plate rule reads it.
_PLATE_RUN = re.compile("[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z](?:[ ,，·]{0,2}[A-Z0-9"
                        + _SPOKEN_NUMERALS + "]){5,6}(?![A-Za-z0-9" + _SPOKEN_NUMERALS + "])")


def _fold_plate(m: re.Match[str]) -> str:
    return m.group().translate(NUMERAL_DIGITS)


def spoken_numerals(norm: Normalised) -> Normalised:
    """`norm` with numbers read out in Chinese numerals written in ASCII digits (_NUMERAL_RUN), and the
    numerals of a plate read out (_PLATE_RUN). Not chunk-local: the input side applies it to a whole
    message (Redactor), never a stream."""
    if norm.text.isascii() or _NUMERAL_SEEN.search(norm.text) is None:
        return norm
    text = _NUMERAL_RUN.sub(_fold_numerals, norm.text)
    return Normalised(_PLATE_RUN.sub(_fold_plate, text), norm.offsets)


# Spaces that split a number or an address (speech-to-text and typing put them between words:
# 世纪大道 一百号, 建国路 88号, 西湖区 文三路, 一三八 一二三四): removed when a digit, a Chinese numeral or an
# address unit (区, 路, 号...) is on one side and a Chinese character on the other (two digits keep their
# space: 010-87739799 64615726 are two numbers), so a value split by them reads whole. Spaces between
# other words stay: they end a name (张伟 想查一下, 我姓王 你好). The ideographic space is a space already
# (NFKC). Not chunk-local: the input side applies it to a whole message (Redactor), never a stream.
_JOINS = "0-9零〇幺一二三四五六七八九十百千省市区县镇乡村路街道巷弄号楼栋幢室层座园苑厦"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_SPACE = re.compile("(?<=[" + _JOINS + "]) {1,2}(?=[" + _HAN + "])|(?<=[" + _HAN + "]) {1,2}(?=[" + _JOINS + "])")


def join_chinese(norm: Normalised) -> Normalised:
    """`norm` without the spaces that split a Chinese number or address (offsets updated)."""
    text = norm.text
    if text.isascii() or " " not in text:
        return norm
    cuts = [m.span() for m in _CJK_SPACE.finditer(text)]
    if not cuts:
        return norm
    offsets = norm.offsets if norm.offsets is not None else list(range(len(text) + 1))
    parts: list[str] = []
    kept: list[int] = []
    at = 0
    for a, b in cuts:
        parts.append(text[at:a])
        kept.extend(offsets[at:a])
        at = b
    parts.append(text[at:])
    kept.extend(offsets[at:])
    return Normalised("".join(parts), kept)


def strip_accents(text: str) -> str:
    """`text` with each character's accents dropped, one character for one so offsets still hold
    (Szczepański -> Szczepanski): its NFKD decomposition's first character."""
    return "".join(unicodedata.normalize("NFKD", ch)[:1] for ch in text)


def normalise(text: str) -> Normalised:
    """Normalise text for detection (see the module docstring)."""
    if text.isascii():
        return Normalised(text, None)
    if max(text) <= "\uffff":
        first = _NEEDS_BMP.search(text)
        if first is None:
            return Normalised(text, None)
        if _RESIZES_BMP.search(text, first.start()) is None:
            return Normalised(_NEEDS_BMP.sub(_fold_one, text), None)
        found = _NEEDS_BMP.finditer(text, first.start())
    else:
        found = _NEEDS_ANY.finditer(text)
    parts: list[str] = []
    offsets: list[int] = []
    at = 0
    resized = False
    for m in found:
        i = m.start()
        folded = _FOLD.get(ord(text[i]))
        if folded is None:
            continue  # an astral character that stays
        if i > at:
            parts.append(text[at:i])
            offsets.extend(range(at, i))
        parts.append(folded)
        offsets.extend([i] * len(folded))
        resized = resized or len(folded) != 1
        at = i + 1
    parts.append(text[at:])
    if not resized:
        return Normalised("".join(parts), None)
    offsets.extend(range(at, len(text)))
    offsets.append(len(text))
    return Normalised("".join(parts), offsets)


# --- bidi controls -----------------------------------------------------------------------------------
def input_view(text: str) -> Normalised:
    """The input side's detection view (what recognizers see): normalise(), then financial numerals read
    as everyday ones, the spaces that split a Chinese number or address dropped, and numbers read out in
    Chinese numerals read in digits. The CRF layer is trained on this view too (bench/crf_train.py)."""
    return spoken_numerals(join_chinese(capital_numerals(normalise(text))))


def has_bidi(text: str, pos: int = 0) -> bool:
    """Whether normalised `text` (from pos) holds a bidi control."""
    return _HAS_BIDI.search(text, pos) is not None


def bidi_positions(text: str) -> list[int]:
    """Where normalised `text` holds a bidi control."""
    return [m.start() for m in _HAS_BIDI.finditer(text)]


def rtl_runs(text: str) -> list[tuple[int, int, bool]]:
    """(opener, end, closed) of each right-to-left run in normalised `text`: the characters in
    (opener, end) are displayed reversed. A run ends at the PDF/PDI that closes its opener (or an
    isolate opened before it), a paragraph end, or after RTL_RUN characters; `closed` is False when the
    text ends first (more text could still belong to it)."""
    runs: list[tuple[int, int, bool]] = []
    j = 0
    n = len(text)
    while True:
        m = _HAS_BIDI.search(text, j)
        if m is None:
            return runs
        opener = m.start()
        j = opener + 1
        if text[opener] not in _RTL_OPENERS:
            continue  # outside a run only an opener matters
        stack = [text[opener]]
        limit = min(opener + RTL_RUN + 1, n)
        end, closed = limit, opener + RTL_RUN < n
        for k in range(opener + 1, limit):
            c = text[k]
            if c in _PARAGRAPH:
                end, closed = k, True
                break
            if c in _EMBEDDINGS or c in _ISOLATES:
                stack.append(c)
            elif c == "\u202c":
                if stack[-1] in _EMBEDDINGS:
                    stack.pop()
            elif c == "\u2069":
                while stack and stack[-1] not in _ISOLATES:
                    stack.pop()
                if stack:
                    stack.pop()
            if not stack:
                end, closed = k, True
                break
        runs.append((opener, end, closed))
        j = end


def bidi_views(text: str) -> list[list[int]]:
    """The other orders in which normalised `text` is checked, as lists of its indices: without the bidi
    controls, and (if it has a right-to-left run) also with each run reversed. Empty without controls."""
    if _HAS_BIDI.search(text) is None:
        return []
    controls = frozenset(BIDI_CONTROLS)
    joined = [j for j, c in enumerate(text) if c not in controls]
    runs = rtl_runs(text)
    if not runs:
        return [joined]
    order: list[int] = []
    at = 0
    for opener, end, _ in runs:
        order.extend(range(at, opener + 1))
        order.extend(range(end - 1, opener, -1))
        at = end
    order.extend(range(at, len(text)))
    return [joined, [j for j in order if text[j] not in controls]]
