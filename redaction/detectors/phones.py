"""Phones beyond the fixed CN/US shapes: international (`+44 20 7946 0958`), numbers after a phone cue
(`电话是52857658`, `call me on 0477 11 28 98`), Taiwan and Hong Kong forms, and digits spoken in Chinese
(`一三八 一二三四 五六七八`, `幺三八…`).

International and Taiwan numbers are checked with `phonenumbers` (Google's libphonenumber metadata) as
a validator on what a cheap pattern found: its matcher would be far too slow as a scanner.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from .base import (
    DIGITS, LETTERS, LOOKBEHIND, NUM_END, PatternDetector, after_cue, cn_service_mobile, digits_of, is_hotline, lead,
    luhn_ok,
)

_SEP = " .-()"
# Never a person's line: toll-free and premium everywhere; China's shared-cost 400 hotlines.
_NOT_PERSONAL = {PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE}


def _same_digit(digits: str) -> bool:
    return len(set(digits)) <= 1


def _number_ok(value: str, region: str | None) -> float:
    """1.0 for a valid personal number, 0.8 for a possible one (fictional ranges), else 0."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return 0.0
    if not phonenumbers.is_possible_number(number):
        return 0.0
    if not phonenumbers.is_valid_number(number):
        return 0.8
    kind = phonenumbers.number_type(number)
    if kind in _NOT_PERSONAL or (number.country_code == 86 and kind == PhoneNumberType.SHARED_COST):
        return 0.0
    return 1.0


def international(value: str) -> float:
    """`+` country code and number, as libphonenumber reads it (not toll-free, premium, CN 400)."""
    digits = digits_of(value)
    if not 8 <= len(digits) <= 15 or _same_digit(digits[-7:]) or value.count("(") != value.count(")"):
        return 0.0
    if digits.startswith("86") and cn_service_mobile(digits):
        return 0.0
    return _number_ok(value, None)


def taiwan(value: str) -> float:
    """A Taiwan mobile (09xx-xxx-xxx) or landline ((02)2345-6789)."""
    return _number_ok(value, "TW")


# `+`, a country code and 7-14 more digits with the separators people use; ends on a digit.
_INTL = lead("+", "0-9A-Za-z") + r"[1-9][0-9() .-]{6,19}[0-9]" + NUM_END
# The same dialled with an international prefix instead of `+` (00 in most of the world, 011 from North
# America): `0044 20 7946 0958`, `011 44 20 7946 0958`.
_INTL_DIALLED = lead("0", "0-9A-Za-z+") + r"(?:0|11[ -]?)[1-9][0-9() .-]{6,19}[0-9]" + NUM_END


def international_dialled(value: str) -> float:
    """`00`/`011` and a country code, read as `+` (then as international())."""
    rest = value[2:] if value.startswith("00") else value[3:]
    score = international("+" + rest.lstrip(" .-"))
    return score if score == 1.0 else 0.0  # valid numbers only: a code starting 00 is common


# Hong Kong, Macau and Taiwan numbers written with their country code but no `+` (`852-9123-4567`,
# `(853) 6612 3456`, `886 912 345 678`), common on cards and in chat across the region. The code is set
# off by a separator or brackets (a bare 11-digit run is left to the other rules), and the number must
# be a valid one of that region's personal ranges.
_REGION_CODE = (lead("8(", "0-9A-Za-z+") + r"(?:(?<=\()(?:852|853|886)\) ?|(?<=8)(?:52|53|86)[ -])[0-9][0-9 -]{6,11}[0-9]"
                + NUM_END)


def region_code(value: str) -> float:
    """A valid Hong Kong, Macau or Taiwan number after its country code written without `+`."""
    digits = digits_of(value)
    return 1.0 if international("+" + digits) == 1.0 else 0.0


# Taiwan: mobiles 09xx-xxx-xxx (4-3-3 is not a CN shape); landlines (0X)XXXX-XXXX with a one-digit area.
_TW = (lead("0(", "0-9") + r"(?:(?<=0)9[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}|(?<=\()0[2-8]\)[ -]?[0-9]{3,4}[ -]?"
       r"[0-9]{4}|(?<=0)[2-8]-[0-9]{3,4}-[0-9]{4})" + NUM_END)

