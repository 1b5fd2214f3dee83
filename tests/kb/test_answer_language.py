"""The instructions that go with the passages are in the question's language (services.kb.answer)."""

from __future__ import annotations

import pytest

from services.kb.answer import (INSTRUCTIONS, INSTRUCTIONS_ZH, NO_ANSWER, NO_ANSWER_ZH, Retrieval, Source,
                                context_message, in_chinese)

SOURCE = Source(1, "退款政策", "第二条", None, "七日内可以退货。", "policies", "ab" * 32, 0.8)


@pytest.mark.parametrize("question,zh", [
    ("退款要多久到账？", True),
    ("网购 return shipping fee 谁承担", True),
    ("HEY 一年多少钱 price", True),
    ("How long does a refund take?", False),
    ("Docker 付款失败 grace period how many days", False),
    ("", False),
])
def test_language_of_a_question(question, zh):
    assert in_chinese(question) is zh


def test_sources_come_with_instructions_in_the_question_language():
    found = Retrieval((SOURCE,), False, 0.8, 3.0, ("h",))
    zh = context_message(found, "退款要多久到账？")
    en = context_message(found, "How long does a refund take?")
    assert zh.startswith(INSTRUCTIONS_ZH) and "[1] 退款政策 — 第二条\n七日内可以退货。" in zh
    assert en.startswith(INSTRUCTIONS) and "[1] 退款政策 — 第二条" in en
    assert "[1]" in INSTRUCTIONS_ZH and "不要猜测" in INSTRUCTIONS_ZH


def test_no_answer_in_the_question_language():
    nothing = Retrieval((), True, 0.1, 3.0, ("h",))
    assert context_message(nothing, "火星的卫星叫什么？") == NO_ANSWER_ZH
    assert context_message(nothing, "What are the moons of Mars?") == NO_ANSWER
