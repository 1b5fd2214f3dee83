"""Per-label detector tables (positives and hard negatives), normalisation offsets, the output policy.

Each table is (text, expected [(label, matched substring), ...]) checked with `find_spans`, like the tables
in tests/redaction/test_redaction.py (which this file extends rather than repeats).
"""

from __future__ import annotations

from typing import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import redaction
from redaction import (
    LABELS, OutputPolicy, PatternDetector, PatternError, Placeholders, build_detectors, find_spans, normalise,
    redact,
)
from redaction.detectors import DEFAULT_ORDER_ID_PATTERNS, order_id_detector


def found(text: str, detectors: Sequence[PatternDetector] | None = None) -> list[tuple[str, str]]:
    """(label, matched substring of the ORIGINAL text) for every span, in order."""
    return [(s.label, text[s.start:s.end]) for s in find_spans(text, detectors)]


def table_ids(table: list) -> list[str]:
    return [repr(text)[1:-1][:40] for text, _ in table]


# --- PHONE ------------------------------------------------------------------------------------------
PHONE = [
    # CN landlines
    ("固话010-12345678，工作日可打", [("PHONE", "010-12345678")]),
    ("分机(0755)8888-1234", [("PHONE", "(0755)8888-1234")]),
    ("座机是0571 8888 1234谢谢", [("PHONE", "0571 8888 1234")]),
    ("北京办公室+86 10 1234 5678转人工", [("PHONE", "+86 10 1234 5678")]),
    ("+86-10-12345678", [("PHONE", "+86-10-12345678")]),
    ("广州020-87654321", [("PHONE", "020-87654321")]),
    ("深圳0755-88881234", [("PHONE", "0755-88881234")]),
    # US
    ("Reach me on (415) 555-2671.", [("PHONE", "(415) 555-2671")]),
    ("cell 415-555-2671, evenings", [("PHONE", "415-555-2671")]),
    ("电话415.555.2671", [("PHONE", "415.555.2671")]),
    ("intl +1 415 555 2671", [("PHONE", "+1 415 555 2671")]),
    ("dial 1-415-555-2671 today", [("PHONE", "1-415-555-2671")]),
    # full-width and zero-width-split mobiles
    ("电话：１５９８７６５４３２１", [("PHONE", "１５９８７６５４３２１")]),
    ("手机１３９－１２３４－５６７８。", [("PHONE", "１３９－１２３４－５６７８")]),
    ("手机159\u200b8765\u200c4321好", [("PHONE", "159\u200b8765\u200c4321")]),
    ("手机\u200b15987654321\u200b好", [("PHONE", "15987654321")]),  # edges are not part of the value
    ("手机１５９\u200d８７６５\u2060４３２１", [("PHONE", "１５９\u200d８７６５\u2060４３２１")]),
    # hard negatives: toll-free, N11, 400/800 hotlines
    ("toll-free 1-800-555-0199", []),
    ("call (888) 555-0100 or +1 877 555 0100", []),
    ("dial 911 or 411-555-1234", []),
    ("客服400-820-8820", []),
    ("拨打800-810-8888咨询", []),
    ("热线4008208820", []),
    ("报警请拨110，急救120", []),
    ("工号0571", []),
]

# --- CN_ID ------------------------------------------------------------------------------------------
CN_ID = [
    ("身份证110105199003071239，", [("CN_ID", "110105199003071239")]),
    ("证件号51010419880815123X号", [("CN_ID", "51010419880815123X")]),
    ("证件号51010419880815123x", [("CN_ID", "51010419880815123x")]),
    ("闰日310115200002290021", [("CN_ID", "310115200002290021")]),
    # near-valid: wrong check digit is still somebody's ID (score 0.85, see test_cn_id_scores)
    ("身份证110105199003071230", [("CN_ID", "110105199003071230")]),
    # spaced and dashed 6-8-4
    ("身份证号 110105 19900307 1239 请核实", [("CN_ID", "110105 19900307 1239")]),
    ("身份证号110105-19900307-1239", [("CN_ID", "110105-19900307-1239")]),
    # mixed separators after the cue (a negative here before: issue 12 asks for IDs split unevenly, and a
    # caller's ID read out after 身份证号 is one, redaction.ner.spoken)
    ("身份证号110105 19900307-1239", [("CN_ID", "110105 19900307-1239")]),
    # hard negatives
    ("身份证990105199003071232", []),  # region 99 does not exist
    ("身份证110105200002300015", []),  # 30 February (right check digit)
    ("身份证110105209901010012", []),  # born in the future (right check digit)
    # (grouped 6-12, `110105 199003071239`, was a negative here; issue 12 asks for IDs split unevenly, so it
    # is found now: tests/redaction/test_redaction_forms.py)
]

