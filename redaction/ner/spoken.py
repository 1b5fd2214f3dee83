"""Codes read out after the word that names them, as speech-to-text writes a call: letters, digits, Chinese
numerals and English digit words one or a few at a time, with pauses, commas and fillers between them,
on the cue's line or on the caller's next lines (`身份證號碼係 K三八二九一五 括號四`, `车牌号是鲁B 五幺二八K`,
`Agent: and your national insurance number` / `Caller: J T four eight two oh one seven B`, `客服：请说一下
您的手机号码。` / `客户：一五八` / `客服：嗯` / `客户：六二零三` / ... ).

The cue says what the code is; the code, once its pieces are joined (numerals and digit words read as
digits, `括號四` as `(4)`), must pass that kind's own check (an ID's region, date and check digit, a card's
Luhn sum, an NHS mod-11 digit, a plate's shape...). The span runs from the first piece to the last, the
pauses between them included; over several lines, each line's pieces are a span.

Input side only (a recognizer): the model never sees the caller's digits to say them back, and on a reply
stream these forms would hold every numeral and every English word. No library reads codes spoken this
way: they are the forms of call-centre transcripts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from ..detectors.base import is_hotline
from ..detectors.phones import _EN_DIGIT as _EN_DIGITS
from ..normalise import SPOKEN_DIGITS as _ZH_DIGITS
from ..detectors.places import uk_postcode
from ..detectors.numbers import cn_id_score, hkid_ok, is_bank_card, is_credit_card, nhs_ok, nino_ok, ssn_ok, twid_ok

# What a cue names, in Chinese (on the normalised text: traditional characters read as simplified ones,
# 身份證 is 身份证) and in English (lower case); the first that matches, left to right.
_CUES = (
    ("UK_NINO", "", r"national insurance|\bn ?i (?:number|no)"),
    ("US_SSN", "", r"social security|\bssn\b|\bsocial\b"),
    ("UK_NHS", "", r"\bnhs (?:number|no)"),
    ("CN_ID", "身份证|身分证|证件号|证件", r"id card|identity card|\bhkid\b|\bid number"),
    ("PASSPORT", "护照", r"passport|travel document"),
    ("LICENSE_PLATE", "车牌|车辆|车号|车是|的车(?!牌)|我车(?!牌)|车子", r"licen[cs]e plate|\bplate\b|\bregistration\b|\breg\b|number plate|\brego\b|vehicle (?:number|no\b)|car number"),
    ("CREDIT_CARD", "信用卡", r"credit card|debit card|card number|\bcard no|long number on the card|\bamex\b|\bvisa\b|mastercard"),
    ("BANK_CARD", "银行卡|工资卡|储蓄卡|借记卡|账号|帐号|户口号|(?<!就诊)(?<!会员)(?<!医保)(?<!社保)(?<!门诊)(?<!积分)(?<!公交)(?<!校园)卡号", r"account number|sort code|\bbsb\b|\biban\b|bank account"),
    ("PHONE", "手机|电话|联系方式|座机|联络|号码", r"phone|mobile|\bcell\b|callback number|contact number|number to call|area code|"
              r"number (?:to reach|you're calling from|youre calling from)|reach you|call you|best number|"
              r"number (?:can|should|do) we"),
    ("ORDER_ID", "订单|单号|工单|运单|票号|编号|确认号|参考号|订座|订位|赔案号|报案号|保单号",
     r"order (?:number|no|id|ref)|ticket (?:number|no)|case (?:number|no)|claim (?:number|no)|tracking (?:number|no)|"
     r"\breference\b|\bref\b|booking (?:number|code)|confirmation number|return authori[sz]ation|\brma\b|\bincident\b|"
     r"citation (?:number|no)|complaint (?:number|no)|\bpnr\b|policy (?:number|no)|membership (?:number|no)"),
    # A UK postcode read out (L S six, one A B): it narrows an address to a few doors, as a Canadian postal
    # code does (M five R, two G three). (A ZIP code alone names an area, and is left alone as the rules
    # leave it.)
    ("ADDRESS", "", r"\bpost ?code\b|\beircode\b|\bpostal code\b"),
)
_ZH_CUE = re.compile("|".join(f"(?P<{label}>{zh})" for label, zh, _ in _CUES if zh))
_EN_CUE = re.compile("|".join(f"(?P<{label}>{en})" for label, _, en in _CUES))
# A word every English cue holds: looked for first (in C), so a long text without one is not scanned.
_EN_STEMS = ("insurance", "ni ", "n i ", "social", "ssn", "nhs", "id", "passport", "travel", "licen", "plate", "reg",
             "card", "account", "rego", "vehicle", "amex", "visa", "sort code", "bsb", "iban", "phone", "mobile", "cell", "number", "order", "ticket",
             "case", "claim", "tracking", "reference", "ref", "booking", "confirmation", "authori", "rma", "area code",
             "reach you", "call you", "incident", "citation", "complaint", "pnr", "policy", "membership", "post", "eircode")
_HAS_HAN = re.compile("[\u4e00-\u9fff]")
_HAS_LATIN = re.compile("[A-Za-z]")
_LABELS = tuple(label for label, _, _ in _CUES)

# Between the cue and the code: words that link them (是, 係, is, it's...), punctuation, fillers.
_BRIDGE = re.compile(r"(?:[号码是系为：:，,。.?？ \t#]|嗯|呃|那个|就是|我的|的|['’]s(?![A-Za-z])|(?i:is|it's|its|it is|was|number|no|"
                     r"yeah|yes|yep|yup|sure|okay|ok|uh|um|er|so|that's|thats|please|sorry|mine|my|i think|caller|customer|"
                     r"i've got it here|ive got it here|here it is|let me see|hang on|one sec|just a sec|"
                     r"agent)(?![A-Za-z]))*", re.I)
# A line that only acknowledges (客服：嗯, Agent: mhm): the caller goes on on the next line.
_BACKCHANNEL = re.compile(r"(?i:(?:嗯|好|对|是|还有呢|然后呢|继续|请讲|请说|您说|mhm|mm|uh huh|"
                          r"yep|yeah|yes|ok|okay|right|go on|go ahead|got it|and|then)[，,。.!！?？ ]*)+")
_NEXT_LINE = re.compile(r"\n[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?(?:([A-Za-z\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff .]{0,14})"
                        r"[:：])?[^\S\n]*")
_SKIP = 2  # the other speaker's lines between two parts of an answer
_DIGIT_WORD_NEXT = re.compile(r"[^\S\n]+(?i:zero|oh|one|two|three|four|five|six|seven|eight|nine|double)(?![A-Za-z])")
_DIGITS_ONLY = frozenset(("PHONE", "CREDIT_CARD", "BANK_CARD"))  # codes of digits alone: a lone o is a zero, for a four
_LETTERED = frozenset(("UK_NINO", "LICENSE_PLATE", "PASSPORT", "ADDRESS"))  # codes that may open with a letter by name
_COUNTERS = frozenset("位个张次遍年月日天点分岁元块")  # after a numeral, a count (四位, 两次)
# After digits, an amount of time, money or things (48小时, 3 days), never a code's next piece.
_UNIT_AFTER = re.compile("小时|分钟|个|天|元|块|岁|年|月|日|号|点|位|次|遍|张|公里|米|斤|%|％|(?i: ?(?:hours?|hrs?|mins?|minutes|"
                         "days?|weeks?|months?|years?|%|percent|dollars?|pounds?|euros?)(?![A-Za-z]))")
_LETTERS_APART = re.compile(r"[A-Za-z][ ,，-]+[A-Za-z][ ,，-]")
_NAMED_FIRST = re.compile(r"[\u4e00-\u9fff]{1,6}的[，,]?[^\S\n]*(?=[0-9零〇洞幺一二两三四五六七拐八九A-Za-z])")
_TENS_UNIT_GAP = re.compile(r"[^\S\n]*-?[^\S\n]*")
_LINE_END = re.compile(r"[^\S\n]*[。.!！?？…]*[^\S\n]*")

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# One piece of a code, or what may stand between two pieces.
_TOKEN = re.compile(r"(?P<zh>[零〇洞幺一二两三四五六七拐八九])|(?P<digits>[0-9]+)|(?P<word>[A-Za-z]+)"
                    r"|(?P<bracket>括号|括弧)(?P<close>[^\S\n]?[0-9A零〇洞幺一二两三四五六七拐八九])"
                    r"|(?P<paren>[(（][0-9A零〇洞幺一二两三四五六七拐八九][)）])"
                    r"|(?P<province>[" + _PROVINCES + r"])|(?P<sep>[ \t,，、.\-·]+)|(?P<filler>嗯|呃|那个|就是|横杠|杠|槓)"
                    r"|(?P<zhx>艾克斯|埃克斯)")
_EN_SEPARATORS = frozenset(("dash", "hyphen", "uh", "um", "er", "erm", "ah", "sorry", "then", "and", "bracket", "brackets",
                            "in", "hold", "hang", "on", "slash", "stroke"))
# Words speech-to-text writes for a digit it heard (for seven eight six, five for three to three): digits only
# between digit words.
_HOMOPHONES = {"for": "4", "to": "2", "too": "2", "won": "1", "ate": "8"}
# A letter made clear by a word (`J for Juliet`, `M as in Mike`): the word is not part of the code.
_SPELLING_AID = re.compile(r"[^\S\n]+(?:for|as in|like)[^\S\n]+[A-Za-z]+(?![A-Za-z])", re.I)
_MAX_PIECES = 40
_XRAY = re.compile(r"[- ](?i:ray)(?![A-Za-z])")
# `and` before the caller goes on speaking (and I haven't, and we're, and it's): the code has ended.
_AND_SPEAKER = re.compile(r"[^\S\n]+(?:I|we|it|they|he|she|you)(?:['’][a-z]+|[^\S\n]+(?:have|haven't|had|was|am|"
                          r"did|didn't|can|can't|need|want|got|just|still))(?![A-Za-z])")
# Codes taken after their cue even when written, not read out (护照号：EB 3829147, 身份证号110105 19900307-1239):
# their checks are strict, and no rule reads them split so. (The input side reads numerals as digits before
# this recognizer sees the text, normalise.spoken_numerals, so a read-out ID may look written here.)
_WRITTEN_TOO = frozenset(("PASSPORT", "LICENSE_PLATE", "CN_ID", "UK_NINO", "UK_NHS", "BANK_CARD"))
_DATE_WRITTEN = re.compile(r"(?:19|20)[0-9]{2}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:19|20)[0-9]{2}")
_ASK_REST = 40  # how far the cue's line may run on before the caller answers on the next


# An e-mail address read out: `siyuan 点 li 艾特 qq 点 com`, `zhang 下划线 lei 杠 bj 艾特 sina 点 cn`,
# `emily underscore chen ninety two at yahoo dot com`, `tom dot baxter at b t internet dot com`.
# (艾特 may touch the letters; `at the rate` is Indian English for @)
_MAIL_AT = re.compile(r"艾特|爱特|(?<![A-Za-z])(?:at the rate(?: of)?|at|AT|@)(?![A-Za-z])")
# Speech-to-text writes some parts as Chinese words that sound like them (点康姆 for .com, G妹儿 for gmail).
_MAIL_HEARD = {"康姆": "com", "康木": "com", "G妹儿": "gmail", "G妹": "gmail", "鸡妹儿": "gmail"}
_MAIL_TOKEN = re.compile(r"G妹儿?|康姆|康木|鸡妹儿|[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[零〇洞幺一二两三四五六七拐八九]+|下划线|底线|横杠|杠|槓|"
                         r"点|點|到特|[._-]")
_MAIL_SYMBOLS = {"点": ".", "點": ".", "到特": ".", "dot": ".", "下划线": "_", "底线": "_", "underscore": "_",
                 "杠": "-", "横杠": "-", "槓": "-", "dash": "-", "hyphen": "-", ".": ".", "_": "_", "-": "-"}
_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8",
         "ninety": "9"}
# The NATO spelling alphabet: a word that says a letter (echo romeo: E R).
NATO = frozenset("alpha alfa bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo lima mike november "
                 "oscar papa quebec romeo sierra tango uniform victor whiskey whisky xray yankee zulu".split())
# Letters said by their names (N P seven ... four bee): the names no word shares.
LETTER_NAMES = {"bee": "B", "cee": "C", "dee": "D", "gee": "G", "aitch": "H", "haitch": "H", "jay": "J", "kay": "K",
                "pee": "P", "cue": "Q", "queue": "Q", "ess": "S", "tee": "T", "vee": "V", "zed": "Z", "zee": "Z"}
_TEENS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
          "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
# Every number word a code or an address may be read out in: digits, teens, tens (redaction.extend too).
NUMBER_WORDS = (*(w for w in _EN_DIGITS if len(w) > 1), *_TEENS, *_TENS)
_TLD = frozenset("com net org edu gov cn io co uk us de fr jp hk tw info biz me cc ai au ca sg in my za nz ie ph id th vn "
                 "kr br mx ar nl be ch at se no dk fi pl it es pt ru ae sa pk ng ke gh tv app dev".split())
_MAIL_STOP = frozenset("is it's its it was email e-mail mail address my the me to that's thats yeah yes uh um er sure "
                       "ok okay so and or am are at be send write reach contact on in of is: email: still have has "
                       "we you use using got new old try".split())
_MAIL_WORDS = 4  # words of a local part or domain, at most
# The NATO words as one alternation, longest first (a regex's `(?i:…)` body).
NATO_RE = "|".join(sorted(NATO, key=len, reverse=True))
# Words said between the letters of a spelled word (M, C, capital C; Victor, Alpha, space, Delta).
SPELLING_AIDS = frozenset(("space", "hyphen", "dash", "apostrophe", "double", "triple", "capital", "small", "big", "then",
                           "and", "x-ray"))
_SPELLING_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


def spelled_out(value: str) -> bool:
    """Whether `value` is a word spelled out: five or more single letters, NATO words or spelling aids, and
    nothing else (redaction.redactor: a spelled name is no list of names)."""
    words = [w.lower() for w in _SPELLING_WORD.findall(value)]
    return len(words) >= 5 and all(len(w) == 1 or w in NATO or w in SPELLING_AIDS for w in words)


def _mail_piece(token: str) -> str | None:
    """What a token of a read-out address stands for ('' for a filler), None for a word that ends it."""
    low = token.lower()
    if token in _MAIL_HEARD:
        return _MAIL_HEARD[token]
    if low in _MAIL_SYMBOLS:
        return _MAIL_SYMBOLS[low]
    if low in _EN_DIGITS and len(low) > 1:
        return _EN_DIGITS[low]
    if low in _TENS:
        return _TENS[low] + "0"
    if all(ch in _ZH_DIGITS for ch in token):
        return "".join(_ZH_DIGITS[ch] for ch in token)
    if token.isascii() and token.isalnum() and low not in _MAIL_STOP:
        return low
    return None


def _mail_side(text: str, pos: int, step: int) -> tuple[int, str]:
    """Read tokens from `pos` backwards (step -1) or forwards (+1) over spaces: where the part starts or
    ends, and what it spells."""
    tokens = [m for m in _MAIL_TOKEN.finditer(text, max(0, pos - 80), pos)] if step < 0 else \
        [m for m in _MAIL_TOKEN.finditer(text, pos, pos + 80)]
    if step < 0:
        tokens.reverse()
    edge, out, words, last = pos, [], 0, pos
    for m in tokens:
        gap = text[m.end():last] if step < 0 else text[last:m.start()]
        if gap.strip(" ,") or (step > 0 and "," in gap and out and out[-1] in _TLD):
            break  # (163 点 com，一个单词: the address ended at its suffix)
        piece = _mail_piece(m.group())
        if piece is None:
            break
        # Letters said one at a time (W E I) count as one word.
        words += piece.isalpha() and not (len(piece) == 1 and out and len(out[-1]) == 1 and out[-1].isalpha())
        if words > _MAIL_WORDS:
            break
        out.append(piece)
        edge = m.start() if step < 0 else m.end()
        last = m.start() if step < 0 else m.end()
    if step < 0:
        out.reverse()
    # `ninety two`: a tens word and a digit after it are one number.
    joined = "".join(out)
    return edge, re.sub(r"([2-9])0(?=[1-9](?![0-9]))", r"\1", joined)


def spoken_emails(text: str) -> list[tuple[int, int, str, float]]:
    """EMAIL spans of addresses read out (module docstring, _MAIL_AT)."""
    out: list[tuple[int, int, str, float]] = []
    for at in _MAIL_AT.finditer(text):
        start, local = _mail_side(text, at.start(), -1)
        end, domain = _mail_side(text, at.end(), 1)
        parts = domain.split(".")
        while len(parts) > 1 and parts[-1] not in _TLD:  # the domain ends at its last known suffix
            parts.pop()
        if len(parts) < 2 or not all(parts) or len(local.strip("._-")) < 2 or local[-1] in "._-":
            continue
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", local):
            continue
        # The span ends at the suffix's last token: the domain read forwards as far as its suffix.
        suffix_end = _suffix_end(text, at.end(), len(parts))
        if suffix_end is None or start >= at.start():
            continue
        out.append((start, suffix_end, "EMAIL", 0.85))
    return out


def _suffix_end(text: str, pos: int, labels: int) -> int | None:
    """Where the domain read from `pos` ends after `labels` dot-separated parts."""
    seen = 0
    for m in _MAIL_TOKEN.finditer(text, pos, pos + 80):
        piece = _mail_piece(m.group())
        if piece == ".":
            seen += 1
        elif piece and seen == labels - 1 and piece.isalpha() and piece in _TLD:
            return m.end()
    return None


# A JSON field named for an order, waybill, booking... (`"trackingNumber": "JT501…"`, `"waybill_no":"…"`).
# ... or for a customer's membership, account or policy (`"account_id": "NG-ACC-0038817"`, `"会员编号":"HKM-…"`;
# normalised text: 會員編號 reads 会员编号).
_JSON_ORDER = re.compile(r"\"(?:(?i:(?:order|tracking|waybill|invoice|booking|ticket|case|claim|shipment|parcel|rma)"
                         r"[_ -]?(?:id|no|num|number|ref|reference|code|sn)?|(?:member|membership|account|acct|customer|"
                         r"client|policy|loyalty|subscriber)[_ -]?(?:id|no|num|number|ref|code))|"
                         r"(?:会员|客户|保单|订单|运单|账户|用户)(?:编号|号码|号|id|ID))\"[ ]?:[ ]?\"([A-Za-z0-9/-]{5,30})\"")
# A phone as a field holds it: 7 to 15 digits written as phones are (a JSON field's value here, a table's
# cell in tables.py).
PHONE_VALUE = r"\+?[0-9][0-9 ().-]{5,20}[0-9]"


def phone_digits(value: str) -> bool:
    """7 to 15 digits: as many as a phone number holds."""
    return 7 <= sum(ch.isdigit() for ch in value) <= 15


# A JSON field named for a phone (`"mobile": "+86-139-1027-6650"`, `"电话":"6789 2213"`): its value.
_JSON_PHONE = re.compile(r"\"(?:(?i:(?:phone|mobile|cell|tel|telephone|contact)(?:[_ -]?(?:no|num|number|phone))?)|"
                         r"手机|手机号|手机号码|电话|电话号码|联系电话|联系方式)\"[ ]?:[ ]?\"(" + PHONE_VALUE + r")\"")


def json_orders(text: str) -> list[tuple[int, int, str, float]]:
    """ORDER_ID spans of values in a JSON field named for an order or an account (_JSON_ORDER), a digit among
    them; PHONE spans of values in one named for a phone (_JSON_PHONE)."""
    out = [(m.start(1), m.end(1), "ORDER_ID", 0.85) for m in _JSON_ORDER.finditer(text)
           if any(ch.isdigit() for ch in m.group(1))]
    out += [(m.start(1), m.end(1), "PHONE", 0.85) for m in _JSON_PHONE.finditer(text) if phone_digits(m.group(1))]
    return out


# An IPv4 address read out (`one nine two dot one six eight dot one dot two fifty four`, `eighty one point two
# dot sixty nine point one forty two`, `ten dot oh dot oh dot five`): four numbers said in digit, teen and
# tens words (or digits), `dot` or `point` between them; each at most 255, the whole a valid address.
_IP_WORD = "(?:" + "|".join(NUMBER_WORDS) + "|[0-9]{1,3})"
_IP_OCTET = _IP_WORD + r"(?:[ -]" + _IP_WORD + r"){0,3}"
_SPOKEN_IP = re.compile(r"(?<![A-Za-z0-9])(?i:" + _IP_OCTET + r"(?: (?:dot|point) " + _IP_OCTET + r"){3})(?![A-Za-z0-9])")


_VERSION_BEFORE = re.compile(r"(?i:version|firmware|hardware|software|build|release|update|v)[^\S\n]*(?:is[^\S\n]*)?$")
_IP_CUE = re.compile(r"(?i:\bip\b|address|gateway|server|log ?ins?|router|connect(?:ed|ing)? from)")


def _octet(words: list[str]) -> str | None:
    """The number a few digit, teen and tens words say (one forty two: 142), or None."""
    out = _said_digits(words)
    return str(int(out)) if out and len(out) <= 3 and int(out) <= 255 else None


def _said_digits(words: list[str]) -> str | None:
    """The digits that digit, teen and tens words (lower case) or written digits say (one forty two: 142,
    twenty one: 21, six eight: 68), or None when one of them is no such word."""
    out = ""
    i = 0
    while i < len(words):
        w = words[i]
        if w.isdigit():
            out += w
        elif w in _TENS:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in _EN_DIGITS and nxt not in ("zero", "oh", "o"):
                out += _TENS[w] + _EN_DIGITS[nxt]
                i += 1
            else:
                out += _TENS[w] + "0"
        elif w in _TEENS:
            out += _TEENS[w]
        elif w in _EN_DIGITS:
            out += _EN_DIGITS[w]
        else:
            return None
        i += 1
    return out


def spoken_ips(text: str) -> list[tuple[int, int, str, float]]:
    """IP spans of IPv4 addresses read out (above)."""
    from ..detectors.contact import is_ipv4

    out: list[tuple[int, int, str, float]] = []
    for m in _SPOKEN_IP.finditer(text):
        if _VERSION_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            continue  # version two point one point three point four
        if " dot " not in m.group().lower() and not _IP_CUE.search(text, max(0, m.start() - 60), m.start()):
            continue  # ten point two point oh point four, with no address asked for: a version
        parts = re.split(r" (?:dot|point) ", m.group().lower())
        octets = [_octet(p.replace("-", " ").split()) for p in parts]
        if None not in octets and is_ipv4(".".join(octets)):  # type: ignore[arg-type]
            out.append((m.start(), m.end(), "IP", 0.85))
    return out


class SpokenCodes:
    """Recognizer: codes read out after their cue word (module docstring)."""

    labels = (*_LABELS, "EMAIL", "IP")

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        at = 0
        if "at" in text or "AT" in text or "艾特" in text or "爱特" in text or "@" in text:
            out.extend(spoken_emails(text))
        if '":' in text or '" :' in text:
            out.extend(json_orders(text))
        if " dot " in text or " point " in text or " DOT " in text:
            out.extend(spoken_ips(text))
        if not _has_code_chars(text):
            out.extend(self._plates(text, out))  # (A B twelve, C D E: no digit word)
            return out
        low = text.lower() if _HAS_LATIN.search(text) else ""
        cues = [*(_ZH_CUE.finditer(text) if _HAS_HAN.search(text) else ()),
                *(_EN_CUE.finditer(low) if low and any(stem in low for stem in _EN_STEMS) else ())]
        for cue in sorted(cues, key=lambda c: c.start()) if len(cues) > 1 and _HAS_HAN.search(text) else cues:
            if cue.start() < at:
                continue
            label = cue.lastgroup
            lines, spoken = self._read(text, _BRIDGE.match(text, cue.end()).end(), label)
            account = label == "BANK_CARD" and _ACCOUNT_CUE.search(cue.group()) is not None
            if not spoken and (label not in _WRITTEN_TOO or cue.group() == "卡号"):
                continue  # (a bare 卡号 may be any card's: only a number read out after it is a bank card)
            # The most lines whose pieces join into a valid code (a read-back after them is not part of it).
            for n in range(len(lines), 0, -1):
                code = "".join(c for _, c in lines[:n])
                if label == "PHONE" and any(_DATE_WRITTEN.fullmatch(text[a:b]) for (a, b), _ in lines[:n]):
                    break  # 2024-05-01 is when I called: a date
                fixed = next((v for v in _variants(code) if _valid(label, v) or (account and _account_ok(v))), None)
                if fixed is not None:
                    code = fixed
                    kind = _kind(label, code)
                    out.extend((a, b, kind, 0.85) for (a, b), _ in lines[:n])
                    at = lines[n - 1][0][1]
                    break
        out.extend(self._plates(text, out))
        return out

    def _plates(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Plates read out without a cue, by their shape: a province and a letter, then pieces (对方是浙B 七 F
        三 一 五), and a UK plate said letter by letter (Y R twenty one, B T O)."""
        out: list[tuple[int, int, str, float]] = []
        for m in (_PLATE_START.finditer(text) if _HAS_HAN.search(text) else ()):
            if any(a <= m.start() < b for a, b, _, _ in found):
                continue
            lines, _ = self._read(text, m.start(), "LICENSE_PLATE")  # written or read out (the rules read 浙B7F315 too)
            if lines and _valid("LICENSE_PLATE", lines[0][1]):
                out.append((lines[0][0][0], lines[0][0][1], "LICENSE_PLATE", 0.8))
        taken = sorted((a, b) for a, b, _, _ in found + out)
        for m in (_UK_PLATE.finditer(text) if " " in text else ()):
            k = bisect_right(taken, (m.end(),))
            if _uk_age(m.group("age")) and not (k and taken[k - 1][1] > m.start()) and _VEHICLE_NEAR.search(
                    text, max(0, m.start() - 80), m.end() + 80):
                out.append((m.start(), m.end(), "LICENSE_PLATE", 0.8))  # Tesla Model Y (WR73 KFN)
        for m in (_UK_SPOKEN_PLATE.finditer(text) if " " in text else ()):
            digits = _number_digits(m.group("age"))
            if digits is not None and len(digits) == 2 and not any(a < m.end() and m.start() < b for a, b, _, _ in found):
                out.append((m.start(), m.end(), "LICENSE_PLATE", 0.8))
        return out

    @staticmethod
    def _read(text: str, pos: int, label: str) -> tuple[list[tuple[tuple[int, int], str]], bool]:
        """The pieces from `pos` on, and on the caller's next lines while each holds only pieces: per line,
        its span and the code its pieces spell (upper case); and whether the code was read out (numerals,
        digit words, pauses or commas between pieces, or over lines) rather than written, which the rules
        read (`9400 1234 5678`, `2024-05-01`)."""
        lines: list[tuple[tuple[int, int], str]] = []
        speaker = _speaker(text, pos)
        code: list[str] = []
        times = 1
        pieces = 0
        first = last = -1
        spoken = gap = answered = False
        while pieces < _MAX_PIECES:
            fix = _CORRECTION.match(text, pos) if first >= 0 and label != "ORDER_ID" else None
            if fix is not None and fix.end() > pos and _TOKEN.match(text, fix.end()) is not None:
                code.append("|")  # 幺幺六，不对不对，是幺幺七幺: the caller corrects what came before (see _variants)
                spoken = True
                pos = fix.end()
                continue
            m = _TOKEN.match(text, pos)
            if m is not None and first < 0 and not lines and not _piece(m, label):
                m = None  # the rest of the question (whenever you're ready), not a piece: see below
            if m is None:
                if first >= 0:
                    lines.append(((first, last), "".join(code)))
                    first, code = -1, []
                end = _LINE_END.match(text, pos).end()
                if not lines and end < len(text) and text[end] != "\n":
                    end = text.find("\n", pos, pos + _ASK_REST)  # the rest of the question (号码是多少？)
                    if end < 0:
                        break
                elif end < len(text) and text[end] != "\n":
                    break  # a word after the pieces: the code has ended
                nxt = _next_answer(text, end, speaker if lines else None)  # the asker's line: whoever answers
                if nxt is None:
                    break
                pos, speaker = nxt
                # Pieces over lines, or a code answering the question on the asker's line (客服：新号码系？ /
                # 客户：9516 5480): what the question asked for, written or not (an order number may be a date).
                spoken = spoken or bool(lines) or label != "ORDER_ID"
                answered = answered or not lines
                continue
            kind = {"close": "bracket", "paren": "bracket"}.get(m.lastgroup or "", m.lastgroup)
            value = m.group()
            stop = None  # past a spelling aid, else the token's end
            if kind in ("sep", "filler"):
                gap = gap or (first >= 0 and (kind == "filler" or "," in value or "，" in value))
                pos = m.end()
                continue
            if kind == "word":
                low = value.lower()
                if low == "and" and first >= 0 and _AND_SPEAKER.match(text, m.end()):
                    break  # … nine eight, D and I haven't had: the caller speaks on
                if low in _EN_SEPARATORS:
                    gap = gap or first >= 0
                    pos = m.end()
                    continue
                if low in ("double", "triple"):
                    times = 2 if low == "double" else 3
                    spoken = True
                    if first < 0:
                        first = m.start()
                    pos = m.end()
                    continue
                if low in _TEENS:  # fourteen: two digits
                    if first < 0:
                        first = m.start()
                    piece = _TEENS[low]
                    spoken = True
                elif low in _TENS:  # fifty five: two digits; fifty alone: 50
                    if first < 0:
                        first = m.start()
                    unit = _TOKEN.match(text, _TENS_UNIT_GAP.match(text, m.end()).end())  # eighty-four
                    after = unit.group().lower() if unit is not None and unit.lastgroup == "word" else ""
                    if after in _EN_DIGITS and after not in ("zero", "oh", "o"):
                        piece, m = _TENS[low] + _EN_DIGITS[after], unit
                    else:
                        piece = _TENS[low] + "0"
                    spoken = True
                elif low in _EN_DIGITS and not (len(low) == 1 and label not in _DIGITS_ONLY):
                    piece = _EN_DIGITS[low]
                    spoken = spoken or len(low) > 1
                elif low in _HOMOPHONES and _DIGIT_WORD_NEXT.match(text, m.end()) and (
                        code or label in _DIGITS_ONLY):
                    piece = _HOMOPHONES[low]  # five for three: 5 4 3
                    spoken = True
                elif low in NATO:
                    piece = low[0].upper()  # echo romeo: E R
                    spoken = True
                elif low in LETTER_NAMES and (code or lines or label in _LETTERED):
                    piece = LETTER_NAMES[low]  # ... four bee: B
                    spoken = True
                elif len(value) == 1 or (value.isupper() and len(value) <= 3 and (
                        not code and not lines or label in ("LICENSE_PLATE", "ORDER_ID"))):
                    piece = value.upper()  # a letter said alone (J T ...), or a code's prefix (GD, EB)
                    if len(value) == 1:
                        aid = _SPELLING_AID.match(text, m.end())
                        if aid is not None:  # J for Juliet: the word that spells the letter is passed over
                            stop = aid.end()
                            spoken = True
                        elif low == "x" and _XRAY.match(text, m.end()):
                            stop = _XRAY.match(text, m.end()).end()  # X-ray, X ray: NATO's X
                            spoken = True
                elif m.start() == last:
                    return [], False  # a word glued to the last piece (3377L9IJ): a code read wrongly
                else:
                    break  # a word: the code has ended
            elif kind == "zh":
                piece = _ZH_DIGITS[value]
                spoken = True
            elif kind == "zhx":
                piece = "X"  # 艾克斯: the letter X said in Chinese
                spoken = True
            elif kind == "digits":
                if code and _UNIT_AFTER.match(text, m.end()):
                    break  # GD 2024 0612 0037，48小时内: an amount after the code, not a piece of it
                piece = value
            elif kind == "province":
                if code or lines or label != "LICENSE_PLATE":
                    break
                piece = value
            else:  # 括號四, (4): an HK ID's check digit
                inner = (m.group("close") or m.group("paren")).strip(" (（)）")
                piece = "(" + _ZH_DIGITS.get(inner, inner) + ")"
                spoken = True
            code.append(piece * times)
            spoken = spoken or gap
            gap = False
            times = 1
            pieces += 1
            if first < 0:
                first = m.start()
            last = pos = m.end() if stop is None else stop
        if first >= 0:
            lines.append(((first, last), "".join(code)))
        # Four or more short pieces apart (E 685 291 03 once the numerals are read as digits), or letters
        # said one at a time (G D 202405170392): read out too.
        spoken = spoken or (len(code) >= 4 and all(len(p) <= 4 for p in code) and sum(
            text[a:b].count(" ") for (a, b), _ in lines) >= 3) or any(
            _LETTERS_APART.match(text, a) for (a, _), _ in lines)
        # An order number of eight characters or more as the whole answer to the question that asked for it
        # (快递单号是多少？ / 中通的，七五三幺…, written in digits once the numerals are read): no date.
        spoken = spoken or (answered and len(lines) == 1 and len(lines[0][1]) >= 8
                            and not _DATE_WRITTEN.search(text, lines[0][0][0], lines[0][0][1]))
        return lines, spoken


