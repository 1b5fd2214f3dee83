"""A linear-chain CRF (python-crfsuite) over words and Chinese characters: values the rules miss in
running text, above all in call transcripts (names in lower case with no cue, addresses and numbers read
over several turns, spoken digits).

The rules know forms; this layer knows context. Each token gets a few facts about itself (its lower-case
form, shape, suffix, whether the census name lists or the English word list hold it, whether it is a spoken
digit or a NATO word, the character itself for Chinese), the same facts for two tokens either side, and
where it sits (opening or closing a line, before a colon, in a text all in lower case). The model was
trained on the project's tuning sets (bench/helper_sets, written by helper sessions that never saw this
code; `python -m bench.crf_train` rebuilds it, byte for byte) and never on a held-out set or on
../shared/data.

A span is kept when every token in it has a marginal probability of at least THRESHOLD (_NAME_THRESHOLD for
a name) and it passes its label's check (`_plausible`: no written ID, card or phone, which the rules
validate, but for eight digits in two fours; no hotline, flight, count or one-time code; a name with
letters only that is no title, alias, place or firm; an address with a number or a street or building
word; an e-mail said with an at and a dot). The layer fills gaps (`fills_only`): the Redactor adds its
spans after every other pass where nothing else was found, or where they hold whole a match of their own
label (or names inside a value the model is sure of), then finds its names where they are said again and
takes out staff introducing themselves, a firm's own address and line.

The model file is checked against MODEL_SHA256 when it loads; a missing or changed file raises
ModelFileError and stops start-up (redaction.load_layers), never a silent fall-back to the rules alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path

from ..detectors.base import is_hotline
from ..detectors.phones import _EN_DIGIT
from ..detectors.names import COMPOUND_SURNAMES, SURNAMES
from ..detectors.places import ADDRESS_WORD
from .chinese import ALIAS_END, ALIAS_FIRST, NOT_NAMES, TITLE_END
from ..normalise import SPOKEN_DIGITS
from .english import NATO, EnglishNames

MODEL = Path(__file__).resolve().parent.parent / "data" / "values_crf.model"
MODEL_SHA256 = "6189f55cad99b76a269fbd5951be80e68c59cafd62ce68d458511c02d36d3bdf"
# The least marginal probability of each token of a kept span (tuned by leave-one-set-out runs over the
# tuning sets and on round 7's sets before training on them: see README, Redaction, "Round 7").
THRESHOLD = 0.5
# A name is kept from here (the model is less sure of names than of numbers; see README).
_NAME_THRESHOLD = 0.6
# A Chinese name whose first character is on no list of common surnames (庹, 宓, 莘) is kept from here.
_SURE = 0.9

TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]+(?:['’][A-Za-zÀ-ÖØ-öø-ɏ]+)*|\d+|[\u3400-\u9fff]|\S")
_SPOKEN = frozenset(
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand double "
    "triple".split())
_NATO = frozenset(NATO)
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_LOWER = re.compile(r"[a-zß-öø-ÿ]")
_DIGIT = re.compile(r"\d")
_RUN = re.compile(r"(.)\1+")
_CACHE_MAX = 50_000


class ModelFileError(Exception):
    """The CRF model file is missing, changed or unreadable."""

    def __init__(self) -> None:
        super().__init__("values model file missing or changed")


def shape(word: str) -> str:
    """Xxxx -> Xxx, ab12 -> xxdd: capitals, small letters and digits, runs cut to two."""
    return _RUN.sub(r"\1\1", _DIGIT.sub("d", _LOWER.sub("x", _UPPER.sub("X", word))))


# What a position before the first token or after the last one says to its neighbours.
_EDGE = ((), ("-2:edge",), ("-1:edge",), ("1:edge",), ("2:edge",))


class Features:
    """Per-token feature lists for the CRF, the same in training and tagging."""

    def __init__(self, names: EnglishNames, known: frozenset[str] | None = None) -> None:
        self.names = names
        # Tagging passes only the features the model holds (`known`): the others weigh nothing, and the
        # tagger's look-up of each costs more than leaving it out (training passes every one).
        self.known = known
        self._cache: dict[str, tuple[tuple[str, ...], ...]] = {}

    def word(self, w: str) -> tuple[tuple[str, ...], ...]:
        """(own features, as seen 2 before, 1 before, 1 after, 2 after), cached per token text."""
        got = self._cache.get(w)
        if got is not None:
            return got
        if "\u3400" <= w[0] <= "\u9fff":
            own: list[str] = ["cjk", "c=" + w]
        else:
            lo = w.lower()
            own = ["sh=" + shape(w), "suf3=" + lo[-3:]]
            if len(lo) > 1 or not lo.isalpha():
                own.append("lo=" + lo)
            if lo.isalpha():
                n = self.names
                for flag, ok in (("first", lo in n.first), ("last", lo in n.last), ("rare", lo in n.rare),
                                 ("word", lo in n.words), ("lword", lo in n.lower_words),
                                 ("dig", lo in _SPOKEN), ("nato", lo in _NATO), ("one", len(lo) == 1)):
                    if ok:
                        own.append(flag)
                if lo not in n.words and lo not in n.first and lo not in n.last:
                    own.append("unk")
            elif lo.isdigit():
                own.append("len=%d" % min(len(lo), 12))
        near = tuple(f for f in own if not f.startswith("suf3=") and f != "cjk")
        got = (tuple(own),) + tuple(tuple(p + f for f in near) for p in ("-2:", "-1:", "1:", "2:"))
        if self.known is not None:
            got = tuple(tuple(f for f in part if f in self.known) for part in got)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[w] = got
        return got

    def of(self, text: str, toks: list[tuple[int, int, str]]) -> list[list[str]]:
        """The feature list of each token of `text` (tokens as TOKEN finds them)."""
        n = len(toks)
        # A lone surrogate cannot cross into the C++ tagger (UTF-8): it is read as U+FFFD.
        per = [self.word(w if not ("\ud800" <= w[0] <= "\udfff") else "\ufffd") for _, _, w in toks]
        lower = text.islower()
        padded = [_EDGE, _EDGE, *per, _EDGE, _EDGE]
        out: list[list[str]] = []
        for i, (a, b, _) in enumerate(toks):
            f = list(padded[i + 2][0] + padded[i][1] + padded[i + 1][2] + padded[i + 3][3] + padded[i + 4][4])
            if i and "\n" in text[toks[i - 1][1]:a]:
                f.append("linestart")
            if i + 1 < n:
                if toks[i + 1][2] == ":":
                    f.append("beforecolon")
                if "\n" in text[b:toks[i + 1][0]]:
                    f.append("lineend")
            if lower:
                f.append("alllower")
            out.append(f)
        return out


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def tag_spans(toks: list[tuple[int, int, str]], tags: list[str]) -> list[tuple[int, int, str, int, int]]:
    """(start, end, label, first token, last token + 1) of each B-/I- run of one label."""
    out = []
    cur: list | None = None
    for i, ((a, b, _), t) in enumerate(zip(toks, tags)):
        if t == "O":
            if cur:
                out.append(tuple(cur))
                cur = None
        elif t.startswith("B-") or cur is None or cur[2] != t[2:]:
            if cur:
                out.append(tuple(cur))
            cur = [a, b, t[2:], i, i + 1]
        else:
            cur[1] = b
            cur[4] = i + 1
    if cur:
        out.append(tuple(cur))
    return out  # type: ignore[return-value]


_LETTER = re.compile(r"[A-Za-zÀ-ɏ\u3400-\u9fff\uac00-\ud7af]")
_DIGITISH = re.compile(r"\d|(?<![A-Za-z])(?i:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
                       r"(?![A-Za-z])|[零〇幺两一二三四五六七八九洞拐]")
_NOT_IN_NAME = re.compile(r"[\d#@\\\[\]<>_=+*&%$|\"“”「」《》()（）]|/(?![A-Za-z])|(?<![A-Za-z])/")
# Said, not written, in the input view (where Chinese numerals already read as digits).
_SAID = re.compile(r"(?<![A-Za-z])(?i:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                   r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|double|triple|"
                   + "|".join(sorted(NATO, key=len, reverse=True)) + r")(?![A-Za-z])|[零〇幺两一二三四五六七八九十洞拐]")
_FOUR_FOUR = re.compile(r"\d{4}[ -]?\d{4}")
_CHECKED = frozenset(("PHONE", "CN_ID", "UK_NINO", "UK_NHS", "US_SSN", "CREDIT_CARD", "BANK_CARD", "IP", "PASSPORT"))
_ALNUM_BEFORE = re.compile(r"[A-Za-z0-9\u3400-\u9fff]$")
_ALNUM_AFTER = re.compile(r"[A-Za-z0-9]")
_NOT_ADDRESS = re.compile(r"^(?i:a|an|the|some|two|three|four|five) |(?i:houses|homes|roads|streets|lanes|flats|"
                          r"properties|buildings)$")
_RUNS = "01234567890" + "9876543210"
# Each digit word's or numeral's digit: the phone rules' and the numeral fold's own tables.
_DIGIT_OF = {**_EN_DIGIT, **SPOKEN_DIGITS}
_QUOTES = frozenset("\"'“‘「『《")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_HASHTAG_OR_MONTH = re.compile(r"#[A-Za-z]|(?<![A-Za-z])(?:January|February|March|April|June|July|August|September|"
                               r"October|November|December)(?![A-Za-z])")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_GREETING = frozenset("good morning afternoon evening night hello hi hey thanks thank bye goodbye please sorry".split())
# A place's last character (沈阳北站, 中山路): no one's name.
_PLACE_END = frozenset("站路街道区市省县镇村店馆楼园桥港湾山河湖厦场寺院所局")
_ONE_TIME = re.compile(r"(?i:otp|one[- ]time|verification|verify|pick ?-?up|locker|\bpin\b|passcode|security code|"
                       r"cvv|cvc)|验证码|驗證碼|取件码|取件碼|提货码|动态码|校验码")
_POSTCODE_ASKED = re.compile(r"(?i:zip|post ?code|postal code)|邮编|郵編|邮政编码")
_FLIGHT = re.compile(r"[A-Z]{2}\d{2,4}|[A-Z]{2} \d{2,3}")  # NH920, BA 117 (and RM459: money)
_AT = re.compile(r"@|(?<![A-Za-z])(?i:at)(?![A-Za-z])|艾特|小老鼠")
_DOT = re.compile(r"\.(?=[A-Za-z])|(?<![A-Za-z])(?i:dot|period|full stop)(?![A-Za-z])|点|點")
_CODE_PART = re.compile(r"[A-Za-z](?![A-Za-z])|(?<![A-Za-z])(?i:" + "|".join(sorted(NATO, key=len, reverse=True))
                        + r")(?![A-Za-z])")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·]+")


def _plausible(text: str, start: int, end: int, label: str, score: float, names: EnglishNames) -> bool:
    """A kept span's sanity check (see each branch); `names` for its place and firm checks."""
    value = text[start:end]
    if label == "PERSON":
        # A name holds letters only: no digit, tag, handle or URL (#Norge, @Cowboy_Wingo, com.cy/).
        if _NOT_IN_NAME.search(value) or _LETTER.search(value) is None or text[start - 1:start] in _QUOTES:
            return False  # and not a word in quotes ("Dell" with "Del Monte")
        if _HAS_CJK.search(value) and (" " in value or _LATIN.search(value)):
            return False  # 组长 孙哥, Samsung 雪櫃, Moon夺得亚军: a title or a brand before a word, two scripts
        if not _GREETING.isdisjoint(w.lower() for w in _LATIN_WORD.findall(value)):
            return False  # james good morning: a greeting after a name
        if _CJK_NAME.fullmatch(value):
            # A Chinese name: two to four characters (or a name joined by ·), no word for no one (商家), no
            # title (柯老师), and one of the common surnames first unless the model is sure (庹建华: 独立性,
            # 而德军 are not).
            if "·" in value:
                return all(1 < len(part) <= 6 for part in value.split("·"))
            if len(value) == 2 and (value[0] in ALIAS_FIRST or value[1] in ALIAS_END):
                return False  # 小雪, 阿杰, 孙哥: an alias (staff call each other so)
            return (2 <= len(value) <= 4 and value not in NOT_NAMES and not value.endswith(TITLE_END)
                    and value[-1] not in _PLACE_END
                    and (value[0] in SURNAMES or value[:2] in COMPOUND_SURNAMES or score >= _SURE))
        # San Jose, Lopez & Santos, May, will, Paris, France: no one (EnglishNames.not_a_name), and the model
        # less sure of a name than of a number (a name's threshold is higher).
        return score >= _NAME_THRESHOLD and not names.not_a_name(text, start, end)
    if label == "ADDRESS":
        # A number or a street or building word; not `a 2 lane road` or `three Oak Lane houses` (a kind of
        # road, houses on it).
        if _NOT_ADDRESS.search(value) or _HASHTAG_OR_MONTH.search(value):
            return False  # ... nor a hashtag (#Boston2024) or a date (January 15, Height 160cm, ...)
        return ADDRESS_WORD.search(value) is not None or _DIGITISH.search(value) is not None
    if label == "EMAIL":
        # Said or disguised (at, [at], 艾特, 小老鼠), with a dot after the at: one written with @ is the rules'
        # to judge (a@b.c is no address).
        if "@" in value:
            return False
        at = _AT.search(value)
        # ... and two characters or more before it (`a at gmail dot com`: an article).
        return at is not None and len(value[:at.start()].strip()) >= 2 and _DOT.search(value, at.end()) is not None
    digits = _DIGITISH.findall(value)
    if "_" in value or _ONE_TIME.search(text, max(0, start - 40), start):
        return False  # 3.0.0.4.388_24198; `your code for pickup at locker 21B is 4471-90`: a one-time code
    plain = "".join(_DIGIT_OF.get(d.lower(), d) for d in digits if d.lower() not in ("double", "triple"))
    if len(set(plain)) <= 2 and len(plain) >= 5 or (len(plain) >= 5 and plain in _RUNS):
        return False  # six six six six six six six, 一、二、三、四、五、六、七: a count, no one's number
    if _SAID.search(value) is None:
        # Written, not said: an ID, a card or a phone number in digits is the rules' to check (check digits,
        # hotlines, test numbers: A123456(7) and 95588 are no one's); a written code or plate stands alone
        # (浙苏H6F681 is part of a longer code), with six letters and digits or more and a digit among them.
        if _ALNUM_BEFORE.search(text, max(0, start - 1), start) or _ALNUM_AFTER.match(text, end):
            return False
        # ... except eight digits in two fours (`hp 9127 4408`: Hong Kong's and Singapore's numbers), which no
        # rule takes without its cue: the model read one from its context.
        if label == "PHONE" and _FOUR_FOUR.fullmatch(value) and not is_hotline(plain):
            return True
        if label in _CHECKED:
            return False
        # A booking reference or a plate (Q7MZ4P, KM21 UZP); a longer one only in a conversation (its cue is
        # often a turn before: an agent reading back an account number), never alone (`held at the depot:
        # RR930157241GB` needs its cue, the rules' job).
        size = len(re.findall(r"[A-Za-z0-9]", value))
        return size >= 6 and any(c.isdigit() for c in value) and (size <= 8 or text.count("\n") >= 2)
    if _POSTCODE_ASKED.search(text, max(0, start - 60), start):
        return False  # nine oh two one oh after `zip code`: a ZIP code alone is no one's
    if label == "PHONE" and is_hotline("".join(d for d in digits if d.isdigit())):
        return False  # 400-108-0656: a firm's line
    if _FLIGHT.fullmatch(value):
        return False  # NH920, BA 117: a flight; RM459: an amount
    # A number, or a piece of one read over turns: three digits or digit words (spoken or Chinese); a code
    # or a plate: five digits, letters and NATO words with a digit among them (Q7MZ4P, KM21 UZP).
    if len(digits) >= 3:
        return True
    return bool(digits) and len(digits) + len(_CODE_PART.findall(value)) + len(re.findall(r"[A-Z]", value)) >= 5