CN_ID_SCORES = [
    ("110105199003071239", 1.0),
    ("51010419880815123X", 1.0),
    ("110105199003071230", 0.85),
    ("51010419880815123", None),  # too short: nothing
    ("510104198808151231", 0.85),  # X expected, 1 written
]

# --- IP ---------------------------------------------------------------------------------------------
IP = [
    ("登录IP 58.61.12.7 异常", [("IP", "58.61.12.7")]),
    ("内网192.168.1.23打不开", [("IP", "192.168.1.23")]),
    ("IP是172.16.254.1，", [("IP", "172.16.254.1")]),
    ("server 10.0.0.23:8080 is down", [("IP", "10.0.0.23")]),  # the port is not part of it
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", [("IP", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]),
    ("地址2001:db8::8a2e:370:7334。", [("IP", "2001:db8::8a2e:370:7334")]),
    ("link-local fe80::1ff:fe23:4567:890a%eth0", [("IP", "fe80::1ff:fe23:4567:890a")]),
    ("gateway fe80::1 ok", [("IP", "fe80::1")]),
    ("mapped ::ffff:1.2.3.4 ok", [("IP", "::ffff:1.2.3.4")]),
    ("[2001:db8::1]:443", [("IP", "2001:db8::1")]),
    # hard negatives
    ("升级到v1.2.3.4后", []),
    ("版本10.0.0.1", []),
    ("版本 10.0.0.1", []),
    # a private network's gateway and the loopback name every home's router, no one's device
    ("open 192.168.1.1 in your browser", []),
    ("the default gateway on our hubs is 192.168.1.254", []),
    ("ping 127.0.0.1 first", []),
    ("set the DNS to 1.1.1.1 with 8.8.8.8 as the backup", []),  # public resolvers
    ("my laptop shows 192.168.1.37", [("IP", "192.168.1.37")]),
    ("version 1.2.3.4", []),
    ("Version 1.2.3.4 released", []),
    ("release 1.2.3", []),
    ("256.1.1.1", []),
    ("01.02.03.04", []),
    ("1.2.3.4.5", []),
    ("会议10:30:00开始", []),
    ("MAC 00:1A:2B:3C:4D:5E", []),
    ("localhost ::1", []),
]

# --- ORDER_ID (default pattern) ---------------------------------------------------------------------
ORDER_ID = [
    ("订单号：ORD-20240501。", [("ORDER_ID", "ORD-20240501")]),
    ("订单ord-20240501已签收", [("ORDER_ID", "ord-20240501")]),
    ("order oRd-99999999", [("ORDER_ID", "oRd-99999999")]),
    ("ORD-20240501,ORD-20240502", [("ORDER_ID", "ORD-20240501"), ("ORDER_ID", "ORD-20240502")]),
    ("ORD_20240501", []),
    ("ORD-20240501X", []),
    ("1ORD-20240501", []),
    ("ORD-2024050", []),
    # the dash after the configured prefix left out, with or without a cue
    ("我的单子ORD20240501还没到", [("ORDER_ID", "ORD20240501")]),
    ("order ORD20240501 hasn't shipped", [("ORDER_ID", "ORD20240501")]),
    ("ORD2024050", []),
]