# --- after a cue ----------------------------------------------------------------------------------
_ZH_CUES = ["电话", "电话是", "电话:", "电话号码", "电话号码是", "电话号码:", "手机", "手机号", "手机号码", "手机号是",
            "手机号码是", "手机号:", "手机号码:", "联系电话", "联系电话:", "联系方式", "联系方式:", "座机", "座机是",
            "座机:", "固话", "号码是", "致电", "电话为", "电话号码为", "手机号为", "打电话", "打我电话",
            # Hong Kong and Taiwan text, read through the traditional-to-simplified fold (redaction.normalise):
            # 聯絡電話 -> 联络电话, Cantonese 係 (is) -> 系, Taiwan 手機號碼 is 手机号码 already.
            "联络电话", "联络电话:", "联络", "电话系", "号码系", "手机系", "手机号码系", "电话号码系",
            # a read-back asked as a question (登記電話係咪 6823 7415？, 电话是不是 138…)
            "电话系咪", "号码系咪", "手机系咪", "电话系唔系", "电话是不是", "号码是不是", "手机是不是",
            # 打 9123 4567 搵我 (call ... to find me): seven digits or more after 打 are no discount (打8折)
            "打", "打去", "打嚟", "打来", "拨打", "call我",
            # Hong Kong's 手提 (mobile) and English words with Cantonese 係 (我個 mobile 係 9867 2031)
            "手提", "手提系", "手提号码", "mobile系", "mobile 系", "phone系", "phone 系", "number系", "number 系",
            # mixed text (contact 是 5108 6624)
            "contact是", "contact 是", "phone是", "phone 是", "mobile是", "mobile 是", "number是", "number 是"]
_ZH_CUES = [c + s for c in _ZH_CUES for s in ("", " ") if len(c + s) <= LOOKBEHIND]
# `my Israeli number is`, `my home number is`: which of one's numbers it is.
_NUMBER_KINDS = ("phone", "contact", "telephone", "their", "my", "the", "cell", "mobile", "his", "her", "our", "its",
                 "home", "work", "office", "personal", "direct", "new", "other", "second", "backup", "callback",
                 "international", "local", "wechat", "whatsapp", "us", "uk", "hk", "chinese", "japanese",
                 "korean", "indian", "israeli", "german", "french", "canadian", "australian", "singapore",
                 "taiwan", "american", "british")
# `my number 07911 482306`, `her mobile number 0412…`: whose number, without `is`.
_OWN_NUMBER = ("my", "his", "her", "our", "their", "home", "work", "cell", "mobile", "contact", "callback")
_EN_CUES = [c + s for c in (*(w + " number is" for w in _NUMBER_KINDS), *(w + " number" for w in _OWN_NUMBER),
                            "number is:", "number:", "phone is", "phone:", "phone", "tel", "tel:",
                            "tel.", "call", "call on", "call me on", "call me at", "call us at", "call us on", "call them at",
                            "call them on", "reach me at", "reach me on", "reach us at", "reach them at",
                            "contact them at", "contact me at", "reached at", "phone them at", "text me at",
                            "mobile", "mobile:", "cell", "cell:", "telephone", "telephone:", "phone number",
                            "phone no.", "ph:", "fax", "fax:", "whatsapp",
                            # speech-to-text and typing: `call me 425…`, `text me`, `number is`, misspellings
                            "call me", "text me", "text", "sms", "cell phone", "cellphone",
                            "numbr is", "nmbr is", "nubmer is", "numer is", "phoen", "phne", "fone", "mob", "mob:",
                            "number's", "phone's", "cell's", "mobile's", "number's:",
                            # Singapore and Malaysia: HP (handphone)
                            "his hp", "her hp", "my hp", "hp no", "hp no.", "hp:", "h/p", "h/p:", "hp no:",
                            "cell is", "mobile is", "landline is", "mobile no.", "cell no.", "text me on",
                            "ring me on", "ring me at", "message me on", "message me at", "whatsapp me on",
                            "whatsapp me at", "call back on", "call back at", "fone is", "phne is", "phoen is",
                            "fone number is", "fone no", "phone num", "phone num is", "ph",
                            "ph.", "contact no", "contact no.", "contact number", "contact number:", "contact", "contact:", "call me:",
                            "call me at:", "number was", "number was:", "phone was", "cell was", "mobile was",
                            # German, French, Spanish, Italian and Portuguese cues customers write in
                            "telefon", "telefon:", "telefonnummer", "telefonnummer:", "telefonnummer ist",
                            "handy", "handy:", "handynummer", "handynummer ist", "rufnummer", "nummer ist",
                            "téléphone", "téléphone:", "téléphone est", "numéro", "numéro est", "portable",
                            "portable:", "teléfono", "teléfono:", "teléfono es", "móvil", "celular", "celular:",
                            "número", "número es", "telefono", "telefono:", "telefono è", "cellulare",
                            "cellulare:", "numero", "numero è", "telemóvel")
            for s in (" ", "") if len(c + s) <= LOOKBEHIND and (s or c.endswith(":") or c.endswith("."))]