def _attributes(tagger) -> frozenset[str] | None:
    """The attributes (features) the opened model holds, read from CRFsuite's own text dump of it line by
    line (its parsed form, `Tagger.info()`, holds every weight and costs about 6 MB more at start). None
    when the dump cannot be written (a full disk): tagging then passes every feature, to the same tags."""
    out: set[str] = set()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.txt")
            tagger.dump(path)
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("ATTRIBUTES"):
                        break
                for line in f:
                    if line.startswith("}"):
                        break
                    out.add(line.rstrip("\n").split(": ", 1)[1])
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return frozenset(out) or None


class CrfValues:
    """The recognizer: CRF spans on normalised text, kept by marginal probability and `_plausible`. It
    fills gaps (`fills_only`): a rule's match of another label it overlaps keeps its place and its label."""

    fills_only = True

    def __init__(self, names: EnglishNames | None = None, path: Path | None = None,
                 threshold: float = THRESHOLD, check: bool = True) -> None:
        import pycrfsuite

        path = MODEL if path is None else path
        try:
            data = path.read_bytes()
        except OSError:
            raise ModelFileError() from None
        if check and hashlib.sha256(data).hexdigest() != MODEL_SHA256:
            raise ModelFileError()
        self._tagger = pycrfsuite.Tagger()
        self._lock = threading.Lock()
        try:
            self._tagger.open(str(path))
        except (OSError, ValueError):
            raise ModelFileError() from None
        self.labels = tuple(sorted(lab[2:] for lab in self._tagger.labels() if lab.startswith("B-")))
        self.features = Features(EnglishNames() if names is None else names, _attributes(self._tagger))
        self.threshold = threshold

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        toks = tokens(text)
        if not toks:
            return []
        features = self.features.of(text, toks)
        tagger = self._tagger
        # The tagger holds the last sequence it tagged, and marginal() reads it: one text at a time (the
        # chat's thread and a knowledge-base upload's may redact at once).
        with self._lock:
            tags = tagger.tag(features)
            found = [(a, b, label, min(tagger.marginal(tags[k], k) for k in range(i, j)))
                     for a, b, label, i, j in tag_spans(toks, tags)]
        out = []
        for a, b, label, score in found:
            if score >= self.threshold and _plausible(text, a, b, label, score, self.features.names):
                out.append((a, b, label, round(score, 3)))
        return out