_CUSTOM_ORDER_PATTERNS = [r"[0-9]{4}-[A-Z]{2}-[0-9]{6}", r"JD[0-9]{12}", r"SO#[0-9]{5}"]
ORDER_ID_CUSTOM = [
    ("订单2024-AB-123456已发货", [("ORDER_ID", "2024-AB-123456")]),
    ("2024-ab-123456", [("ORDER_ID", "2024-ab-123456")]),  # any case
    ("订单JD123456789012，", [("ORDER_ID", "JD123456789012")]),
    ("jd123456789012号", [("ORDER_ID", "jd123456789012")]),
    ("ticket SO#12345 ok", [("ORDER_ID", "SO#12345")]),
    ("XJD123456789012", []),  # whole tokens only
    ("SO#123456", []),  # whole tokens only (JD and 12-15 digits is a waybill's shape, found whatever is configured)
    ("SO#1234", []),
    ("ORD-12345678", []),  # the default pattern is replaced, not extended
]

ORDER_ID_BAD_PATTERNS = [
    ("ORD-[0-9", "valid regular expression"),
    ("(?P<x", "valid regular expression"),
    ("A[0-9]+", "more than 48"),
    ("A.*", "more than 48"),
    ("(?:ABC)*", "more than 48"),
    ("A{49}", "more than 48"),
    ("[A-Z]{40}[0-9]{9}", "more than 48"),
    ("A?", "empty"),
    ("x|", "empty"),
    ("(?:AB){0,3}", "empty"),
]

# --- PASSPORT ---------------------------------------------------------------------------------------
PASSPORT = [
    ("my passport number is 123456789.", [("PASSPORT", "123456789")]),
    ("护照E12345678，", [("PASSPORT", "E12345678")]),
    ("新护照EA1234567", [("PASSPORT", "EA1234567")]),
    ("old one G12345678 expired", [("PASSPORT", "G12345678")]),
    ("passport no. 123456789", [("PASSPORT", "123456789")]),
    ("Passport No. 987654321 issued", [("PASSPORT", "987654321")]),
    ("Passport: X1234567", [("PASSPORT", "X1234567")]),
    ("护照号码：P1234567", [("PASSPORT", "P1234567")]),
    ("护照号是G12345678", [("PASSPORT", "G12345678")]),
    ("passport # AB1234567", [("PASSPORT", "AB1234567")]),
    # hard negatives
    ("E1234567", []),  # 7 digits
    ("E123456789", []),  # 9 digits
    ("EI1234567", []),  # no I or O in the letter form
    ("order 123456789 shipped", [("ORDER_ID", "123456789")]),  # no passport cue: an order number
    ("see XE12345678", []),
    ("passport: ABC12", []),  # too few digits to be a number
]

# --- LICENSE_PLATE ----------------------------------------------------------------------------------
LICENSE_PLATE = [
    ("车牌京A12345，", [("LICENSE_PLATE", "京A12345")]),
    ("车牌粤B·D12345", [("LICENSE_PLATE", "粤B·D12345")]),
    ("新能源沪AF12345", [("LICENSE_PLATE", "沪AF12345")]),
    ("车牌京A12345D", [("LICENSE_PLATE", "京A12345D")]),
    ("车牌粤b12345", [("LICENSE_PLATE", "粤b12345")]),
    ("教练车京A1234学", [("LICENSE_PLATE", "京A1234学")]),
    ("车牌粤B D12345", [("LICENSE_PLATE", "粤B D12345")]),
    ("苏E12345", [("LICENSE_PLATE", "苏E12345")]),
    # hard negatives
    ("车牌京AB", []),
    ("新款A1", []),
    ("新款A12345", []),
    ("京东A12345", []),
    ("京A12345678", []),
    ("京AI2345", []),  # no I on plates
]