# A previous number in a list after a cue: `电话是57293333,57273333`, `电话：83172726、83172706`.
_LIST_CUES_ = ("电话", "电话是", "电话:", "电话 ", "电话: ", "号码是", "电话号码是", "电话为")
_LIST_SEPS = (",", "、", "和", "/", ", ", " ", "或")


def _list_lookbehind() -> str:
    """Lookbehinds true when the digit just consumed follows a cue, 7-8 digits and a list separator."""
    alts = sorted({(c, n, sep) for c in _LIST_CUES_ for n in (7, 8) for sep in _LIST_SEPS
                   if len(c) + n + len(sep) <= LOOKBEHIND}, key=lambda t: (len(t[0]) + t[1] + len(t[2]), t))
    return "(?:" + "|".join(f"(?<={c}[0-9]{{{n}}}{sep}[0-9])" for c, n, sep in alts) + ")"


_CUED_BODY = r"[0-9() .-]{5,18}[0-9]" + NUM_END
_CUED = (
    # A two-character check first: in `4111 4111 …` every digit follows a space, never a cue's last letter.
    lead("0-9(", "0-9A-Za-z") + r"(?:(?<=[A-Za-z\u00c0-\u00ff:.\u4e00-\u9fff] [0-9(])|(?<=[^ ][0-9(]))" + "(?:" + after_cue(_ZH_CUES, "0-9(") + "|"
    + after_cue(_EN_CUES, "0-9(", ignore_case=True) + ")" + _CUED_BODY
)
_CUED_LIST = (lead("0-9", "0-9A-Za-z") + "(?<=[,、和/ 或][0-9])"
              + "(?:(?<=[0-9]{7}[,、和/ 或][0-9])|(?<=[0-9]{7}, [0-9]))" + _list_lookbehind()
              + r"[0-9]{6,7}(?:-[0-9]{1,4})?" + NUM_END)


# A date written out (2024-05-01, 01.05.2024): after `contact` or `call` it says when, not where.
_DATE = re.compile(r"(?:19|20)[0-9]{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])"
                   r"|(?:0?[1-9]|[12][0-9]|3[01])([-./])(?:0?[1-9]|1[0-2])\2(?:19|20)[0-9]{2}")


def cued_phone(value: str) -> float:
    """7-13 digits after a phone cue, grouped like a phone; not a hotline, a repeated digit or a date."""
    if _DATE.fullmatch(value.strip()):
        return 0.0
    digits = digits_of(value)
    if not 7 <= len(digits) <= 13 or _same_digit(digits) or len(digits.strip("0")) == 1:
        return 0.0  # 1000000: a round count (打1000000个电话), not a phone
    if value.count("(") != value.count(")") or ".." in value or "--" in value or "   " in value:
        return 0.0
    # CN hotlines (400/800 + 7 digits; 95xxx/96xxx are shorter than 7) and US toll-free.
    return 0.0 if is_hotline(digits) else 0.9


