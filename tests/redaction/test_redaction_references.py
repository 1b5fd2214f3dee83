"""References written after the word that names them, their same-shaped siblings and UPU S10 postal items
(redaction.ner.references; issue 12).

Every row is written for this file (no text from the public corpora or from anyone's probe sets); values
are made up (the S10 numbers carry a correct check digit).
"""

from __future__ import annotations

import pytest

from redaction import find_spans, redact_output
from redaction.ner.references import s10_ok, written_references


def found(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start:s.end]) for s in find_spans(text)]


FOUND = [
    # English nouns, qualified or bare, with the words that link them
    ("Hi, booking confirmation 73105582 for two nights please", "73105582"),
    ("Claim reference HOM/UK/25/004417 was closed by mistake", "HOM/UK/25/004417"),
    ("my complaint no. is CMP-2025-113904 and nobody called", "CMP-2025-113904"),
    ("Referral no. RF-661204, MRI on Friday", "RF-661204"),
    ("SR# 7-552019384 fibre fault", "7-552019384"),
    ("please amend booking QZ7K2M before check-in", "QZ7K2M"),
    ("booked under my husband, ref 48TRXQ, late arrival", "48TRXQ"),
    ("Engineer visit ref was RMA-7730218 last month", "RMA-7730218"),
    ("Consignment note: 6612 0945 3381 / deliver to reception", "6612 0945 3381"),
    ("reservation ID 5527301846, guest name changed", "5527301846"),
    ("Refund reference RFD-4410932 shows paid", "RFD-4410932"),
    ("policy number PL-99031827 renewal", "PL-99031827"),
    ("customer no. 88120394, please check", "88120394"),
    # shapes another label's check refuses are still references after the cue
    ("ref 676344559016 is closed", "676344559016"),
    ("invoice 011 2024 0001", "011 2024 0001"),
    ("ref XE12345678", "XE12345678"),
    ("the record locator is KX92PD", "KX92PD"),
    # Chinese (traditional forms are read as simplified ones), the number word glued or spaced
    ("宽带又断了，工单号GZ-TH-0045871，师傅没来", "GZ-TH-0045871"),
    ("酒店预订确认号 HQ55120947，入住人改一下", "HQ55120947"),
    ("PNR 是 T6W9QK，想改到下周", "T6W9QK"),
    ("赔案号CLM2025GZ01182，材料已交", "CLM2025GZ01182"),
    ("理賠編號：CX2250188431", "CX2250188431"),
    ("訂位參考編號 3PQ8TN，乘客兩位", "3PQ8TN"),
    ("報障編號 HB 0071239950，今日可唔可以嚟", "HB 0071239950"),
    ("票号是880-3321 479015", "880-3321 479015"),
    ("覆診預約號碼係 ENT-250311-0412，想改期", "ENT-250311-0412"),
    ("您的包裹73190028841265已由门卫代收", "73190028841265"),
    # a noun that names a code only with a qualifier, before letters and digits; a bare noun before a
    # booking code of up to ten characters
    ("please update the direct debit for policy HOM-55820173: new bank", "HOM-55820173"),
    ("ref RFD-33918, paid", "RFD-33918"),
    ("your reservation KQW4T8ZX2B was cancelled by the host", "KQW4T8ZX2B"),
    ("您的保單 FB2203140098 保費已扣", "FB2203140098"),
    ("就诊卡号0038274902，科室骨科", "0038274902"),
    ("student ID S23089945, deferring next term", "S23089945"),
    # the code alone on the line after the question that named it
    ("Agent: Sure! could you give me the order number?\nCustomer: SH20250514883217\nAgent: found it", "SH20250514883217"),
    ("客服：麻烦提供一下工单号\n客户：嗯 GD20250612037", "GD20250612037"),
    # a user name or login after its cue
    ("Login alert: account pkowalczyk_77 signed in from a new device", "pkowalczyk_77"),
    ("账号zhao_mx2025于05-17 03:14异地登录", "zhao_mx2025"),
    ("Ticket 4471 — user liu.hao cannot reach the VPN", "liu.hao"),
    # a postal item anywhere, with its check digit
    ("邮政网点代收，邮件号EE512803670CN。", "EE512803670CN"),
    ("held at the depot: RR930157240GB, bring ID", "RR930157240GB"),
]


@pytest.mark.parametrize("text,value", FOUND, ids=[t[:40] for t, _ in FOUND])
def test_reference_after_its_cue(text, value):
    assert ("ORDER_ID", value) in found(text)


def test_siblings_of_a_prefixed_reference():
    text = "第一次工单号HR25010400871，第二次HR25021500326，第三次HR25030300119，都说正常。"
    assert found(text) == [("ORDER_ID", "HR25010400871"), ("ORDER_ID", "HR25021500326"),
                           ("ORDER_ID", "HR25030300119")]
    # a sibling must share the prefix and the length
    assert ("ORDER_ID", "HR2501") not in found("工单号HR25010400871，型号HR2501")


NOT_REFERENCES = [
    "refund 1280 yuan please",
    "booking for 2 adults on 2025-05-01",
    "order 12 items, the order from 2023 arrived",
    "policy 2024 rules apply to everyone",
    "customer 13800000000 called",  # all one digit after the prefix: not even a phone
    "ticket 3 hours ago",
    "your refund of $1280.00 is on its way",
    "policy 2024 applies to everyone", "account 12345678 was closed",  # a qualifier-only noun, digits alone
    "the user v2.3 is out, see the user manual.pdf", "login from home failed",  # no user name
    "员工编号 8812 为您服务",  # an agent's number
    "Agent: what's the order number?\nCustomer: I don't have it",
    "reference: see the FAQ",
    "invoice total 4410 RMB",
    "您的包裹3件已到驿站",
    "订单号待定，发票 2 张",
    "case 2025-26 budget review",
    "工号8812为您服务，尾号4432的卡",
    "model SMS46KI01G and the SKU 88213-B",
    "held at the depot: RR930157241GB",  # a wrong S10 check digit
]


@pytest.mark.parametrize("text", NOT_REFERENCES)
def test_no_reference(text):
    assert [v for label, v in found(text) if label == "ORDER_ID"] == []


def test_a_phone_after_a_customer_is_still_a_phone():
    assert found("customer 13812345678 called twice") == [("PHONE", "13812345678")]


def test_s10_check_digit():
    assert s10_ok("51280367", "0") and not s10_ok("51280367", "9")
    assert s10_ok("12345678", "5")  # the UPU's own example, EA123456785CN


def test_offsets_hold_where_lower_case_is_longer():
    text = "İİ booking HZ4Q9R ok"
    assert [(text[a:b], label) for a, b, label, _ in written_references(text)] == [("HZ4Q9R", "ORDER_ID")]


def test_references_are_input_side_only():
    """The reply stream's detectors do not take these cues: the model never sees a customer's reference."""
    text = "Claim reference HOM/UK/25/004417 was closed"
    assert ("ORDER_ID", "HOM/UK/25/004417") in found(text)
    assert "HOM/UK/25/004417" in redact_output(text).text
