"""References written after the word that names them, in the many ways staff and customers name them: a
booking, claim, complaint, repair, refund or service-request reference, a waybill, an invoice or a policy
number (`booking confirmation 84220193`, `Claim reference CLM/SG/24/019384`, `SR# 4-883920114`, `PNR 是
R8M2VQ`, `工单号BD-SH-0091827`, `訂位參考編號 6ZQ8KD`, `報障編號 HB 0062817735`, `票号781-2146 853927`); a
letter-prefixed reference of the same shape in the same message (`第一次工单号HR23120400871，第二次
HR24021500326`); and a UPU S10 postal item number anywhere (`EA123456785CN`, `RR384710291TW`: two
letters, eight digits and a check digit, a country code).

The cue words are many more than the rules' order cues (codes.py), whose cue must fit in the stream's
20-character lookbehind and whose every alternative costs each reply token; here, on the input side, a cue
is a regular expression of nouns and the words that qualify them. The value after the cue must look like a
code: four digits or more after a qualified cue (`no.`, `number`, `#`, `ID`, `reference`, 号, 编号), six
after a bare noun (`order 2291` may be a count, `refund 1280` an amount), or a booking code of five to eight
capitals and digits mixed; never a date, a year range, a time, an amount or a quantity.

Input side only (a recognizer, called from CuedValues): the model never sees a customer's reference to say
it back. Text is normalised (full-width forms ASCII, traditional characters simplified).
"""

from __future__ import annotations

import re

# Nouns that name a customer's reference, and the words that qualify them (matched on the
# text in any case).
_EN_NOUN = (r"order|booking|reservation|confirmation|reference|ref|case|ticket|e-?ticket|claim|complaint|referral|"
            r"rma|invoice|waybill|consignment(?: note)?|tracking|shipment|parcel|service request|sr|work order|pnr|"
            r"awb|record locator|acct|a/c")
# ... and nouns that name a reference only with a qualifier (`policy number`, not `policy 2024`; `customer
# no.`, not `customer 13812345678`, which is a phone).
_EN_NOUN_QUALIFIED = (r"refund|return|policy|membership|member|incident|job|appointment|application|fault|repair|"
                      r"loyalty|frequent flyer|customer|account|voucher|visit|student|patient|employee|baggage tag|"
                      r"tag|licen[cs]e|permit|contract|loan|subscriber|meter|mpan|mprn|ff")
_EN_QUALIFIER = r"no\.?|number|num|nr|#|id|ref\.?|reference|code|confirmation|locator"
# (Looked for on a lower-cased copy: a case-blind alternation is several times slower. A look-ahead for the
# nouns' first letters lets the engine pass over the other positions at once.)
_EN_CUE = re.compile(r"(?=[abcefijlmoprstvw])(?<![a-z0-9])(?:(?:" + _EN_NOUN + r")((?:[ -]?(?:" + _EN_QUALIFIER
                     + r"))*)|(?:" + _EN_NOUN_QUALIFIED + r")((?:[ -]?(?:" + _EN_QUALIFIER + r"))*))(?![a-z])")
# Chinese: a noun, then the word for number (号, 编号, 号码, 代号, 码); normalised text is simplified.
_ZH_CUE = re.compile(r"(?:订单|订位|订座记录|订座|预订|预约|确认|参考|赔案|理赔|报案|案件|索偿|保单|工单|服务单|维修单|报修单|"
                     r"售后单|退款单|退货单|发票|机票|票|运单|快递单|物流单|邮件|报障|投诉|申请|受理|流水|会员|合同|合约|单|"
                     r"跟踪|追踪|参考编|就诊卡|会员卡|医保卡|社保卡|健保卡|病历|住院|学|客户|用户|户|贷款|借据|行李牌)"
                     r"(?:代号|编号|号码|号|码)")
