"""Codes read out after their cue word, as a call transcript writes them (redaction.ner.spoken; issue 12).

Every row is written for this file (no text from the public corpora or from anyone's probe sets). The
values are made up and pass their kind's check (ID check digits, Luhn, NINO letters).
"""

from __future__ import annotations

import pytest

from redaction import find_spans, redact, redact_output
from redaction.ner.spoken import SpokenCodes


def found(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start:s.end]) for s in find_spans(text)]


SPOKEN = [
    # on the cue's own line: letters, numerals and digit groups with pauses between them
    ("身份證號碼係 A一二三四五六 括號三", [("CN_ID", "A一二三四五六 括號三")]),
    ("护照号码 E 六八五 二九幺 零三", [("PASSPORT", "E 六八五 二九幺 零三")]),
    ("Caller: um the passport number is C zero three zero zero five nine eight eight",
     [("PASSPORT", "C zero three zero zero five nine eight eight")]),
    ("agent whats your order number caller uh i think its double four seven nine oh two",
     [("ORDER_ID", "double four seven nine oh two")]),
    # on the caller's next line, after the agent's question
    ("客服：车牌号是多少？\n客户：苏E，七K三M八。", [("LICENSE_PLATE", "苏E，七K三M八")]),
    ("客服：身份证号码？\n客户：一一零一零五，一九四九，一二三一，零零二X", [("CN_ID", "一一零一零五，一九四九，一二三一，零零二X")]),
    ("Agent: and your national insurance number\nCaller: A B one two three four five six C",
     [("UK_NINO", "A B one two three four five six C")]),
    # over several lines, the other speaker acknowledging between them; a read-back after is not part
    ("客服：请说一下您的手机号码。\n客户：一三九\n客服：嗯\n客户：一二三四\n客服：还有呢？\n客户：五六七八\n"
     "客服：13912345678，对吗？",
     [("PHONE", "一三九"), ("PHONE", "一二三四"), ("PHONE", "五六七八"), ("PHONE", "13912345678")]),
    ("Caller: the phone number is six one three\nAgent: mhm\nCaller: five five five oh one four seven",
     [("PHONE", "six one three"), ("PHONE", "five five five oh one four seven")]),
    ("Agent: the card number please\nCaller: four one one one\nAgent: mhm\nCaller: one one one one\n"
     "Caller: one one one one\nCaller: one one one one",
     [("CREDIT_CARD", "four one one one"), ("CREDIT_CARD", "one one one one"), ("CREDIT_CARD", "one one one one"),
      ("CREDIT_CARD", "one one one one")]),
    ("客服：订单号请讲。\n客户：2024\n客服：嗯\n客户：0316\n客服：嗯\n客户：7788 51",
     [("ORDER_ID", "2024"), ("ORDER_ID", "0316"), ("ORDER_ID", "7788 51")]),
    # plates read out (CN, UK, US shapes), an SSN and a National Insurance number said in pieces
    ("客户：车牌号码，苏E，七，K，三，M，八", [("LICENSE_PLATE", "苏E，七，K，三，M，八")]),
    ("客服：您的车牌号码是多少？\n客户：京N 7 2 Q 8 5，蓝牌", [("LICENSE_PLATE", "京N 7 2 Q 8 5")]),
    ("Agent: and the vehicle registration?\nCaller: it's A B one two C D E", [("LICENSE_PLATE", "A B one two C D E")]),
    ("Agent: plate number?\nCaller: seven ABC one two three", [("LICENSE_PLATE", "seven ABC one two three")]),
    ("Agent: and your social security number\nCaller: one two three, four five, six seven eight nine",
     [("US_SSN", "one two three, four five, six seven eight nine")]),
    ("Caller: my N I number is A B one two three four five six C", [("UK_NINO", "A B one two three four five six C")]),
    # an HK ID's check digit said after a space or `bracket`
    ("職員：請問你身份證號碼\n客戶：A 一二三 四五六 三", [("CN_ID", "A 一二三 四五六 三")]),
    ("Agent: may I have your HKID number please\nCaller: A one two three four five six, bracket three",
     [("CN_ID", "A one two three four five six, bracket three")]),
    # a code said again (read back) in another form is the same code
    ("客服：请问是哪个订单\n客户：订单号 二八幺四 五五九零 三七二幺\n客服：好的 二八一四五五九零三七二一 对吧",
     [("ORDER_ID", "二八幺四 五五九零 三七二幺"), ("ORDER_ID", "二八一四五五九零三七二一")]),
    ("Agent: do you have your claim number handy\nCaller: yeah uh C L M dash zero zero four eight two one three\n"
     "Agent: CLM-0048213 thank you",
     [("ORDER_ID", "C L M dash zero zero four eight two one three"), ("ORDER_ID", "CLM-0048213")]),
    # an e-mail address read out, in Chinese or English words
    ("客户：就是 wenjing 点 zhou 艾特 qq 点 com", [("EMAIL", "wenjing 点 zhou 艾特 qq 点 com")]),
    ("客户：ma 下划线 lin 杠 sh 艾特 sina 点 cn", [("EMAIL", "ma 下划线 lin 杠 sh 艾特 sina 点 cn")]),
    ("客户：haoran 两零两一 爱特 126 到特 com", [("EMAIL", "haoran 两零两一 爱特 126 到特 com")]),
    ("Caller: it's grace underscore obi ninety one at yahoo dot com",
     [("EMAIL", "grace underscore obi ninety one at yahoo dot com")]),
    ("Caller: dan dot wexler at b t internet dot com", [("EMAIL", "dan dot wexler at b t internet dot com")]),
    ("meet me at the station at five", []),
    ("we are at google dot com now", []),
    # a road's section before the door number
    ("寄到人民路二段33号", [("ADDRESS", "人民路二段33号")]),
    # tens said as a word; speakers numbered or time-stamped; a plate after 车辆; a phone after `reach you`
    ("Speaker 1: so I need the whole social again sorry\nSpeaker 2: six three one\nSpeaker 2: fifty two\n"
     "Speaker 2: four four seven nine",
     [("US_SSN", "six three one"), ("US_SSN", "fifty two"), ("US_SSN", "four four seven nine")]),
    ("[00:01:12] Agent: and your phone number\n[00:01:15] Caller: oh seven seven double oh nine\n"
     "[00:01:18] Agent: yep\n[00:01:20] Caller: eight three one four two one",
     [("PHONE", "oh seven seven double oh nine"), ("PHONE", "eight three one four two one")]),
    ("客户：理赔 出险车辆是 苏E 五Q 七八二", [("LICENSE_PLATE", "苏E 五Q 七八二")]),
    ("Agent: what number can we reach you on\nCaller: three one two, eight four seven\nAgent: uh huh\n"
     "Caller: two two nine one",
     [("PHONE", "three one two, eight four seven"), ("PHONE", "two two nine one")]),
    ("social media is fun, I have 2 accounts", []),
    # a JSON field named for an order or a waybill
    ('{"trackingNumber": "JT5012345678901", "status": "in transit"}', [("ORDER_ID", "JT5012345678901")]),
    ('{"waybill_no":"78812340001"}', [("ORDER_ID", "78812340001")]),
    ('{"order": "pending", "case": "2024"}', []),
    # a letter made clear by a word; an HK ID's check digit `in brackets`; a return authorisation; a booking code
    ("Agent: and your national insurance number please\nCaller: W for whisky R six two nine oh four eight A",
     [("UK_NINO", "W for whisky R six two nine oh four eight A")]),
    ("Caller: the HKID is A one two three four five six in brackets three",
     [("CN_ID", "A one two three four five six in brackets three")]),
    ("Rep: I've created a return authorization R M A five five eight two one please write that on the box",
     [("ORDER_ID", "R M A five five eight two one")]),
    ("Rep: and the booking reference\nCustomer: H K seven Q two M", [("ORDER_ID", "H K seven Q two M")]),
    # hard negatives: no code after the cue, a code that fails its check, a hotline, a written code
    ("I have two phones and one case", []),
    ("客服：请问您的手机号码？\n客户：稍等我找一下", []),
    ("Agent: what's your account number?\nCaller: I don't have it, sorry", []),
    ("客服：身份证号码？\n客户：一一零一零五，一九四九，一三三一，零零二一", []),  # month 13: no ID
    ("电话是四零零六一零一一零一", []),  # a 400 hotline
    ("Your reference number is 3377L9IJ .", [("ORDER_ID", "3377L9IJ")]),  # written whole: the reference rule's
    ("客服：车牌号是多少？\n客户：苏E，不记得了", []),
    ("I got a plate of pasta for two", []),
    ("客户：订单号 ORD-88213347 取消了\n客服：好的，我们 88213347 元的退款已经处理", [("ORDER_ID", "ORD-88213347")]),  # a part
    ("we need your registration to be complete by one two three four", []),  # no letter: no plate
    # a reference of any kind, linked by 's; read back whole by the agent
    ("Customer: hi, booking ref's K L four, P as in papa, seven, Q\nAgent: KL4P7Q, two adults, Friday?",
     [("ORDER_ID", "K L four, P as in papa, seven, Q"), ("ORDER_ID", "KL4P7Q")]),
    ("Caller: it's about the dog, reference is D O G five five one two eight\nAgent: DOG55128, thanks",
     [("ORDER_ID", "D O G five five one two eight"), ("ORDER_ID", "DOG55128")]),
    ("Agent: I've logged it as incident I N C zero zero seven one three two nine", [
        ("ORDER_ID", "I N C zero zero seven one three two nine")]),
    ("客服：订座记录编号请说一下\n旅客：是 M Q 五 R 二 T", [("ORDER_ID", "M Q 五 R 二 T")]),
    # an IPv4 address read out, a letter said as its NATO word
    ("B: um it's like eighty six dot four one dot two oh three dot seventeen", [
        ("IP", "eighty six dot four one dot two oh three dot seventeen")]),
    ("Agent: what's the IP it shows\nCaller: eighty one point two point sixty nine point one forty two", [
        ("IP", "eighty one point two point sixty nine point one forty two")]),
    ("version two point one point three point four is out", []),
    ("underneath, hardware ten point two point oh point four", []),
    ("rep: yep, what's the plate\ncustomer: kilo juliet november four seven three", [
        ("LICENSE_PLATE", "kilo juliet november four seven three")]),
    # a UK postcode read out after its cue (a ZIP code alone is left: it names an area)
    ("Agent: can I confirm your postcode\nCaller: L S six, one A B", [("ADDRESS", "L S six, one A B")]),
    ("Agent: and the zip code\nCaller: nine oh two one oh", []),
    ("Agent: and the postcode?\nCaller: C F fourteen, one A G", [("ADDRESS", "C F fourteen, one A G")]),  # a teen
    ("Agent: and the Eircode?\nCaller: D zero nine, X two C four", [("ADDRESS", "D zero nine, X two C four")]),
    # passports with a letter after the digits, or letters and digits mixed; an Indian plate
    ("Caller: passport P six six one oh four two nine C", [("PASSPORT", "P six six one oh four two nine C")]),
    ("客户：护照号码 C 幺 H 三 K 七 L 九 N", [("PASSPORT", "C 幺 H 三 K 七 L 九 N")]),
    ("Agent: registration number please\nCustomer: K A zero three, M N, five five two one",
     [("LICENSE_PLATE", "K A zero three, M N, five five two one")]),
    # a plate read with a tens word, then written: the read-back is the same plate
    ("Agent: what's the registration?\nCaller: S F sixty eight, W N P\nAgent: SF68 WNP, a grey Polo",
     [("LICENSE_PLATE", "S F sixty eight, W N P"), ("LICENSE_PLATE", "SF68 WNP")]),
    # read back in words, a letter by its name, a tens word joined by a hyphen, a vehicle number
    ("Rep: vehicle registration\nCustomer: Y R six eight W K T\nRep: Y R six eight W K T, a blue Corsa",
     [("LICENSE_PLATE", "Y R six eight W K T"), ("LICENSE_PLATE", "Y R six eight W K T")]),
    ("A: and your national insurance number\nB: N P seven one six two oh four bee\nA: N P seven one six two zero four B lovely",
     [("UK_NINO", "N P seven one six two oh four bee"), ("UK_NINO", "N P seven one six two zero four B")]),
    ("Adviser: and your National Insurance number\nCaller: S H fifty, nineteen, eighty-four, A\nAdviser: SH 50 19 84 A.",
     [("UK_NINO", "S H fifty, nineteen, eighty-four, A"), ("UK_NINO", "SH 50 19 84 A")]),
    ("Agent: registration?\nCaller: echo romeo six eight, whiskey kilo tango\nAgent: ER68 WKT thanks",
     [("LICENSE_PLATE", "echo romeo six eight, whiskey kilo tango"), ("LICENSE_PLATE", "ER68 WKT")]),
    ("Agent: vehicle number?\nCaller: M H twelve, K L, four four eight one\nAgent: MH 12 KL 4481, ok",
     [("LICENSE_PLATE", "M H twelve, K L, four four eight one"), ("LICENSE_PLATE", "MH 12 KL 4481")]),
    # letters said one at a time before the digits; a courier's name before the answer; a count (四位) in
    # the question is no digit; a code read over lines is read back whole
    ("客户 我的工单号是 G D 二零二四零五幺七零三九二 你们到底管不管", [("ORDER_ID", "G D 二零二四零五幺七零三九二")]),
    ("客服：请问您的快递单号是多少\n客户：中通的，七五三幺二八四六零九幺七三",
     [("ORDER_ID", "七五三幺二八四六零九幺七三")]),
    ("客服：请您报一下卡号，四位四位报就可以\n客户：六二二七\n客服：嗯\n客户：零零八幺\n客服：嗯\n客户：零一五八\n"
     "客服：嗯\n客户：九七九七\n客服：嗯\n客户：二九零",
     [("BANK_CARD", "六二二七"), ("BANK_CARD", "零零八幺"), ("BANK_CARD", "零一五八"), ("BANK_CARD", "九七九七"),
      ("BANK_CARD", "二九零")]),
    ("客服：订单号请讲。\n客户：2024\n客服：嗯\n客户：0316\n客服：嗯\n客户：7788 51\n客服：202403167788 51，好的。",
     [("ORDER_ID", "2024"), ("ORDER_ID", "0316"), ("ORDER_ID", "7788 51"), ("ORDER_ID", "202403167788 51")]),
    ("Agent: order number?\nCaller: 2024-05-01 is when I ordered", []),
    # an account number has no card's check digit; digits heard as words (for, to); a pause said (hold on);
    # a code read over lines and read back whole
    ("客户：开户行是工行北京朝阳支行，账号是0200 0015 0920 0123 456\n坐席：0200001509200123456，户名",
     [("BANK_CARD", "0200 0015 0920 0123 456"), ("BANK_CARD", "0200001509200123456")]),
    ("客服：請問要匯款到哪個帳戶？\n客戶：台新銀行，帳號二零八八 零幺 零零四五六七八 二", [("BANK_CARD", "二零八八 零幺 零零四五六七八 二")]),
    ("caller the card number is for seven eight six five seven nine seven five for three to three one double nine",
     [("CREDIT_CARD", "for seven eight six five seven nine seven five for three to three one double nine")]),
    ("my account number is for my wife", []),
    # a caller correcting the number mid-way: the code is read as corrected, and every piece said is masked
    ("客户：卡号是六二一三 九六二四 五九五七 幺幺六，不对不对，是幺幺七幺\n坐席：6213 9624 5957 1171对吧",
     [("BANK_CARD", "六二一三 九六二四 五九五七 幺幺六，不对不对，是幺幺七幺"), ("BANK_CARD", "6213 9624 5957 1171")]),
    ("Caller: My NI number is A B one two, no sorry, A B one three, four five, six seven, C",
     [("UK_NINO", "A B one two, no sorry, A B one three, four five, six seven, C")]),
    ("Caller: it's an Amex, three seven six six, sorry, three seven six six one seven, six oh three one three, "
     "seven two one four", [("CREDIT_CARD", "three seven six six, sorry, three seven six six one seven, six oh three "
                                            "one three, seven two one four")]),
    ("I need a visa for two weeks", []),
    # plates by their shape, cue or none: a province and a letter, then the pieces; a UK plate a letter at a
    # time; an Irish plate; a code read back in words over a rule's reading of its digits
    ("客户：我的车是浙A 幺八D二九 对方是浙B 七 F 三 一 五\n坐席：双方都没有人员受伤吧",
     [("LICENSE_PLATE", "浙A 幺八D二九"), ("LICENSE_PLATE", "浙B 七 F 三 一 五")]),
    ("我们在京A区域", []),
    # a correction with words after it; a letter by its name first; an answer after `I've got it here`, read over
    # lines and read back whole as the NHS number, not a phone
    ("Advisor: can you read me your NI number off the letter\nCaller: C W six three- sorry I always get this wrong, "
     "C W six three two, two nine one, B", [("UK_NINO", "C W six three- sorry I always get this wrong, C W six three "
                                                        "two, two nine one, B")]),
    ("Advisor: your national insurance number please\nCaller: it's zed C double oh four five six two D",
     [("UK_NINO", "zed C double oh four five six two D")]),
    ("Agent: and what's the NHS number please\nCaller: I've got it here, one eight six\nCaller: oh nine one\n"
     "Caller: three nine oh three\nAgent: one eight six oh nine one three nine oh three", [
         ("UK_NHS", "one eight six"), ("UK_NHS", "oh nine one"), ("UK_NHS", "three nine oh three"),
         ("UK_NHS", "one eight six oh nine one three nine oh three")]),
    ("Caller: it was A B twelve, C D E, I think", [("LICENSE_PLATE", "A B twelve, C D E")]),
    ("Agent: and what's the registration of the vehicle\nCaller: one six one, D, one two three four five",
     [("LICENSE_PLATE", "one six one, D, one two three four five")]),
    ("Agent: may I have the passport number of the traveller\nCaller: E four four one seven eight two three K\n"
     "Agent: E four four one seven eight two three K, and the expiry",
     [("PASSPORT", "E four four one seven eight two three K"), ("PASSPORT", "E four four one seven eight two three K")]),
    # a dash said (杠) in a Taiwan plate and its read-back; X said in Chinese; an e-mail read out that ends at
    # its suffix before the sentence goes on, and one whose 艾特 touches the letters
    ("客服：您好，請問您的車牌號碼？\n客戶：B L M 杠 七三零二\n客服：BLM-7302，好的",
     [("LICENSE_PLATE", "B L M 杠 七三零二"), ("LICENSE_PLATE", "BLM-7302")]),
    ("客服：您好，请问您的车牌号码\n客户：苏E五L幺艾克斯九", [("LICENSE_PLATE", "苏E五L幺艾克斯九")]),
    ("客服：发票发到哪个邮箱？\n客户：就是 liuxiaomin88 艾特 一六三 点 com，一个单词连起来的。",
     [("EMAIL", "liuxiaomin88 艾特 一六三 点 com")]),
    ("客服：請問你嘅電郵地址係？\n客戶：wingkei點tse艾特yahoo點com點hk", [("EMAIL", "wingkei點tse艾特yahoo點com點hk")]),
    # speech-to-text's homophones for .com and gmail; letters said one at a time count as one word
    ("客户：邮箱是 liyuting 六六 at G妹儿 点 com", [("EMAIL", "liyuting 六六 at G妹儿 点 com")]),
    ("客户：L I U 杠 H A O 一九八八 艾特 一二六 点康姆", [("EMAIL", "L I U 杠 H A O 一九八八 艾特 一二六 点康姆")]),
    ("Caller: it's K dot S H A R M A at outlook dot com", [("EMAIL", "K dot S H A R M A at outlook dot com")]),
    ("Agent: Can I get the ticket number\nPassenger: Yes, oh oh six, two three four, eight eight one nine, hold on, oh "
     "five seven\nAgent: 006 2348 819057", [
         ("ORDER_ID", "oh oh six, two three four, eight eight one nine, hold on, oh five seven"),
         ("ORDER_ID", "006 2348 819057")]),
    ("Agent: Can you read me the tracking reference\nCustomer: Yep it's J V\nCustomer: one two four seven\nCustomer: "
     "eight eight three oh, one G B\nAgent: JV 1247 8830 1GB", [
         ("ORDER_ID", "J V"), ("ORDER_ID", "one two four seven"), ("ORDER_ID", "eight eight three oh, one G B"),
         ("ORDER_ID", "JV 1247 8830 1GB")]),
    # a correction right after a code: its last digits said again, or the whole code again with a digit changed
    ("客户：订单号是 24071599386042，哦不对，最后两位是24，24071599386024。",
     [("ORDER_ID", "24071599386042"), ("ORDER_ID", "24"), ("ORDER_ID", "24071599386024")]),
    ("坐席：我跟您核对一下手机号 幺三七 二二八九 五零六一\n客户：不对 最后四位是 五零一六",
     [("PHONE", "幺三七 二二八九 五零六一"), ("PHONE", "五零一六")]),
    ("my card is 4111 1111 1111 1111, sorry, the last four are 1129",
     [("CREDIT_CARD", "4111 1111 1111 1111"), ("CREDIT_CARD", "1129")]),
    ("订单号 24071599386042，不对，我再看看", [("ORDER_ID", "24071599386042")]),  # no correction said
    # an amount after a code read out is no piece of it, so the code's read-back is found
    ("客服：工单号是 KF 2025 0311 0042，24小时内会有专人联系您。\n客户：好，我记一下，KF20250311 0042。",
     [("ORDER_ID", "KF 2025 0311 0042"), ("ORDER_ID", "KF20250311 0042")]),
    # letters said before digits read out: part of the code, a reference rather than a phone; `plus` before
    # a phone; an e-mail with `at the rate` and a country's second-level suffix
    ("Member: K T P, nine four two, oh six one, seven three", [("ORDER_ID", "K T P, nine four two, oh six one, seven three")]),
    ("Caller: plus four four seven nine double one, four five six seven eight nine",
     [("PHONE", "plus four four seven nine double one, four five six seven eight nine")]),
    ("Caller: sure, anil dot rao at the rate gmail dot com", [("EMAIL", "anil dot rao at the rate gmail dot com")]),
    ("Customer: we have, thabo dot m at webmail dot co dot za", [("EMAIL", "thabo dot m at webmail dot co dot za")]),
    # no SSN starts 9: the digits read out stay the spoken-digits rule's phone
    ("Agent: and your social security number\nCaller: nine one two, four five, six seven eight nine",
     [("PHONE", "nine one two, four five, six seven eight nine")]),
    # the caller going on after the code (and I haven't…) is no piece of it; NATO's X said as X-ray
    ("Caller: my NI number is J K one two, three four, five six, B and I haven't had a letter",
     [("UK_NINO", "J K one two, three four, five six, B")]),
    ("Caller: the reg is M K one eight, X-ray P T", [("LICENSE_PLATE", "M K one eight, X-ray P T")]),
    # round 11: a UK plate written in the current format with no cue, its age a year plates were issued in
    ("The customer's Tesla Model Y (WR73 KFN) is in the service bay.", [("LICENSE_PLATE", "WR73 KFN")]),
    ("parked behind a grey van, BD51 XYR, since noon", [("LICENSE_PLATE", "BD51 XYR")]),
    ("order code AB99 CDE is out of stock", []),  # age 99: never issued
    ("form QX12 ABC attached", []),  # Q opens no memory tag
    ("bin ab12 cde by the door", []),  # written in lower case
    ("Our FY24 EPS beat guidance and FY25 CEO pay was flat.", []),  # no vehicle named near it
    ("We moved the SP24 MVP to next sprint.", []),
]