# A caller correcting a code mid-way (哦不对, 不对不对，是, no wait, no sorry, sorry, I mean).
_CORRECTION = re.compile(r"[^\S\n]*[-，,。.…]*[^\S\n]*(?:哦不对|不对不对|不对|不是不是|说错了|錯了|错了|唔係|(?i:no wait|no,? sorry|"
                         r"sorry,? no|sorry|i mean|wait|actually))[^\S\n]*[，,。.…]*[^\S\n]*(?:是|系|係|(?i:it's|its|it is))?"
                         r"[^\S\n]*[，,]?[^\S\n]*(?:(?:I|i|let|my|that's|thats|start|wrong|hold|hang|sorry)(?![A-Za-z])[a-z' ]{0,40}?,"
                         r"[^\S\n]*){0,3}")  # (sorry I always get this wrong,)


def _variants(code: str):
    """The codes `code` may be, its corrections (|) read: as said, then from the last correction on (the
    caller started again), then with the characters just before it replaced (one to six of them)."""
    if "|" not in code:
        yield code
        return
    yield code.replace("|", "")
    before, _, after = code.rpartition("|")
    yield after
    before = before.replace("|", "")
    for k in range(1, 7):
        if k <= len(before):
            yield before[:-k] + after


# A Chinese plate's start: a province and a capital (浙B): its pieces may follow read out, cue or none.
_PLATE_START = re.compile("(?<![" + _PROVINCES + "A-Za-z0-9])[" + _PROVINCES + "][A-Z](?![A-Za-z])")  # (not 浙苏H6F681)
_NUM = "(?:" + "|".join(NUMBER_WORDS) + ")"
# A UK plate said a letter at a time: two letters, a two-digit age in words or digits, three letters.
_UK_SPOKEN_PLATE = re.compile(r"(?<![A-Za-z0-9])[A-Z][ ,]{1,2}[A-Z][ ,]{1,2}(?P<age>(?i:" + _NUM + r")(?:[ -](?i:" + _NUM
                              + r"))?|[0-9]{2})[ ,]{1,2}[A-Z][ ,]{1,2}[A-Z][ ,]{1,2}[A-Z](?![A-Za-z0-9])")