_ACCOUNT_FIELD = re.compile(r"(?<![a-z])account(?=[ \t]*:[ \t]*[0-9]{6})")
# ... or a noun right before a long code with no word for number (`您的包裹75438120964512`).
_ZH_BARE = re.compile(r"(?:包裹|快递|快件|运单|邮件|挂号信|订单|工单|保单)")
# A customer's user name or account login after its cue (`account mkowalczyk_77`, `账号zhao_mx2021`, `user
# liu.hao`): a word with a digit, an underscore or a dot inside, not an e-mail address.
_USER_CUE = re.compile(r"(?=[aluin账帐用昵])(?<![a-z0-9])(?:user ?name|user id|userid|user|login|account|username|"
                       r"id)(?![a-z])|账号|帐号|用户名|用户id|登录名")
_USER = re.compile(r"[A-Za-z][A-Za-z0-9._-]{1,30}[A-Za-z0-9](?![A-Za-z0-9@._-])")
# Between the cue and the value: linking words and punctuation.
_BRIDGE = re.compile(r"(?:[ \t]*(?:[#:=\-(（【\[]|is|was|are|'s|’s|of|号|是|为|系|係|:)[ \t]*|[ \t]+)*", re.I)
# The value: a code of letters, digits and inner dashes, slashes or dots; then digit groups after spaces
# (`HB 0062817735`, `SF 1329 4087 6621`, `781-2146 853927`).
_HEAD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])){0,29}(?![A-Za-z0-9])")
_GROUPS = re.compile(r"(?: [0-9]{1,14}){1,6}(?![A-Za-z0-9])")
_DATE = re.compile(r"(?:19|20)[0-9]{2}(?:[-/.][0-9]{1,2}){1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}|"
                   r"(?:19|20)[0-9]{2}[-/](?:19|20)?[0-9]{2}|[0-9]{1,2}[:.][0-9]{2}")
# What after the value says it was an amount or a quantity.
_UNIT_AFTER = re.compile(r"[ \t]*(?:[元块%¥$€£]|(?i:yuan|rmb|hkd|usd|gbp|aud|sgd|dollars?|pounds?|euros?|items?|"
                         r"pcs|pieces|units|days?|hours?|hrs?|minutes?|mins?|kg|km|miles?|points?|people|guests?|"
                         r"nights?)(?![A-Za-z]))")
_CURRENCY_BEFORE = ("$", "¥", "£", "€", "rmb", "hkd", "usd")
_PNR = re.compile(r"[A-Z0-9]{5,10}")
# A marketplace order number of three, seven and seven digits (Amazon's `112-4470933-8827615`): no phone,
# card or ID has that shape, so it needs no cue.
_MARKETPLACE = re.compile(r"(?<![0-9A-Za-z-])[0-9]{3}-[0-9]{7}-[0-9]{7}(?![0-9A-Za-z-])")
# A postal item (UPU S10): service letters, serial, check digit, ISO country.
_S10 = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]([0-9]{8})([0-9])[A-Z]{2}(?![A-Za-z0-9])")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# A carrier's waybill number, whatever is written around it (`客服：SF3092785510463 这个包裹…`): 顺丰's SF, 京东's
# JD, 极兔's JT and 圆通's YT with 12 to 15 digits, and a UPS 1Z number.
_WAYBILL = re.compile(r"(?<![A-Za-z0-9])(?:(?:SF|JD|JT|YT)[0-9]{12,15}|1Z[0-9A-Z]{16})(?![A-Za-z0-9])")
# A reference with a letter prefix: its siblings of the same shape are references too.
_PREFIXED = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,4})([0-9]{6,20})(?![A-Za-z0-9])")
_LOOK = 12  # how far past a cue the value may start
_ANY_DIGIT = re.compile("[0-9]")
_ANY_HAN = re.compile("[\u4e00-\u9fff]")
_LATIN_WORDS = re.compile("[a-z]+")
# The first word of every English cue (a message holding none is not searched for one).
_EN_FIRST_WORDS = frozenset(w.split()[0].split("-")[-1] for w in (_EN_NOUN + "|" + _EN_NOUN_QUALIFIED)
                            .replace("(?: note)?", "").replace("e-?ticket", "ticket").replace("licen[cs]e", "licence|license")
                            .split("|")) | {"e"}
