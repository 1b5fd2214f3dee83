"""A number read over several turns, each piece said back (`Caller: oh seven seven one four` / `Agent: oh
seven seven one four` / `Caller: double six three`; `客户：一三九` / `客服：一三九` / `客户：二七四五`).

Alone a piece is three or four digits, which the number rules rightly leave (a count, a price, a year).
Read together after a turn that asked for a number, the pieces are one value: every piece is masked, the
agent's echoes too, and so is a read-back of the whole within the next two lines (`So 085 772 9140`,
`9472 6815 啱唔啱`). The label follows what was asked for (a phone, a card, an account, a reference, an ID).

Input side only (a recognizer): what makes a piece a part is several lines away.
"""

from __future__ import annotations

import re

from ..detectors.base import luhn_ok
from ..detectors.numbers import cn_id_score
from ..detectors.phones import _EN_DIGIT
from ..normalise import SPOKEN_DIGITS
from .spoken import _TEENS, _TENS

# What the question (or the line that opens the reading) asked for: a phone by name first (`the mobile
# number on the account`, `just in case … your mobile?`), then the most specific; English words whole.
_PHONE_WORDS = re.compile(r"(?i:(?<![a-z])(?:phone|mobile|cell|number to reach|reach you|call you|callback|call back|"
                          r"contact number|best number)(?![a-z]))|手机|手機|电话|電話|手提|回拨|回撥|联系方式|聯絡")
_ASKED = (
    ("PHONE", _PHONE_WORDS),
    ("CREDIT_CARD", re.compile(r"(?i:(?<![a-z])(?:card number|long number on the card|credit card|debit card|"
                               r"card(?! holder))(?![a-z]))")),
    ("BANK_CARD", re.compile(r"(?i:(?<![a-z])(?:account number|acc(?:oun)?t no|account|sort code|iban)(?![a-z]))|"
                             r"卡号|卡號|银行卡|銀行卡|信用卡|还款卡|账号|帳號|户口|戶口")),
    ("ORDER_ID", re.compile(r"(?i:(?<![a-z])(?:tracking|order|reference|ref(?:\.| no)|booking|policy|claim|case|ticket|"
                            r"waybill|membership|member|customer number|meter|uid)(?![a-z]))|运单|單號|单号|订单|訂單|工单|"
                            r"会员|會員|户号|戶號|保单|保單|寄件代码|寄件代碼")),
    ("US_SSN", re.compile(r"(?i:(?<![a-z])(?:social security|social|ssn)(?![a-z]))")),
    ("UK_NINO", re.compile(r"(?i:(?<![a-z])(?:national insurance|nino)(?![a-z]))")),
    ("UK_NHS", re.compile(r"(?i:(?<![a-z])nhs number(?![a-z]))")),
    ("CN_ID", re.compile(r"身份证|身份證|证件号|證件號")),
    ("PASSPORT", re.compile(r"(?i:(?<![a-z])passport(?![a-z]))|护照|護照|回乡证|回鄉證|通行证|通行證")),
    ("PHONE", re.compile(r"(?i:(?<![a-z])number(?![a-z]))|号码|號碼")),
)
# A question about a quantity, an error, a model or a size: what is read after it is no one's number.
_NOT_ASKED = re.compile(r"(?i:(?<![a-z])(?:how many|how much|quantity|error|model|version|size|serial|sku|part|total|"
                        r"amount|price|cost|when (?:did|was|is|will|do|does|were)|date|what time)(?![a-z]))|多少钱|多少個|多少个|几个|幾個|几件|幾件|几箱|型号|"
                        r"型號|版本|错误|錯誤|金额|金額|价格|價格|日期|几号|幾號|什么时候|甚麼時候")
# The least digits the pieces (echoes aside) must hold, per label.
_LEAST = {"PHONE": 7, "CREDIT_CARD": 12, "BANK_CARD": 6, "ORDER_ID": 6, "US_SSN": 9, "UK_NINO": 6, "UK_NHS": 10,
          "CN_ID": 15, "PASSPORT": 7}