# A UK plate written in the current format (since 2001), with its space: a memory tag whose first letter is a
# region's, an age identifier of a year plates have been issued in (02 to this year's, 51 to this year's + 50),
# three letters; I and Q are never used (Z only in the last three).
_UK_PLATE = re.compile(r"(?<![A-Za-z0-9])[ABCDEFGHKLMNOPRSVWY][A-HJ-PR-Y](?P<age>[0-9]{2}) [A-HJ-PR-Z]{3}"
                       r"(?![A-Za-z0-9])")
# ... with a vehicle named within 80 characters on either side (FY24 EPS, SP24 MVP and MS17 CVE are no plates).
_VEHICLE_NEAR = re.compile(r"(?i:\b(?:car|cars|van|vans|vehicle|lorry|truck|motorbike|motorcycle|bike|taxi|cab|"
                           r"reg|registration|plate|parked|parking|driver|driving|drove|garage|mot|dvla|tow|towed|"
                           r"clamped|model|tesla|ford|vauxhall|corsa|polo|golf|bmw|audi|toyota|honda|nissan|kia|"
                           r"hyundai|mercedes|volvo|peugeot|renault|skoda|mini|fiesta|focus|qashqai)\b)")
_PLATE_YEAR = date.today().year % 100 + 1  # + 1: the plates of next March (and September) are on the road soon