_USER_WORDS = frozenset(("user", "username", "userid", "login", "account", "id"))
_QUALIFIED_ONLY = re.compile(r"(?:" + _EN_NOUN_QUALIFIED + r")(?![a-z])")
# A question naming the code, and the code alone on the next line (after a speaker's label and a filler).
_NEXT_LINE_CODE = re.compile(r"[^\n]{0,40}?\n[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?(?:\[?[A-Za-z\u4e00-\u9fff][A-Za-z0-9"
                             r"\u4e00-\u9fff .\]]{0,24}[:：][^\S\n]*)?(?i:(?:it's|its|it is|yes|yeah|sure|ok|是|嗯|就是)[,， ]*)?"
                             r"([A-Z0-9](?:[A-Z0-9]|[-/](?=[A-Z0-9])){4,29})[^\S\n]*[.。!！]?[^\S\n]*(?:\n|$)")


def s10_ok(serial: str, check: str) -> bool:
    """A UPU S10 item number's check digit over its eight serial digits."""
    rest = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS)) % 11
    return int(check) == {10: 0, 11: 5}.get(rest, rest)


_SEPARATORS = frozenset("-/.")


def _code_like(value: str, strength: int) -> bool:
    """A code, not a date, a year or a count: with a qualified cue (`number`, 编号, strength 2) four digits
    or more; after a bare noun (`order`, 包裹, 1) six, or five among letters; after a noun that names a code
    only with a qualifier (`policy`, `account`, 0) letters and five digits or more (`policy HOM-55820173`,
    not `policy 2024`). A booking code of five to ten capitals and digits after any but the last."""
    compact = value.replace(" ", "")
    digits = sum(map(str.isdigit, compact))
    letters = sum(map(str.isalpha, compact))
    if not letters and (len(set(compact) - _SEPARATORS) == 1 or (not compact.isdigit() and _DATE.fullmatch(value))):
        return False  # one digit over and over; a date
    if strength and letters >= 2 and digits >= (1 if len(compact) <= 8 else 2) \
            and _PNR.fullmatch(compact.replace("-", "")) and compact.isupper():
        return True  # a booking code (R8M2VQ, 55WQ8P, HMQ4T8ZX2B, 5J-QRM8TZ)
    if compact.isdigit() and len(compact) == 4 and compact[:2] in ("19", "20"):
        return False  # a year
    if strength == 2:
        return digits >= 4 and len(compact) >= 5
    if strength == 1:
        return digits >= 6 or (digits >= 5 and letters > 0)
    return digits >= 5 and letters > 0