# A speaker's label and a timestamp (`Caller:`, `spk_1:`, `[00:00:12] AGENT:`, `客服：`); turn_places.py too.
SPEAKER = re.compile(r"[^\S\n]*(?:\[?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\]?[^\S\n]*)?"
                    r"(?:[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff .]{0,14}[:：][^\S\n]*|"
                    # a Chinese role without a colon, as speech-to-text writes a turn (坐席 请问…, 客户 三四零一零四;
                    # the space is gone once the input is normalised)
                    r"(?:客服|客户|客戶|坐席|座席|来电人|來電人|用户|用戶|顾客|顧客|客人|职员|職員|住户|住戶|师傅|師傅)[^\S\n]*)?")


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of `text`, its newline left out (turn_places.py and tables.py too)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


_ZH_NUM = "0-9零〇幺一二两三四五六七拐八九洞"
_LOWER = re.compile("[a-z]")
# An amount or a date given in answer (1,299.50; 12-03-2024; 24.12.2025): no one's number.
_AMOUNT_OR_DATE = re.compile(r"[0-9][,.][0-9]|(?<![0-9])[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?![0-9])")
_EN_NUM = "|".join(sorted({*_EN_DIGIT, *_TEENS, *_TENS, "nought", "double", "triple"}, key=len, reverse=True))
# One token of a piece: a numeral run, a number word, a tens word joined to a digit word (forty-six), or a
# letter (a code's: Q K D seven, J D V A, YT).
_TOKEN = re.compile(rf"[{_ZH_NUM}]+|(?i:(?:{_EN_NUM})(?:-(?:{_EN_NUM}))?)(?![A-Za-z])|[A-Z]{{1,4}}(?![A-Za-z])|"
                    r"(?<![A-Za-z])[b-hj-np-z](?![A-Za-z])")
_SEP = re.compile(r"(?:[ ,，、.\-]|(?i:dash|hyphen|slash)(?![A-Za-z])|杠|槓)*")
# Words a turn may open or close with around its piece.
_LEAD = re.compile(r"(?i:(?:(?:yeah|yes|yep|it's|its|it is|so|and|then|and then|um|uh|er|ok|okay|sorry|no|"
                   r"the rest is|next|area code|plus|嗯|好|好的|对|對|是|系|然后|還有|还有|后面是|後面係|接着|不是)"
                   r"(?![a-z])[ ,，.]*)*)")  # a whole word (not the `no` of `nought`)
_TRAIL = re.compile(r"(?i:[ ,，.?？!。]*(?:yep|yeah|yes|right|correct|okay|ok|sorry|got it|嗯|对|對|对吗|對嗎|是吧|好|好的|"
                    r"啱唔啱|啱|係咪|mm-hmm|lor|lah|leh|hor)?[ ,，.?？!。]*)")
# A turn that says only this between two pieces (punctuation and spaces around it aside).
_FILLERS = frozenset(("", "mm-hmm", "mhm", "uh-huh", "yep", "yeah", "yes", "ok", "okay", "go on", "got it", "好",
                      "好的", "对", "對", "係", "是", "ok 嗯"))
_FILLER_MARKS = " ,，.?？!。\r"


def _filler_only(turn: str) -> bool:
    said = turn.strip(_FILLER_MARKS).lower()
    return said in _FILLERS or set(said) == {"嗯"}


# Capitals a turn says alone that open no code.
_NOT_CODES = frozenset("OK NO YES HI HELLO THX TY".split())


def _digits(token: str) -> str | None:
    """What one token says, as digits and capital letters (None: not a number token)."""
    low = token.lower()
    if low in _EN_DIGIT:
        return _EN_DIGIT[low]
    if low == "nought":
        return "0"
    if low in _TEENS:
        return _TEENS[low]
    if low in _TENS:
        return _TENS[low] + "0"
    if "-" in low:
        tens, _, unit = low.partition("-")
        if tens in _TENS and unit in _EN_DIGIT:
            return _TENS[tens] + _EN_DIGIT[unit]
        return None
    if token.isascii() and token.isalpha():
        return token.upper()
    out = "".join(SPOKEN_DIGITS.get(c, c) for c in token)
    return out if out.isdigit() else None