def _uk_age(age: str) -> bool:
    n = int(age)
    return 2 <= n <= _PLATE_YEAR or 51 <= n <= 50 + _PLATE_YEAR


def _number_digits(words: str) -> str | None:
    """The digits of a number said in words or written (twenty one: 21, six eight: 68, nineteen: 19)."""
    return _said_digits(re.split(r"[ -]+", words.lower()))


def _piece(m: re.Match[str], label: str) -> bool:
    """Whether a token may be (or start) a piece of a `label` code."""
    kind = m.lastgroup
    if kind == "zh" and m.string[m.end():m.end() + 1] in _COUNTERS:
        return False  # 四位四位报: a count, not a digit
    if kind != "word":
        return kind != "province" or label == "LICENSE_PLATE"
    low = m.group().lower()
    return (len(low) == 1 or low in _EN_DIGITS or low in ("double", "triple") or low in _TEENS or low in _TENS
            or low in NATO or low in LETTER_NAMES
            or (low in _HOMOPHONES and label in _DIGITS_ONLY
                and _DIGIT_WORD_NEXT.match(m.string, m.end()) is not None)
            or (m.group().isupper() and len(low) <= 3))


def _next_answer(text: str, pos: int, speaker: str | None) -> tuple[int, str | None] | None:
    """Where the answering speaker's next line starts (past its label and filler words) and the speaker:
    lines of another speaker without digits (客服：嗯, Agent: and the last four) and unlabelled lines that
    only acknowledge are skipped, at most _SKIP of them; None when the answer has ended."""
    for _ in range(_SKIP + 1):
        m = _NEXT_LINE.match(text, pos)
        if m is None:
            return None
        who = m.group(1)
        line_end = text.find("\n", m.end())
        line = text[m.end(): len(text) if line_end < 0 else line_end]
        other = who is not None and speaker is not None and who.strip().lower() != speaker
        if other or (who is None and speaker is not None and _BACKCHANNEL.fullmatch(line)):
            if _pieces(line) >= 3 or line_end < 0:
                return None  # the agent reads a number back, or nothing follows
            pos = line_end
            continue
        at = _BRIDGE.match(text, m.end()).end()
        named = _NAMED_FIRST.match(text, at)  # 中通的，七五三…: the courier's or bank's name first
        return (named.end() if named is not None else at), (who.strip().lower() if who else speaker)
    return None