# --- ADDRESS ----------------------------------------------------------------------------------------
ADDRESS = [
    ("1 Infinite Loop, Cupertino, CA 95014", [("ADDRESS", "1 Infinite Loop, Cupertino, CA 95014")]),
    ("Send it to P.O. Box 1234, please", [("ADDRESS", "P.O. Box 1234")]),
    ("PO Box 88", [("ADDRESS", "PO Box 88")]),
    ("地址广东省深圳市南山区科技南路18号，谢谢", [("ADDRESS", "广东省深圳市南山区科技南路18号")]),
    ("寄到杭州市西湖区文三路398号", [("ADDRESS", "杭州市西湖区文三路398号")]),
    ("我住在朝阳区建国路88号", [("ADDRESS", "朝阳区建国路88号")]),
    ("寄到杭州市西湖区文三路", [("ADDRESS", "杭州市西湖区文三路")]),
    ("地址：文三路398号", [("ADDRESS", "文三路398号")]),
    ("文三路398号", [("ADDRESS", "文三路398号")]),
    ("送到王家村7组64号", [("ADDRESS", "王家村7组64号")]),
    ("浙江省湖州市长兴县王家村7组64号", [("ADDRESS", "浙江省湖州市长兴县王家村7组64号")]),
    ("北京市朝阳区建国路88号院", [("ADDRESS", "北京市朝阳区建国路88号院")]),
    ("住在上海市徐汇区漕溪北路1200弄3号", [("ADDRESS", "上海市徐汇区漕溪北路1200弄3号")]),
    ("地址南山区科技南路18号SOHO现代城5号楼1203室",
     [("ADDRESS", "南山区科技南路18号SOHO现代城5号楼1203室")]),
    ("在5号楼1203室", [("ADDRESS", "5号楼1203室")]),
    ("3栋2单元501室", [("ADDRESS", "3栋2单元501室")]),
    # issue 12: without a city, named buildings with a floor, banners, lanes, lower case and capitals, UK
    ("寄到民和路3487号", [("ADDRESS", "民和路3487号")]),
    ("在金茂大厦西二楼", [("ADDRESS", "金茂大厦西二楼")]),
    ("梅屿村1号", [("ADDRESS", "梅屿村1号")]),
    ("兴安盟科尔沁右翼前旗乌兰浩特路8号", [("ADDRESS", "兴安盟科尔沁右翼前旗乌兰浩特路8号")]),
    ("住在潘家园南里19号", [("ADDRESS", "潘家园南里19号")]),
    ("at 247 miller ave", [("ADDRESS", "247 miller ave")]),
    ("1600 PENNSYLVANIA AVENUE", [("ADDRESS", "1600 PENNSYLVANIA AVENUE")]),
    ("22 Mill Lane, York YO1 7HH", [("ADDRESS", "22 Mill Lane, York YO1 7HH")]),
    # English
    ("Ship to 1600 Amphitheatre Parkway please", [("ADDRESS", "1600 Amphitheatre Parkway")]),
    ("office at 350 Fifth Avenue, New York", [("ADDRESS", "350 Fifth Avenue, New York")]),
    ("34536 W Nguyen Ln", [("ADDRESS", "34536 W Nguyen Ln")]),
    ("visit 221B Baker Street, London", [("ADDRESS", "221B Baker Street, London")]),
    ("Apt 4B", [("ADDRESS", "Apt 4B")]),
    ("Suite 200, Unit 5", [("ADDRESS", "Suite 200, Unit 5")]),
    ("Springfield, IL 62704", [("ADDRESS", "Springfield, IL 62704")]),
    ("P.O. Box 4521, Austin TX 78701", [("ADDRESS", "P.O. Box 4521, Austin TX 78701")]),  # no comma
    ("1600 Amphitheatre Parkway, Mountain View, CA 94043",
     [("ADDRESS", "1600 Amphitheatre Parkway, Mountain View, CA 94043")]),
    # hard negatives
    ("市场", []),
    ("区别", []),
    ("路由器坏了", []),
    ("道歉", []),
    ("我在超市买的", []),
    ("祝您一路顺风", []),
    ("请到3楼前台", []),
    ("北京时间下午三点", []),
    ("请联系客户服务中心", []),
    ("去市场看看，区别不大，路由器在超市买的，向您道歉", []),
    ("天安门", []),
    ("上海市", []),
    ("坐2号线", []),
    ("在二楼等您", []),
    ("3号订单", []),
    ("the first floor", []),
    ("a 10 minute drive", []),
    ("code QX9 9ZZ", []),
]