# --- digits spoken in Chinese ---------------------------------------------------------------------
_ZH_DIGIT = {"零": "0", "〇": "0", "幺": "1", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9"}
_ZD = "零〇幺一二三四五六七八九"
_ZD_ANY = "0-9" + _ZD
_ZH_MOBILE = (
    lead("1幺一", _ZD_ANY) + r"(?:[ -]?[3-9三四五六七八九])(?:[ ,，-]?[" + _ZD_ANY + r"]){9}(?![" + _ZD_ANY + "])"
)
_ZH_ID = lead("1-6一二三四五六幺", _ZD_ANY) + "[" + _ZD_ANY + "]{16}[" + _ZD_ANY + "Xx](?![" + _ZD_ANY + "])"


# The same read out in groups (一一零一零一 一九九零零三零七 一二三九): input only, like ZH_CUED_NUMERALS.
_ZH_ID_SPACED = (lead("1-6一二三四五六幺", _ZD_ANY) + "(?: ?[" + _ZD_ANY + "]){16} ?[" + _ZD_ANY + "Xx](?![" + _ZD_ANY
                 + "])")


# An ID whose check character X is said aloud (叉, 艾克斯: speech-to-text), in digits or numerals: input only.
_SPOKEN_X = ("叉", "艾克斯", "爱克斯", "埃克斯")
_ZH_ID_SPOKEN_X = (lead("1-6一二三四五六幺", _ZD_ANY) + "(?: ?[" + _ZD_ANY + "]){16} ?(?:" + "|".join(_SPOKEN_X) + ")")


def spoken_digits(value: str) -> str:
    """The ASCII digits of a number written with Chinese numerals (and ASCII digits)."""
    return "".join(_ZH_DIGIT.get(ch, ch) for ch in value if ch not in " -,，")


def zh_mobile(value: str) -> bool:
    """A CN mobile with at least one digit in Chinese (the ASCII ones are the plain pattern's)."""
    digits = spoken_digits(value)
    return (any(ch in _ZH_DIGIT for ch in value) and len(digits) == 11 and digits[1] in "3456789"
            and not _same_digit(digits[3:]))


# A landline (with its area code) or Hong Kong number read out in Chinese numerals after a phone cue
# (手机五一二三四五六七, 电话：零二一 六四三八 五五六六). Input only (redaction.redactor INPUT_ONLY_PATTERNS),
# like the English spoken digits.
_ZH_CUED_NUMERALS = ("[" + _ZD + "]" + after_cue(_ZH_CUES, _ZD) + "(?:[ ,，]?[" + _ZD + "]){6,11}(?![" + _ZD_ANY + "])")


def zh_cued_numerals(value: str) -> float:
    digits = spoken_digits(value)
    if _same_digit(digits) or not (len(digits) in (7, 8) or (digits[0] == "0" and 10 <= len(digits) <= 12)):
        return 0.0
    return 0.85


def zh_id_spoken_x(value: str) -> float:
    from .numbers import cn_id_score
    for word in _SPOKEN_X:
        value = value.replace(word, "X")
    return cn_id_score(spoken_digits(value))


def zh_id(value: str) -> float:
    """An 18-digit CN resident ID with at least one digit in Chinese (region and birth date checked)."""
    from .numbers import cn_id_score
    if not any(ch in _ZH_DIGIT for ch in value):
        return 0.0
    return cn_id_score(spoken_digits(value))


# A bank or credit card read out in Chinese numerals (银行卡号是六二二二零二一二…): 13-19 digits, at least one a
# Chinese numeral, checked like the written card. Input only (redaction.redactor INPUT_ONLY_PATTERNS): on a
# reply stream it would hold every numeral (一下, 三天), and the model never sees the customer's card.
_ZH_CARD = lead("1-9一二三四五六七八九幺", _ZD_ANY) + r"(?:[ ,，-]?[" + _ZD_ANY + r"]){12,18}(?![" + _ZD_ANY + "])"


def _zh_card_digits(value: str) -> str:
    return spoken_digits(value) if any(ch in _ZH_DIGIT for ch in value) else ""


def zh_bank_card(value: str) -> bool:
    from .numbers import is_bank_card
    digits = _zh_card_digits(value)
    return bool(digits) and is_bank_card(digits)


def zh_credit_card(value: str) -> bool:
    from .numbers import is_credit_card
    digits = _zh_card_digits(value)
    return bool(digits) and is_credit_card(digits)


ZH_CARDS = [PatternDetector(label, _ZH_CARD, None, _ZD + DIGITS + " -,，", validate=check, required=tuple(_ZD),
                            starts="123456789一二三四五六七八九幺")
            for label, check in (("BANK_CARD", zh_bank_card), ("CREDIT_CARD", zh_credit_card))]

_PH = DIGITS + _SEP
DETECTORS: list[PatternDetector] = [
    PatternDetector("PHONE", _INTL, None, _PH + "+", validate=international, required="+", starts="+"),
    PatternDetector("PHONE", _INTL_DIALLED, None, _PH, validate=international_dialled, required=DIGITS, starts="0"),
    PatternDetector("PHONE", _TW, None, _PH, validate=taiwan, required=DIGITS, starts="0("),
    PatternDetector("PHONE", _REGION_CODE, None, _PH, validate=region_code, required=("852", "853", "886"),
                    starts="8("),
    PatternDetector("PHONE", _CUED, None, _PH, validate=cued_phone, required=DIGITS, starts=DIGITS + "("),
    PatternDetector("PHONE", _CUED_LIST, None, DIGITS + "-", validate=cued_phone, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("PHONE", _ZH_MOBILE, None, _ZD + DIGITS + " -,，", validate=zh_mobile,
                    required=tuple(_ZD), starts="1幺一"),
    PatternDetector("CN_ID", _ZH_ID, None, _ZD + DIGITS + "Xx", validate=zh_id, required=tuple(_ZD),
                    starts="123456一二三四五六幺"),
]


# --- digits spoken in English (speech-to-text transcripts) -------------------------------------------
# `one three eight, one two three four, five six seven eight`, `oh two zero seven ...`, `double five`.
# Seven or more digit words in a row are a number being read out. Input only (redaction.redactor
# INPUT_ONLY_PATTERNS): the alphabet holds letters and the space, so on a reply stream it would hold every
# English tail, and the model never sees the customer's digits to say them back.
_EN_DIGIT = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
             "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_EN_FIRST = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
_EN_UNIT = r"(?:(?:double|triple) )?(?:" + _EN_FIRST + "|o)"
# A pause or a correction said between the digits (`nine one seven, uh, five five five`, `five five five,
# sorry, five six five`): part of the number being read out.
_EN_FILLERS = ("uh", "um", "uhm", "er", "erm", "ah", "hmm", "sorry")
# Not after `hundred`: `one eight hundred five five five ...` is a toll-free line (1-800), read out.
# One separator between units: a space or comma (with `dash`, `hyphen` or a pause said there), or `-`.
_EN_SEP = r"(?:,? (?:(?=[a-z])(?:dash |hyphen |(?:" + "|".join(_EN_FILLERS) + r"),? ))?|[,-])"
_EN_SPOKEN = (r"(?<![A-Za-z])(?<!hundred )(?<!Hundred )(?<!hundred, )(?<!Hundred, )(?i:(?:(?:double|triple) )?(?:" + _EN_FIRST + r")(?:" + _EN_SEP + _EN_UNIT
              + r"){6,15})(?![A-Za-z])")
_EN_REQUIRED = tuple(w for word in _EN_FIRST.split("|") for w in (word, word.title(), word.upper()))


# Speech-to-text mixes the two (`four two five 882 nine zero nine zero`, `425 eight eight two 9090`): digit
# words and groups of up to four digits, with three or more digit words and 7-15 digits in all.
# The lookahead asks for a digit word among the first 16 units before anything else is tried: a run of
# digit groups alone (`4111 4111 …`) then fails at once instead of matching 16 groups at every start for
# mixed_phone to refuse (every match it keeps holds three digit words, so none is lost).
_EN_MIXED_SEP = _EN_SEP
_EN_MIXED = (r"(?<![A-Za-z0-9])(?<!hundred )(?<!Hundred )(?<!hundred, )(?<!Hundred, )(?i:(?=(?>[0-9]{1,4}" + _EN_MIXED_SEP + r"){0,15}" + _EN_UNIT + r"(?![A-Za-z0-9]))"
             r"(?:(?:" + _EN_UNIT + r"|[0-9]{1,4})" + _EN_MIXED_SEP + r"){2,15}(?:" + _EN_UNIT + r"|[0-9]{1,4}))"
             r"(?![A-Za-z0-9])")


def mixed_phone(value: str) -> float:
    words = [w for w in re.split(r"[ ,-]+", value.lower()) if w]
    if sum(w in _EN_DIGIT for w in words) < 3 or all(w in _EN_DIGIT or w in ("double", "triple", *_EN_FILLERS)
                                                      for w in words):
        return 0.0  # all words: SPOKEN_PHONE's
    if re.fullmatch(r"(?:19|20)[0-9]{2}", words[0]):
        return 0.0  # in 2024 one two three people came: a year, then a count
    return spoken_phone(value)


def english_digits(value: str) -> str:
    """The digits of a number read out in English words (`double five` is 55)."""
    out: list[str] = []
    times = 1
    for word in re.split(r"[ ,-]+", value.lower()):
        if word in ("double", "triple"):
            times = 2 if word == "double" else 3
        elif word in _EN_DIGIT:
            out.append(_EN_DIGIT[word] * times)
            times = 1
        elif word.isdigit():
            out.append(word)
    return "".join(out)


def spoken_phone(value: str) -> float:
    digits = english_digits(value)
    return 0.85 if 7 <= len(digits) <= 15 and not _same_digit(digits) else 0.0


def spoken_card(value: str) -> float:
    digits = english_digits(value)
    return 0.9 if 13 <= len(digits) <= 19 and luhn_ok(digits) else 0.0


# --- digits read out one by one and typed so (speech-to-text: `2 0 6 5 5 5 0 1 4 3`) -------------------
# Eight or more single digits, each on its own between spaces (or ` - `, `, `): a number being read out,
# wherever it stands (the cue may be a turn earlier: `agent: your phone? customer: sure its 2 0 6 …`).
# Counting and sequences are not numbers (1 2 3 4 5 6 7, 0 0 0 0 0 0 0). Input only, like the digit words.
_SPACED = (lead("0-9", "0-9A-Za-z") + r"(?<![0-9][ ,-][0-9])(?<![0-9] - [0-9])(?:(?: - |, | |-)[0-9]){6,18}"
           + r"(?![0-9A-Za-z])(?! ?[,-]? ?[0-9])")


def _spaced_digits(value: str) -> str:
    digits = digits_of(value)
    if _same_digit(digits) or digits in "01234567890123456789" or digits in "98765432109876543210":
        return ""
    return digits


def spaced_phone(value: str) -> float:
    digits = _spaced_digits(value)
    return 0.85 if 8 <= len(digits) <= 15 else 0.0  # seven (3 1 0 2 4 1 0) may be scores; a cue takes them


def spaced_card(value: str) -> float:
    digits = _spaced_digits(value)
    return 0.9 if 13 <= len(digits) <= 19 and luhn_ok(digits) else 0.0


SPACED_CARD = PatternDetector("CREDIT_CARD", _SPACED, None, DIGITS + " ,-", validate=spaced_card, required=DIGITS,
                              starts=DIGITS)
SPACED_PHONE = PatternDetector("PHONE", _SPACED, None, DIGITS + " ,-", validate=spaced_phone, required=DIGITS,
                               starts=DIGITS)

_EN_ALPHABET = LETTERS + " ,-"
SPOKEN_CARD = PatternDetector("CREDIT_CARD", _EN_SPOKEN, None, _EN_ALPHABET, validate=spoken_card,
                              required=_EN_REQUIRED)
ZH_ID_SPACED = PatternDetector("CN_ID", _ZH_ID_SPACED, None, _ZD + DIGITS + "Xx ", validate=zh_id,
                               required=tuple(_ZD), starts="123456一二三四五六幺")
ZH_CUED_NUMERALS = PatternDetector("PHONE", _ZH_CUED_NUMERALS, None, _ZD + " ,，", validate=zh_cued_numerals,
                                   required=tuple(_ZD), starts=_ZD)
# The area code said apart from the number (`area code 415, 555-0199`, `555 0199 and area code 415`):
# both parts are the phone. Input only, like the other spoken forms.
_AREA = r"\(?[2-9][0-9]{2}\)?"
_LOCAL = r"[2-9][0-9]{2}[ .-]?[0-9]{4}"
_AREA_CODE_PHONE = (
    r"(?<![A-Za-z0-9])(?i:(?:area code (?:is )?" + _AREA + r"(?:,? (?:and )?(?:then )?(?:the (?:number|rest) is )?|, ?)"
    + _LOCAL + r")|(?:" + _LOCAL + r",? (?:and |with )?(?:the )?area code (?:is )?" + _AREA + r"))(?![0-9])"
)


def area_code_phone(value: str) -> float:
    digits = digits_of(value)
    return 0.85 if len(digits) == 10 and not _same_digit(digits) else 0.0


AREA_CODE_PHONE = PatternDetector("PHONE", _AREA_CODE_PHONE, None, LETTERS + DIGITS + " ,.-()",
                                  validate=area_code_phone, required=("area code", "Area code", "AREA CODE",
                                                                      "Area Code"))
ZH_ID_SPOKEN_X = PatternDetector("CN_ID", _ZH_ID_SPOKEN_X, None, _ZD + DIGITS + " " + "".join(_SPOKEN_X),
                                 validate=zh_id_spoken_x, required=_SPOKEN_X, starts="123456一二三四五六幺")
MIXED_PHONE = PatternDetector("PHONE", _EN_MIXED, None, _EN_ALPHABET + DIGITS, validate=mixed_phone,
                              required=DIGITS)  # a digit group is in every match: far rarer than a digit word
SPOKEN_PHONE = PatternDetector("PHONE", _EN_SPOKEN, None, _EN_ALPHABET, validate=spoken_phone,
                               required=_EN_REQUIRED)

# Run on input only, never on a reply stream (redaction.redactor INPUT_ONLY_PATTERNS), in this order of
# priority after DETECTORS: each would hold back digits, numerals or words of every reply.
# A national number with its trunk 0, grouped as the UK, Ireland, Australia and New Zealand
# write them (`07700 900461`, `0131 496 0728`, `0431 902 117`, `021 555 0199`): ten or eleven digits, a
# valid personal number of one of those countries (South Africa's 0XX XXX XXXX is left: too many codes
# and references have its shape) (libphonenumber). Input only: a grouped digit run is
# held on a reply stream by the other phone rules already, and the model never sees the customer's number.
_TRUNK = lead("0", "0-9A-Za-z+") + r"[1-9][0-9]{1,4}(?:[ -][0-9]{2,6}){1,3}" + NUM_END
_TRUNK_REGIONS = ("GB", "AU", "IE", "NZ")


def trunk_national(value: str) -> float:
    digits = digits_of(value)
    if not 10 <= len(digits) <= 11 or _same_digit(digits[1:]):
        return 0.0
    if any(_number_ok(value, region) == 1.0 for region in _TRUNK_REGIONS):
        return 1.0
    # A UK number of the shape Ofcom keeps for drama and examples (07700 900461, 0117 496 0123): possible, not
    # allocated, and what any made-up or redacted sample uses.
    return 0.8 if len(digits) == 11 and digits.startswith(_DRAMA) and _number_ok(value, "GB") else 0.0


# Ofcom's numbers for drama: mobiles 07700 900xxx, London 020 7946 0xxx, 01632 960xxx, and 496 0xxx in the
# large cities' codes (0113, 0114, 0115, 0116, 0117, 0118, 0121, 0131, 0141, 0151, 0161, 0191).
_DRAMA = ("07700900", "0207946", "01632960", *(f"01{c}4960" for c in ("13", "14", "15", "16", "17", "18", "21", "31",
                                                                    "41", "51", "61", "91")))


TRUNK_PHONE = PatternDetector("PHONE", _TRUNK, None, DIGITS + " -", validate=trunk_national, required=DIGITS, starts="0")
INPUT_ONLY: list[PatternDetector] = [TRUNK_PHONE, SPOKEN_CARD, SPOKEN_PHONE, ZH_CUED_NUMERALS, SPACED_CARD, SPACED_PHONE,
                                     *ZH_CARDS, MIXED_PHONE, ZH_ID_SPACED, ZH_ID_SPOKEN_X, AREA_CODE_PHONE]