def _piece(line: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The piece a turn says, as (start, end, what it says), when the turn says nothing else."""
    pos = SPEAKER.match(line, start).end()
    pos = _LEAD.match(line, pos).end()
    first = last = None
    said = ""
    repeat = 1
    tens = False  # the last token was a tens word alone (twenty), which a digit word may complete
    while pos < end:
        m = _TOKEN.match(line, pos)
        if m is None:
            break
        low = m.group().lower()
        if low in ("double", "triple"):
            repeat = 2 if low == "double" else 3
        else:
            value = _digits(m.group())
            if value is None:
                return None
            if tens and low in _EN_DIGIT and value != "0":
                said = said[:-1] + value  # twenty one: 21, not 201
            else:
                said += value * repeat if len(value) == 1 else value
            tens = low in _TENS
            repeat = 1
        first = m.start() if first is None else first
        last = m.end()
        pos = _SEP.match(line, m.end()).end()
    if first is None or len(said) > 19 or (sum(c.isdigit() for c in said) < 2 and not (
            said.isalpha() and said not in _NOT_CODES)):
        return None
    if _TRAIL.match(line, last).end() < end:
        return None
    return first, last, said


def _fails_check(said: str, label: str) -> bool:
    """Whether the digits of a number said whole are an ID or a card's length but fail its check (month 13,
    a wrong Luhn digit): no one's. Fewer digits are a part, the rest said later (四四六七)."""
    digits = "".join(ch for ch in said if ch.isdigit() or ch in "Xx")
    if label == "CN_ID" and len(digits) in (15, 18):
        return cn_id_score(digits) == 0
    if label == "CREDIT_CARD" and 13 <= len(digits) <= 19 and digits.isdigit():
        return not luhn_ok(digits)
    return False


def _answered_whole(text: str, question: tuple[int, int], pieces: list, said: str, label: str) -> bool:
    """Whether fewer than three pieces are the whole number, said in one or two turns right after the line
    that asked for it (订单编号哦 / 3561 8820 4417 9306 253; 請問寄件代碼？ / F2350 7719 6628): in digits, numerals
    and letters only (one said in English words is the spoken codes', redaction.ner.spoken, which read it after
    its cue with the cue's own label), no amount or date, and not an ID's or a card's length failing its check."""
    return (_asked(text[question[0]:question[1]]) == label and not _fails_check(said, label)
            and not _NOT_ASKED.search(text, *question)
            and not any(_LOWER.search(text, a, b) or _AMOUNT_OR_DATE.search(text, a, b) for a, b, _ in pieces))


def _asked(line: str) -> str | None:
    for label, cue in _ASKED:
        if cue.search(line):
            return label
    return None


def turn_numbers(text: str) -> list[tuple[int, int, str, float]]:
    """Spans of numbers read over several turns with each piece said back (above)."""
    if "\n" not in text:  # (a question and its answer: two lines at least)
        return []
    # (CRLF: a line ends before its \r)
    lines = [(start, start + len(text[start:end].rstrip("\r"))) for start, end in line_spans(text)]
    out: list[tuple[int, int, str, float]] = []
    i = 0
    while i < len(lines):
        piece = _piece(text, *lines[i])
        if piece is None:
            i += 1
            continue
        before = text[lines[max(0, i - 2)][0]:lines[i][0]]
        label = None if _NOT_ASKED.search(before[-160:]) else _asked(before[-160:])
        if label is None or (piece[2].isalpha() and label != "ORDER_ID"):
            i += 1
            continue
        pieces = [piece]
        j = i + 1
        while j < len(lines):
            nxt = _piece(text, *lines[j])
            if nxt is not None:
                pieces.append(nxt)
            elif not _filler_only(text[SPEAKER.match(text, lines[j][0]).end():lines[j][1]]):
                break
            j += 1
        said = ""
        previous = ""
        for _, _, value in pieces:
            if value != previous:  # an echo says nothing new
                said += value
            previous = value
        if (len(pieces) < 3 and not (i > 0 and _answered_whole(text, lines[i - 1], pieces, said, label))) \
                or sum(c.isdigit() for c in said) < _LEAST[label]:
            i = j
            continue
        out.extend((a, b, label, 0.8) for a, b, _ in pieces)
        # The whole read back within the next two lines (So 085 772 9140, YT7412 6605 8932 1), or what it
        # ends with when the caller started again (K four... K four oh seven / K4077192C).
        whole = re.sub("[^0-9A-Z]", "", said)
        for k in range(j, min(j + 2, len(lines))):
            for m in re.finditer(r"[0-9A-Z](?:[0-9A-Z]|[ -](?=[0-9A-Z]))*", text[lines[k][0]:lines[k][1]]):
                back = re.sub("[^0-9A-Z]", "", m.group())
                if back == whole or (len(back) >= _LEAST[label] and whole.endswith(back)):
                    out.append((lines[k][0] + m.start(), lines[k][0] + m.end(), label, 0.8))
        i = j
    return out