# --- PERSON -----------------------------------------------------------------------------------------
PERSON = [
    ("Please update John Smith's phone number", [("PERSON", "John Smith")]),
    ("New York's address book", []),
    ("张伟的手机号是13812345678", [("PERSON", "张伟"), ("PHONE", "13812345678")]),
    ("请联系李娜 13812345678", [("PERSON", "李娜"), ("PHONE", "13812345678")]),
    ("我的订单和他的手机", []),
    ("Hi John, thanks for waiting", [("PERSON", "John")]),
    ("Best,\nSarah Connor", [("PERSON", "Sarah Connor")]),
    ("Thanks, Support Team", []),
    ("Hello World", []),
    ("请问是王芳吗", [("PERSON", "王芳")]),
    ("客户李娜反馈没收到货", [("PERSON", "李娜")]),
    ("联系人：周雷，电话稍后", [("PERSON", "周雷")]),
    ("姓名：利建", [("PERSON", "利建")]),  # a form label takes any name, even off the surname list
    # A surname given alone after 姓 identifies nobody either (redaction.surnames) ...
    ("我姓张，电话稍后给", []),
    ("我姓向，订的房间要改", []),
    # ... unless the same text gives the full name or describes it
    ("我姓郑，郑红梅，电话稍后给", [("PERSON", "郑"), ("PERSON", "郑红梅")]),
    ("姓名和电话都填了", []),
    ("收件人欧阳明华，", [("PERSON", "欧阳明华")]),
    ("张伟先生您好", [("PERSON", "张伟")]),
    ("王小明先生您好", [("PERSON", "王小明")]),
    # A surname alone before a title identifies nobody (issue 12): not a name.
    ("王先生您好", []),
    ("李总，合同已发", []),
    ("任经理说下午回电", []),
    ("吴女士的快递到了", []),
    ("收件人：司马光", [("PERSON", "司马光")]),
    ("我叫王小明", [("PERSON", "王小明")]),
    # English
    ("Mr. John Smith called", [("PERSON", "Mr. John Smith")]),  # a title is written with the name (redaction.extend)
    ("Mr. Smith called", []),  # a title and a surname alone, as 王先生 (redaction.surnames)
    ("my name is John Smith.", [("PERSON", "John Smith")]),
    ("Name: Jane Doe", [("PERSON", "Jane Doe")]),
    ("Dear Mary Johnson,", [("PERSON", "Mary Johnson")]),
    ("Customer Andrew P. Harvey called", [("PERSON", "Andrew P. Harvey")]),
    ("客户Harry Duarte反馈", [("PERSON", "Harry Duarte")]),
    ("收件人：John Hartman", [("PERSON", "John Hartman")]),
    ("Sincerely, Tom Brown", [("PERSON", "Tom Brown")]),
    # hard negatives
    ("我马上处理", []),
    ("很高兴为您服务", []),
    ("现在方便接电话吗", []),
    ("周末也发货", []),
    ("我们马上为您处理，周末也很方便，很高兴为您服务", []),
    ("Dear Customer,", []),
    ("Dear Valued Customer", []),
    ("Thank you", []),
    ("Regards, Support Team", []),
    ("Dear Customer, Thank you, Support Team", []),
    ("19797 W Williams St", [("ADDRESS", "19797 W Williams St")]),  # not PERSON "St" after "Williams"
    # Without a cue, the name layer (census lists) finds a first name + surname.
    ("John Smith called yesterday", [("PERSON", "John Smith")]),
]

# --- US_SSN -----------------------------------------------------------------------------------------
US_SSN = [
    ("SSN is 123456789", [("US_SSN", "123456789")]),
    ("SSN 123-45-6789 on file", [("US_SSN", "123-45-6789")]),
    ("my ssn is 123 45 6789", [("US_SSN", "123 45 6789")]),
    ("SSN: 123456789", [("US_SSN", "123456789")]),
    ("SSN#123456789", [("US_SSN", "123456789")]),
    ("social security number 123456789", [("US_SSN", "123456789")]),
    # hard negatives
    ("000-12-3456", []),
    ("666-12-3456", []),
    ("900-12-3456", []),
    ("123-00-4567", []),
    ("123-45-0000", []),
    ("account 123456789", []),  # bare nine digits without a cue
    ("SSN: 000123456", []),
    ("123-45-67890", []),
    ("12-34-5678", []),
]