def written_references(text: str) -> list[tuple[int, int, str, float]]:
    """ORDER_ID spans of references after their cue, their same-shaped siblings and S10 postal items."""
    out: list[tuple[int, int, str, float]] = []
    if _ANY_DIGIT.search(text) is None:
        return out
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer (İ): offsets would move
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    words = set(_LATIN_WORDS.findall(low))
    cues: list[tuple[int, int, int]] = [(m.start(), m.end(), 2 if m.group(1) or m.group(2) else (
        0 if _QUALIFIED_ONLY.match(low, m.start()) else 1))
        for m in (_EN_CUE.finditer(low) if not words.isdisjoint(_EN_FIRST_WORDS) or "a/c" in low else ())]
    # An account's number after `Account:` (a bank statement's or a signature's line, `Account: 41837265`).
    cues += [(m.start(), m.end(), 2) for m in (_ACCOUNT_FIELD.finditer(low) if "account" in words else ())]
    if _ANY_HAN.search(text):
        cues += [(m.start(), m.end(), 2) for m in _ZH_CUE.finditer(text)]
        cues += [(m.start(), m.end(), 1) for m in _ZH_BARE.finditer(text)]
    taken = 0  # a cue inside a reference found (the RMA of RMA-5520931) is no cue
    for start, end, strength in sorted(cues):
        if start < taken:
            continue
        at = _BRIDGE.match(text, end).end()
        if at - end > _LOOK:
            continue
        m = _HEAD.match(text, at)
        if m is None:
            if strength:
                m = _NEXT_LINE_CODE.match(text, at)  # Agent: order number please? / Customer: SH2024...
                if m is not None and _code_like(m.group(1), 2):
                    out.append((m.start(1), m.end(1), "ORDER_ID", 0.8))
                    taken = m.end(1)
            continue
        stop = m.end()
        head = m.group()
        if head[-1].isdigit() or (head.isalpha() and head.isupper() and len(head) <= 3):
            groups = _GROUPS.match(text, stop)  # HB 0062817735, SF 1329 4087 6621, 781-2146 853927
            if groups is not None:
                stop = groups.end()
        value = text[at:stop]
        before = text[max(0, at - 4):at].lower()
        if before.endswith(_CURRENCY_BEFORE) or _UNIT_AFTER.match(text, stop):
            continue
        if at == end and strength < 2 and not (value.isdigit() and len(value) >= 10) and not text[at].isupper():
            continue  # 包裹 glued to a short number: a count
        if _code_like(value, strength):
            out.append((at, stop, "ORDER_ID", 0.8))
            taken = stop
    if not words.isdisjoint(_USER_WORDS) or "账号" in text or "帐号" in text or "用户" in text or "登录名" in text:
        out.extend(_user_names(text, low, out))
    for m in _S10.finditer(text):
        if s10_ok(m.group(1), m.group(2)):
            out.append((m.start(), m.end(), "ORDER_ID", 0.85))
    for m in _MARKETPLACE.finditer(text) if "-" in text else ():
        out.append((m.start(), m.end(), "ORDER_ID", 0.85))
    for m in _WAYBILL.finditer(text):
        if not m.group().startswith("1Z") or sum(ch.isdigit() for ch in m.group()) >= 8:
            out.append((m.start(), m.end(), "ORDER_ID", 0.85))
    return out + _siblings(text, out)


def _user_names(text: str, low: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """A user name or login after its cue: letters with a digit, an underscore or a dot among them."""
    out: list[tuple[int, int, str, float]] = []
    for cue in _USER_CUE.finditer(low):
        at = _BRIDGE.match(text, cue.end()).end()
        m = _USER.match(text, at)
        if m is None or at - cue.end() > _LOOK or any(a <= m.start() < b for a, b, _, _ in found):
            continue
        value = m.group()
        if (any(ch.isdigit() for ch in value) or "_" in value or "." in value) and value.count(".") <= 1 \
                and not value.lower().startswith(("www", "http")) and not value.lower().endswith(_HOSTS) \
                and not re.fullmatch(r"[vV]?[0-9][0-9.]*|[A-Za-z]+[0-9]?\.[0-9.]+", value):
            out.append((m.start(), m.end(), "ORDER_ID", 0.75))
    return out


_HOSTS = (".com", ".net", ".org", ".cn", ".io", ".co", ".uk", ".hk", ".tw", ".exe", ".pdf", ".jpg", ".png", ".zip")


def _siblings(text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """Letter-prefixed codes of the same prefix and length as a reference found."""
    shapes = set()
    for a, b, _, _ in found:
        m = _PREFIXED.fullmatch(text, a, b)
        if m is not None:
            shapes.add((m.group(1), len(m.group(2))))
    if not shapes:
        return []
    taken = {(a, b) for a, b, _, _ in found}
    return [(m.start(), m.end(), "ORDER_ID", 0.75) for m in _PREFIXED.finditer(text)
            if (m.group(1), len(m.group(2))) in shapes and m.span() not in taken]