@pytest.mark.parametrize("text,expected", SPOKEN, ids=[repr(t)[1:-1][:40] for t, _ in SPOKEN])
def test_code_read_out_after_its_cue(text, expected):
    assert found(text) == expected
    if expected:
        redacted = redact(text).text
        assert all(value not in redacted for _, value in expected)


def test_read_out_codes_are_input_side_only():
    # The recognizer runs with the input layers; a reply is redacted by the output detectors alone.
    text = "Caller: the phone number is six one three\nAgent: mhm\nCaller: five five five oh one four seven"
    assert redact_output(text).text == text
    assert SpokenCodes().find("no cue here: 一三九 一二三四") == []


def test_every_english_cue_holds_a_stem():
    # The English cues are searched only when one of these words is in the text (a long text without one
    # is not scanned): each cue the pattern can match must hold one.
    from redaction.ner import spoken

    phrases = ["national insurance", "ni number", "n i no", "nhs number", "social security", "ssn", "social",
               "id card", "identity card", "hkid", "id number", "passport", "travel document", "licence plate",
               "license plate", "plate", "registration", "reg", "number plate", "credit card", "debit card",
               "card number", "card no", "long number on the card", "account number", "sort code", "bsb", "iban",
               "bank account", "phone", "mobile", "cell", "callback number", "contact number", "number to call",
               "area code", "number to reach", "number you're calling from", "reach you", "call you",
               "best number", "number can we", "order number", "order ref", "ticket no", "case number",
               "claim no", "tracking number", "reference number", "booking ref", "confirmation number",
               "return authorization", "return authorisation", "rma", "reference", "ref", "incident",
               "citation number", "complaint no", "pnr", "policy number", "membership no", "postcode", "post code", "eircode"]
    for phrase in phrases:
        assert spoken._EN_CUE.search(phrase), phrase
        assert any(stem in phrase for stem in spoken._EN_STEMS), phrase


# Round 6: letters said alone around a reference read out in number words, lower case too.
@pytest.mark.parametrize("text,expected", [
    ("Caller: A P one nine two, seven seven three, four oh K.\nAgent: ok",
     [("ORDER_ID", "A P one nine two, seven seven three, four oh K")]),
    ("my ref is j d zero one four four seven two nine nine three one g b thanks",
     [("ORDER_ID", "j d zero one four four seven two nine nine three one g b")]),
    # a card takes no letter after it
    ("my card is four one one one one one one one one one one one one one one one x thanks",
     [("CREDIT_CARD", "four one one one one one one one one one one one one one one one")]),
])
def test_letters_said_around_a_code_read_out(text, expected):
    assert [(s.label, text[s.start:s.end]) for s in find_spans(text)] == expected