# --- precision: none of these is PII ----------------------------------------------------------------
PRECISION = [
    "价格¥1380.00",
    "售价1,299元",
    "It costs $1,299.99 now",
    "订单日期2024-05-01",
    "2024/05/01发货",
    "2024年5月1日到货",
    "时间2024-05-01 13:45:30",
    "2024-05-01T13:45:30Z",
    "timestamp 1714545600",
    "版本v2.3.1",
    "version 1.2.3",
    "客服热线400-820-8820",
    "拨打800-810-8888",
    "工行95588",
    "移动10086",
    "手机138****1234",
    "卡号6222 **** **** 1234",
    "身份证110101********1234",
    "尾号1234的卡",
    "共3件",
    "容量1500ml",
    "重量20kg",
    "SKU-2023-0088",
    "型号A1234",
    "model XR-200",
    "iPhone 15 Pro",
    "验证码 123456",
    "验证码123456",
    "您的验证码是 654321，5分钟内有效",
    "Your verification code is 123456.",
    "金额12345678.90元",
    "订单已于2024-05-01 13:45发货，共3件，合计¥1380.00，客服400-820-8820",
]

TABLES = {
    "PHONE": PHONE, "CN_ID": CN_ID, "IP": IP, "ORDER_ID": ORDER_ID, "PASSPORT": PASSPORT,
    "LICENSE_PLATE": LICENSE_PLATE, "ADDRESS": ADDRESS, "PERSON": PERSON, "US_SSN": US_SSN,
}