def _speaker(text: str, pos: int) -> str | None:
    """The label of the line `pos` is on (客户, caller), lower case; None without one."""
    start = text.rfind("\n", max(0, pos - _ASK_REST), pos)  # a label opens a line: look back a line's width
    if start < 0 and pos > _ASK_REST:
        return None
    m = _NEXT_LINE.match(text, start) if start >= 0 else _NEXT_LINE.match("\n" + text[:pos])
    return m.group(1).strip().lower() if m is not None and m.group(1) else None


_DIGIT_LIKE = re.compile(r"[0-9零〇洞幺一二两三四五六七拐八九]|(?i:\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b)")


def _pieces(line: str) -> int:
    """How many digits, numerals and digit words a line holds."""
    return len(_DIGIT_LIKE.findall(line))


_CODE_CHARS = re.compile("[0-9" + "".join(_ZH_DIGITS) + "]|(?i:zero|one|two|three|four|five|six|seven|eight|nine)")


def _has_code_chars(text: str) -> bool:
    """A digit, a numeral or a digit word somewhere (in C, before any per-cue work)."""
    return _CODE_CHARS.search(text) is not None


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def _valid(label: str, code: str) -> bool:
    digits = _digits(code)
    # Two digits may do for a plate or a booking code (HK7Q2M), four for anything else.
    least = 2 if label in ("LICENSE_PLATE", "ADDRESS") or (label == "ORDER_ID" and len(code) >= 6) else 4
    if len(digits) < least or len(set(digits)) == 1 and label not in ("LICENSE_PLATE", "ADDRESS"):
        return False
    if label == "CN_ID":
        body = code.replace("(", "").replace(")", "")
        if re.fullmatch(r"[0-9]{6}(?:18|19|20)[0-9]{9}[0-9X]", body):  # born 1800-2099, as the ID rule reads
            return cn_id_score(body) > 0
        if re.fullmatch(r"[A-Z]{1,2}[0-9]{6}(?:\([0-9A]\)|[0-9A])", code):
            return hkid_ok(code)
        return bool(re.fullmatch(r"[A-Z][1289][0-9]{8}", code)) and twid_ok(code)
    if label == "PASSPORT":  # China's, one or two letters and digits, a letter after (P7720419B), or nine
        # letters and digits mixed (Germany's C1F3J7K9M)
        return bool(re.fullmatch(r"[EG][0-9]{8}|E[A-Z][0-9]{7}|[A-Z]{1,2}[0-9]{6,9}|[0-9]{8,9}|[A-Z][0-9]{7}[A-Z]", code)) or (
            bool(re.fullmatch(r"[A-Z][A-Z0-9]{8}", code)) and len(digits) >= 4)
    if label == "ADDRESS":  # a UK postcode, an Eircode (D09 X2C4) or a Canadian postal code (M5R 2G3)
        return (bool(re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", code)) and uk_postcode(code)) or bool(
            re.fullmatch(r"(?:[ACDEFHKNPRTVWXY][0-9]{2}|D6W)[0-9ACDEFHKNPRTVWXY]{4}", code)) or bool(
            re.fullmatch(r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]", code))
    if label == "LICENSE_PLATE":  # CN, UK (AB12 CDE), or a US-style mix of five to eight
        return (bool(re.fullmatch("[" + _PROVINCES + r"][A-Z][A-Z0-9]{5,6}", code)) and len(digits) >= 2) or bool(
            re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z]{3}", code)) or (bool(re.fullmatch(r"[A-Z0-9]{5,8}", code))
                                                               and len(digits) >= 2 and not code.isdigit()) or bool(
            re.fullmatch(r"[A-Z]{2}[0-9]{1,2}[A-Z]{1,3}[0-9]{4}", code)) or bool(  # India (MH12DE4471)
            re.fullmatch(r"[0-9]{2,3}[A-Z]{1,2}[0-9]{1,6}", code))  # Ireland (161-D-12345)
    if label == "UK_NINO":
        return bool(re.fullmatch(r"[A-Z]{2}[0-9]{6}[A-D]", code)) and nino_ok(code)
    if label == "US_SSN":
        return code.isdigit() and len(code) == 9 and code[0] != "9" and ssn_ok(code)
    if label == "UK_NHS":
        return nhs_ok(digits) and len(digits) == len(code)
    if label in ("CREDIT_CARD", "BANK_CARD"):
        if code.isdigit() and 13 <= len(code) <= 19:
            return is_credit_card(code) or is_bank_card(code)
        return 6 <= len(digits) <= 34 and label == "BANK_CARD"  # an account number, a sort code, an IBAN
    if label == "PHONE":
        return code.lstrip("+").isdigit() and 7 <= len(digits) <= 15 and not is_hotline(digits)
    return len(code) >= 6  # ORDER_ID: six characters or more (digits counted above)


# Cues that name an account, not a card: its number has no card's check digit (工行 0200 0015 0920 0123 456).
_ACCOUNT_CUE = re.compile(r"账号|帐号|户口号|(?i:account number|bank account|\biban\b|\bbsb\b|sort code)")


_CN_MOBILE = re.compile("1[3-9][0-9]{9}")  # a login that is a phone number (我的账号是 138...): the phone rule's


def _account_ok(code: str) -> bool:
    """An account number: eight to 34 characters, ten digits or more, not one digit repeated."""
    digits = _digits(code)
    return 8 <= len(code) <= 34 and len(digits) >= 10 and len(set(digits)) > 2 and not _CN_MOBILE.fullmatch(code)


def _kind(label: str, code: str) -> str:
    """The label of a valid code: a card number after a bank-card cue may be a credit card, and the other
    way round."""
    if label in ("CREDIT_CARD", "BANK_CARD") and code.isdigit() and 13 <= len(code) <= 19:
        return "CREDIT_CARD" if is_credit_card(code) else "BANK_CARD"
    return label