@pytest.mark.parametrize("text,expected", PHONE, ids=table_ids(PHONE))
def test_phone(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", CN_ID, ids=table_ids(CN_ID))
def test_cn_id(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("value,score", CN_ID_SCORES)
def test_cn_id_scores(value, score):
    spans = [s for s in find_spans(f"身份证{value}。") if s.label == "CN_ID"]
    if score is None:
        assert spans == []
    else:
        assert len(spans) == 1 and spans[0].score == score


@pytest.mark.parametrize("text,expected", IP, ids=table_ids(IP))
def test_ip(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", ORDER_ID, ids=table_ids(ORDER_ID))
def test_order_id_default(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", ORDER_ID_CUSTOM, ids=table_ids(ORDER_ID_CUSTOM))
def test_order_id_custom_patterns(text, expected):
    detectors = build_detectors(order_id_patterns=_CUSTOM_ORDER_PATTERNS)
    assert found(text, detectors) == expected


def test_order_id_defaults_and_custom_detectors_keep_other_labels():
    assert build_detectors() == build_detectors(DEFAULT_ORDER_ID_PATTERNS)
    detectors = build_detectors(order_id_patterns=_CUSTOM_ORDER_PATTERNS)
    text = "订单JD123456789012，手机13812345678"
    assert found(text, detectors) == [("ORDER_ID", "JD123456789012"), ("PHONE", "13812345678")]
    # The configured patterns, plus the fixed ones for a value after an order-number cue, written (whole or
    # in digit groups) or read out, and for a case, ticket or booking reference (after its name, or plainly a
    # code after a bare `order` or `booking`).
    assert sum(d.label == "ORDER_ID" for d in detectors) == len(_CUSTOM_ORDER_PATTERNS) + 7
    assert redact(text, Placeholders(), detectors).text == "订单[ORDER_ID_1]，手机[PHONE_1]"


def test_order_id_bound_is_48_and_characters_outside_the_alphabet_are_ignored():
    assert order_id_detector("A[0-9]{47}").max_len == 48
    assert order_id_detector("A{48}").max_len == 48
    # A pattern may match characters an order number never holds: such matches are dropped.
    det = order_id_detector("单[0-9]{6}")
    assert found("订单123456", [det]) == []


@pytest.mark.parametrize("pattern,reason", ORDER_ID_BAD_PATTERNS)
def test_order_id_bad_patterns(pattern, reason):
    with pytest.raises(PatternError, match=reason) as caught:
        order_id_detector(pattern)
    assert pattern not in str(caught.value)  # the message names the rule, not the pattern
    assert isinstance(caught.value, ValueError)
    with pytest.raises(PatternError):
        build_detectors(order_id_patterns=["ORD-[0-9]{8}", pattern])


@pytest.mark.parametrize("text,expected", PASSPORT, ids=table_ids(PASSPORT))
def test_passport(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", LICENSE_PLATE, ids=table_ids(LICENSE_PLATE))
def test_license_plate(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", ADDRESS, ids=table_ids(ADDRESS))
def test_address(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", PERSON, ids=table_ids(PERSON))
def test_person(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text,expected", US_SSN, ids=table_ids(US_SSN))
def test_us_ssn(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", PRECISION)
def test_precision(text):
    assert found(text) == []


def test_tables_cover_every_label_they_name():
    for label, table in TABLES.items():
        assert label in LABELS
        assert any(label in {lab for lab, _ in expected} for _, expected in table), label
        assert any(expected == [] for _, expected in table), f"{label}: no hard negative"


# --- normalisation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "hello 123, ok?", "您好。请问有什么可以帮您", "客户李娜在杭州市文三路398号"])
def test_normalise_leaves_ascii_and_plain_chinese_alone(text):
    norm = normalise(text)
    assert norm.text == text and norm.offsets is None


@pytest.mark.parametrize("text,expected", [
    ("ＡＢＣ＠ｘ．ｃｏｍ", "ABC@x.com"),
    ("手机１３８１２３４５６７８", "手机13812345678"),
    ("您好，请问：（１）", "您好,请问:(1)"),
    ("①②٣", "123"),
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "13812345678"),  # mathematical bold digits (astral)
    ("聯絡電話號碼：陳大文", "联络电话号码:陈大文"),  # traditional to simplified, one character each
    ("香港九龍彌敦道688號", "香港九龙弥敦道688号"),
])
def test_normalise_one_to_one_keeps_offsets_none(text, expected):
    norm = normalise(text)
    assert norm.text == expected and norm.offsets is None
    assert len(norm.text) == len(text)


@pytest.mark.parametrize("text,expected,offsets", [
    ("1\u200b2\u200c3", "123", [0, 2, 4, 5]),
    ("a\u00adb", "ab", [0, 2, 3]),
    ("ﬁ⑴1", "fi(1)1", [0, 0, 1, 1, 1, 2, 3]),
    ("\u200b", "", [1]),
    ("x\u200b", "x", [0, 2]),
    ("𝟏\u200b𝟐", "12", [0, 2, 3]),  # astral and resizing together
    ("１\ufeff２ﬁ", "12fi", [0, 2, 3, 3, 4]),
])
def test_normalise_resizing_builds_offsets(text, expected, offsets):
    norm = normalise(text)
    assert norm.text == expected
    assert norm.offsets == offsets
    assert norm.offsets[-1] == len(text)
    assert len(norm.offsets) == len(norm.text) + 1


@pytest.mark.parametrize("text,expected", [
    ("手机１３８１２３４５６７８谢谢", [("PHONE", "１３８１２３４５６７８")]),
    ("手机𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖谢谢", [("PHONE", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖")]),
    ("ﬁ⑴手机１３８\u200b1234\u200b5678，邮箱ａｂｃ＠ｘ．ｃｏｍ",
     [("PHONE", "１３８\u200b1234\u200b5678"), ("EMAIL", "ａｂｃ＠ｘ．ｃｏｍ")]),
    ("\u200b13812345678\u200b", [("PHONE", "13812345678")]),
    ("ﬁ身份证１１０１０５\u200b１９９００３０７１２３９ﬁ", [("CN_ID", "１１０１０５\u200b１９９００３０７１２３９")]),
    ("⑴⑵ 客户\u200b李娜，车牌粤Ｂ·Ｄ１２３４５", [("PERSON", "李娜"), ("LICENSE_PLATE", "粤Ｂ·Ｄ１２３４５")]),
    ("𝟏\u200b手机𝟏𝟑𝟖\u200b𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", [("PHONE", "𝟏𝟑𝟖\u200b𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖")]),
])
def test_spans_map_back_to_the_original(text, expected):
    assert found(text) == expected
    result = redact(text, Placeholders())
    for label, value in expected:
        assert value not in result.text
    assert result.counts == {label: sum(1 for lab, _ in expected if lab == label) for label, _ in expected}


@pytest.mark.parametrize("text,expected", [
    ("a\u200b", "a\u200b"),
    ("你好\u200b再见", "你好\u200b再见"),
    ("手机13812345678\u200b谢谢", "手机[PHONE_1]\u200b谢谢"),
    ("\u200b", "\u200b"),
    ("\u200bhello", "\u200bhello"),
    ("\ufeff您好", "\ufeff您好"),
    ("\u00ad\u200bhi", "\u00ad\u200bhi"),
    ("\u200b13812345678\u200b", "\u200b[PHONE_1]\u200b"),
])
def test_redact_keeps_invisible_characters_outside_spans(text, expected):
    # Invisible characters are removed for detection only; the redacted text keeps every character
    # outside a span, wherever it stands (leading ones too).
    assert redact(text, Placeholders()).text == expected


@pytest.mark.parametrize("text,expected", [
    ("\ud800abc", [],),
    ("\ud800手机13812345678\udfff", [("PHONE", "13812345678")]),
    ("\udfff\u200b手机138\u200b12345678\ud800", [("PHONE", "138\u200b12345678")]),
    ("手机\ud83d13812345678", [("PHONE", "13812345678")]),
])
def test_lone_surrogates(text, expected):
    norm = normalise(text)
    if norm.offsets is not None:
        assert norm.offsets[-1] == len(text)
    assert found(text) == expected
    assert isinstance(redact(text).text, str)


_NORM_POOL = "abc13 中文，：（）ＡＢ１２\u200b\u200c\u00ad\ufeffﬁ⑴①𝟏𝟐٣\ud800"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_NORM_POOL, max_size=40), st.integers(0, 40))
def test_normalise_offsets_are_consistent_and_chunk_local(text, cut):
    norm = normalise(text)
    offsets = norm.offsets if norm.offsets is not None else list(range(len(norm.text) + 1))
    assert len(offsets) == len(norm.text) + 1
    assert offsets[-1] == len(text)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    # Every normalised character comes from the original character its offset names.
    for j, ch in enumerate(norm.text):
        assert ch in normalise(text[offsets[j]]).text
    # Chunk by chunk gives what the whole gives (the stream relies on it).
    cut = min(cut, len(text))
    assert normalise(text[:cut]).text + normalise(text[cut:]).text == norm.text


# --- output policy ----------------------------------------------------------------------------------
def test_policy_parse():
    policy = OutputPolicy.parse("CN_ID=block, PHONE=mask")
    assert policy.block == frozenset({"CN_ID"})
    assert OutputPolicy.parse("cn_id = BLOCK ,bank_card=Block,").block == frozenset({"CN_ID", "BANK_CARD"})
    assert OutputPolicy.parse("").block == frozenset()
    assert OutputPolicy.parse(" , ").block == frozenset()
    assert OutputPolicy.parse("PHONE=mask").block == frozenset()
    assert OutputPolicy() == OutputPolicy.parse("")
    assert redaction.__all__.count("OutputPolicy") == 1


@pytest.mark.parametrize("spec", ["NAME=block", "PHONE=hide", "PHONE", "PHONE=", "=block", "PHONE:block",
                                  "CN_ID=block,SECRET=mask"])
def test_policy_parse_rejects_bad_entries(spec):
    with pytest.raises(ValueError, match=r"LABEL=mask\|block"):
        OutputPolicy.parse(spec)


def test_policy_parse_custom_labels():
    assert OutputPolicy.parse("TICKET=block", labels=("TICKET",)).block == frozenset({"TICKET"})
    with pytest.raises(ValueError):
        OutputPolicy.parse("PHONE=block", labels=("TICKET",))


def test_policy_blocks():
    policy = OutputPolicy.parse("CN_ID=block,BANK_CARD=block,PHONE=mask")
    assert policy.blocks({"CN_ID": 1})
    assert policy.blocks({"PHONE": 2, "BANK_CARD": 1})
    assert not policy.blocks({"PHONE": 3, "EMAIL": 1})
    assert not policy.blocks({"CN_ID": 0})
    assert not policy.blocks({})
    assert not OutputPolicy.parse("").blocks({label: 1 for label in LABELS})
    assert policy.blocks(redact("身份证110105199003071239", Placeholders()).counts)
    assert not policy.blocks(redact("手机13812345678", Placeholders()).counts)
