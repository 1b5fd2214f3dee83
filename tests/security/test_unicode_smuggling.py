"""Invisible, decorated, reordered and look-alike characters never carry a value past redaction (issue 11).

Every code point of the categories the detection view removes is tried between the digits of a phone
number and inside an e-mail address, not a list of the ones an attacker used; the bidi and confusable
forms are tables; then the same forms go through a whole chat turn (what the engine receives) and
through the streaming redactor (what a model's reply shows).
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import re
import sys
import unicodedata

import pytest

from redaction import Placeholders, StreamRedactor, find_spans, normalise, redact
from services.ops.bootstrap import ensure_initialised
from services.chat import clean_input
from services.config import load_settings
from services.runtime import Runtime

# redaction/__init__ re-exports the function `normalise` under the module's name.
N = sys.modules["redaction.normalise"]

PHONE = "13812345678"
EMAIL = "zhang.wei@example.com"
ALL = range(0x110000)
_BIDI = frozenset(N.BIDI_CONTROLS)


@functools.cache
def category_members(cat: str) -> list[int]:
    return [cp for cp in ALL if unicodedata.category(chr(cp)) == cat]


@functools.cache
def default_ignorables() -> list[int]:
    import regex  # pinned in requirements-dev.txt for this test

    di = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    return [cp for cp in ALL if not 0xD800 <= cp < 0xE000 and di.match(chr(cp))]


def outside(text: str, spans) -> str:
    """The normalised text outside the spans: what redaction leaves of the original."""
    kept, at = [], 0
    for s in spans:
        kept.append(text[at:s.start])
        at = s.end
    kept.append(text[at:])
    return normalise("".join(kept)).text


def digits(text: str) -> str:
    """The ASCII digits a reader finds in text, placeholders' numbers left out."""
    return "".join(re.findall(r"[0-9]", re.sub(r"[A-Z_]+_[0-9]+", "", normalise(text).text)))


def assert_phone_hidden(text: str, spans) -> None:
    assert [s.label for s in spans] == ["PHONE"], (text, spans)
    left = digits(outside(text, spans))
    assert PHONE not in left and PHONE[::-1] not in left and not re.search(r"[0-9]{4}", left), (text, left)


# --- the table, per category, over every code point ---------------------------------------------------
@pytest.mark.parametrize("cat", ["Cf", "Mn", "Me"])
def test_every_code_point_of_the_category_is_removed_or_a_bidi_separator(cat):
    members = category_members(cat)
    assert members
    for cp in members:
        ch = chr(cp)
        expected = ch if ch in _BIDI else ""
        assert normalise(ch).text == expected, (cat, hex(cp))
        assert normalise("1" + ch + "2").text == "1" + expected + "2", (cat, hex(cp))


def test_the_default_ignorable_table_is_unicodes():
    ours = {cp for a, b in N.DEFAULT_IGNORABLE for cp in range(a, b + 1)}
    assert ours == set(default_ignorables())


def test_every_default_ignorable_is_removed_or_a_bidi_separator():
    for cp in default_ignorables():
        ch = chr(cp)
        assert normalise("a" + ch + "b").text == ("a" + ch + "b" if ch in _BIDI else "ab"), hex(cp)


def _hidden_between_digits_and_in_an_email(cps: list[int]) -> None:
    for cp in cps:
        ch = chr(cp)
        text = f"手机138{ch}12345678，谢谢"
        spans = find_spans(text)
        assert [(s.label, text[s.start:s.end]) for s in spans] == [("PHONE", f"138{ch}12345678")], hex(cp)
        text = f"邮箱 zhang.w{ch}ei@exa{ch}mple.com ，谢谢"
        spans = find_spans(text)
        assert [(s.label, text[s.start:s.end]) for s in spans] == [
            ("EMAIL", f"zhang.w{ch}ei@exa{ch}mple.com")], hex(cp)


@pytest.mark.parametrize("cat", ["Cf", "Mn", "Me"])
def test_any_code_point_of_the_category_inside_a_value_keeps_its_full_span(cat):
    _hidden_between_digits_and_in_an_email(category_members(cat))


def test_any_default_ignorable_inside_a_value_keeps_its_full_span():
    _hidden_between_digits_and_in_an_email(default_ignorables())


def test_the_clean_input_drops_exactly_the_invisible_ones():
    # Format characters and default ignorables go (bidi controls excepted); marks (accents, keycaps) stay.
    for cp in category_members("Cf") + default_ignorables():
        ch = chr(cp)
        assert clean_input(f"1{ch}2") == (f"1{ch}2" if ch in _BIDI else "12"), hex(cp)
    ignorable = set(default_ignorables())
    for cp in category_members("Mn") + category_members("Me"):
        if cp in ignorable:
            continue
        assert clean_input(f"a{chr(cp)}") == f"a{chr(cp)}", hex(cp)
    for text in ["客户张伟，谢谢", "José\u0301 García", "👍 ok", "1\u20e3"]:
        assert clean_input(text) == text


# --- the forms seen in the attack pass, and their relatives -------------------------------------------
def each_digit(suffix: str) -> str:
    return "".join(d + suffix for d in PHONE)


PHONE_FORMS = {
    "keycaps": each_digit("\ufe0f\u20e3"),
    "keycaps without VS16": each_digit("\u20e3"),
    "keycaps a space apart (as in the attack pass)": " ".join(d + "\ufe0f\u20e3" for d in PHONE),
    "VS16 after each digit": each_digit("\ufe0f"),
    "VS1 after each digit": each_digit("\ufe00"),
    "ideographic variation selector": each_digit("\U000e0100"),
    "combining acute": each_digit("\u0301"),
    "combining enclosing circle": each_digit("\u20dd"),
    "combining grapheme joiner": each_digit("\u034f"),
    "tag space between digits": "\U000e0020".join(PHONE),
    "tag letters between digits": "".join(d + "\U000e0041\U000e007f" for d in PHONE),
    "Hangul filler": "\u3164".join(PHONE),
    "halfwidth Hangul filler": "\uffa0".join(PHONE),
    "Hangul choseong and jungseong fillers": "138\u115f1234\u11605678",
    "Mongolian free variation selector": "\u180b".join(PHONE),
    "Arabic number sign": "\u0600" + PHONE,
    "interlinear annotation": "138\ufff91234\ufffa5678\ufffb",
    "reserved default ignorable": "138\ufff01234\U000e0fff5678",
    "RLO reversed, closed": "\u202e" + PHONE[::-1] + "\u202c",
    "RLO reversed, to the line end": "\u202e" + PHONE[::-1] + "\n",
    "RLO reversed, to the text end": "\u202e" + PHONE[::-1],
    "RLE reversed": "\u202b" + PHONE[::-1] + "\u202c",
    "RLI isolate reversed": "\u2067" + PHONE[::-1] + "\u2069",
    "FSI isolate reversed": "\u2068" + PHONE[::-1] + "\u2069",
    "RLO reversed with an LRM inside": "\u202e" + PHONE[::-1][:5] + "\u200e" + PHONE[::-1][5:] + "\u202c",
    "RLO reversed in two nested overrides": "\u202e876\u202e54321831\u202c\u202c",
    "RLE around digits shown in order": "\u202b138\u200e12345678\u202c",
    "LRI isolate splitting the digits": "138\u20661234\u20695678",
    "LRM between digits": "138\u200e1234\u200e5678",
    "RLM between digits": "138\u200f12345678",
    "ALM between digits": "138\u061c12345678",
    "PDF alone": "138\u202c12345678",
    "override reversed, then the tail in order": "\u202e831\u202c12345678",
}


@pytest.mark.parametrize("form", sorted(PHONE_FORMS))
def test_a_disguised_phone_is_found_whole(form):
    text = f"客户手机{PHONE_FORMS[form]}谢谢"
    spans = find_spans(text)
    assert_phone_hidden(text, spans)
    result = redact(text, Placeholders())
    assert PHONE not in digits(result.text) and PHONE[::-1] not in digits(result.text)


def test_two_values_with_only_a_bidi_control_between_are_both_found():
    for control in sorted(_BIDI):
        text = f"手机{PHONE}{control}13912345678"
        assert [text[s.start:s.end] for s in find_spans(text)] == [PHONE, "13912345678"], hex(ord(control))


def test_an_rtl_run_is_bounded():
    # Past RTL_RUN characters a run counts as closed: text long after an opener is read in order only.
    far = "\u202e" + "x" * N.RTL_RUN + PHONE[::-1]
    assert find_spans(far) == []
    near = "\u202e" + "x" * (N.RTL_RUN - len(PHONE)) + PHONE[::-1]
    assert [s.label for s in find_spans(near)] == ["PHONE"]


EMAIL_FORMS = {
    "Cyrillic a in the domain": ("zhang.wei@gm\u0430il.com", "zhang.wei@gmail.com"),
    "Cyrillic e, x, a in the domain": ("zhang.wei@\u0435\u0445\u0430mple.com", EMAIL),
    "Greek omicron in the TLD": ("zhang.wei@example.c\u03bfm", EMAIL),
    "Cyrillic in the local part": ("zh\u0430ng.w\u0435i@example.com", EMAIL),
    "Greek and Cyrillic capitals": ("ZH\u0391NG.WEI@\u0415XAMPLE.COM", "ZHANG.WEI@EXAMPLE.COM"),
    "Cherokee and Lisu letters": ("zhang.wei@\u13acxample.com", "zhang.wei@Example.com"),
    "Lisu full stop in the domain": ("zhang.wei@example\ua4f8com", EMAIL),
    "dotless i": ("zhang.we\u0131@example.com", EMAIL),
    "mathematical letters": ("\U0001d433hang.wei@example.com", EMAIL),
    "RLO reversed": ("\u202e" + EMAIL[::-1] + "\u202c", EMAIL),
    "RLI reversed, Cyrillic o": ("\u2067" + EMAIL[::-1].replace("o", "\u043e") + "\u2069", EMAIL),
    "tags and VS16 inside": ("zhang\U000e0020.wei\ufe0f@example.com", EMAIL),
}


@pytest.mark.parametrize("form", sorted(EMAIL_FORMS))
def test_a_disguised_email_is_found_whole(form):
    shown, ascii_form = EMAIL_FORMS[form]
    text = f"客户邮箱 {shown} ，谢谢"
    if "\u202e" not in shown and "\u2067" not in shown:
        assert ascii_form in normalise(text).text  # the view reads what a person reads
    spans = find_spans(text)
    assert [s.label for s in spans] == ["EMAIL"], (form, spans)
    left = outside(text, spans)
    assert "@" not in left and "example" not in left.lower() and "zhang" not in left.lower(), (form, left)


# --- what must not change -----------------------------------------------------------------------------
def test_ascii_is_never_folded_even_where_tr39_would():
    # TR39 skeletons map m -> rn, 0 -> O, 1 -> l: never applied to ASCII, alone or in other text.
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    assert normalise("中" + printable).text == "中" + printable
    assert all(not ch.isascii() for ch in N._confusables())


def test_confusables_come_from_the_package_and_fold_only_letters_and_digits():
    table = N._confusables()
    assert len(table) > 1000  # Unicode's table, not a hand list
    assert table["\u0430"] == "a" and table["\u043e"] == "o" and table["\u03bf"] == "o"
    for ch, proto in table.items():
        assert unicodedata.category(ch)[0] in "LN" and proto.isascii() and proto.isprintable(), hex(ord(ch))
        assert not N._in(ord(ch), N._CJK)


@pytest.mark.parametrize("text", [
    "二〇二四年五月一日，客户说谢谢。",  # Chinese zero stays Chinese
    "您好，请问有什么可以帮您？",
    "Спасибо, всё хорошо.",
    "Gracias, volveré a llamar mañana 👍🏽",  # (a name such as José García is now a name: no cue needed)
    "مرحبا، شكرا لك",
    "שלום \u202bעולם\u202c ok",
    "caf\u00e9 and cafe\u0301 are the same",
])
def test_ordinary_text_in_other_scripts_holds_no_value(text):
    assert find_spans(text) == []
    if "〇" in text or text.startswith("您好"):
        assert normalise(text).text.replace(",", "，").replace("?", "？") == text


# --- through a whole turn: what the engine receives ---------------------------------------------------
TURN_FORMS = [f"客户手机{form}，请处理" for form in (
    PHONE_FORMS["keycaps"], PHONE_FORMS["keycaps a space apart (as in the attack pass)"],
    PHONE_FORMS["VS16 after each digit"], PHONE_FORMS["combining acute"], PHONE_FORMS["tag space between digits"], PHONE_FORMS["Hangul filler"],
    PHONE_FORMS["RLO reversed, closed"], PHONE_FORMS["RLI isolate reversed"],
    PHONE_FORMS["LRI isolate splitting the digits"], PHONE_FORMS["RLE around digits shown in order"],
)] + [f"客户邮箱 {EMAIL_FORMS[f][0]} ，请处理" for f in (
    "Cyrillic a in the domain", "Greek omicron in the TLD", "Cyrillic in the local part", "RLO reversed")]


def test_the_engine_never_receives_a_disguised_value_in_any_order(tmp_path, fake_engine):
    env = {"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
           "HUSHDESK_ENGINE_URL": fake_engine.base_url, "HUSHDESK_MODEL_NAME": "fake-model"}
    settings = load_settings(env, dotenv=False)
    ensure_initialised(settings)

    async def turns():
        runtime = Runtime.open(settings)
        await runtime.start()
        await runtime.wait_ready(10)
        try:
            out = []
            for k, text in enumerate(TURN_FORMS):
                conv = runtime.conversation(f"chainlit-session-{k}", "alice.staff", "staff")

                async def on_text(piece):
                    pass

                out.append(await runtime.chat.turn(conv, text, on_text))
            return out
        finally:
            await runtime.stop()

    before = len(fake_engine.requests())
    results = asyncio.run(turns())
    assert [r.outcome for r in results] == ["ok"] * len(TURN_FORMS)
    bodies = fake_engine.requests()[before:]
    assert len(bodies) == len(TURN_FORMS)
    for text, body, result in zip(TURN_FORMS, bodies, results):
        sent = json.loads(body)["messages"][-1]["content"]
        seen = normalise(sent).text
        assert sum(result.record.redactions_in.values()) == 1, (text, sent)
        sent_digits = digits(sent)
        assert PHONE not in sent_digits and PHONE[::-1] not in sent_digits, (text, sent)
        assert not re.search(r"[0-9]{4}", sent_digits), (text, sent)
        for needle in ("zhang", "gnahz", "example", "elpmaxe", "@"):
            assert needle not in seen.lower(), (text, sent)
        assert "请处理" in sent


# --- a model's reply, streamed -----------------------------------------------------------------------
REPLY = ("好的，已记录。客户手机" + PHONE_FORMS["keycaps"] + "，备用" + PHONE_FORMS["RLO reversed, closed"]
         + "，还有" + PHONE_FORMS["tag space between digits"] + "和" + PHONE_FORMS["Hangul filler"]
         + "。\n邮箱 " + EMAIL_FORMS["Cyrillic a in the domain"][0]
         + " 或 " + EMAIL_FORMS["RLO reversed"][0]
         + " ，以及 \u2067" + PHONE[::-1] + "\n结束。")


def _stream(chunks: list[str]) -> tuple[str, list[str]]:
    redactor = StreamRedactor(Placeholders())
    pieces = [redactor.feed(c) for c in chunks]
    pieces.append(redactor.flush())
    return "".join(pieces), pieces


def _assert_reply_hidden(out: str) -> None:
    seen = normalise(out).text
    assert PHONE not in digits(out) and PHONE[::-1] not in digits(out)
    assert not re.search(r"[0-9]{4}", digits(out)), out
    assert "@" not in seen and "gmail" not in seen and "elpmaxe" not in seen, out


def test_a_streamed_reply_with_disguised_values_shows_none_of_them():
    expected = redact(REPLY, Placeholders()).text
    _assert_reply_hidden(expected)
    rng = random.Random(11)
    splits = [list(REPLY)]
    for _ in range(30):
        bounds = [0, *sorted(rng.sample(range(len(REPLY)), 12)), len(REPLY)]
        splits.append([REPLY[a:b] for a, b in zip(bounds, bounds[1:])])
    for chunks in splits:
        out, pieces = _stream(chunks)
        assert out == expected
        shown = ""
        for piece in pieces:  # never a value early: every prefix is a prefix of the batch result
            shown += piece
            assert expected.startswith(shown)


def test_a_stream_holds_an_open_rtl_run_and_lets_go_within_its_bound():
    redactor = StreamRedactor(Placeholders())
    held = redactor.feed("客户手机\u202e" + PHONE[::-1][:6]) + redactor.feed(PHONE[::-1][6:])
    assert digits(held) == ""
    # Once the run closes and enough text follows, the stream goes on; nothing of the number shows.
    out = held + redactor.feed("\u202c" + "，好的。" * 80)
    assert len(out) > 100
    out += redactor.flush()
    _assert_reply_hidden(out)
    assert out == redact("客户手机\u202e" + PHONE[::-1] + "\u202c" + "，好的。" * 80, Placeholders()).text
    # An unclosed run stops holding RTL_RUN characters after its opener (plus the detectors' reach).
    redactor = StreamRedactor(Placeholders())
    out = redactor.feed("\u202e" + "，好的。" * 100)
    assert 0 < len(out) and len(out) >= 400 - (N.RTL_RUN + 2 * redactor._margin)


@pytest.mark.parametrize("text", [
    "1 3 8 1 2 3 4 5 6 7 8 9",   # twelve spaced digits: no mobile number
    "0 1 3 8 1 2 3 4 5 6 7 8",   # part of a longer spaced run
    "1 3 8 1 2 3 4 5 6 7",       # ten
    "步骤 1 2 3 4 5 6 7 8 9 0 1",  # does not start 1[3-9]
])
def test_spaced_single_digits_are_a_phone_only_as_a_whole_mobile_number(text):
    # On the reply side (what a stream runs) the keycap rule takes a whole mobile number only. The input
    # side also reads eight or more digits read out one by one as a number (redaction.detectors.phones,
    # SPACED_PHONE), wherever its cue was, so there these are phones (all but the step list, a run).
    from redaction.redactor import compiled

    assert [s for s in compiled().output.find_spans(text) if s.label == "PHONE"] == []
    assert bool([s for s in find_spans(text) if s.label == "PHONE"]) == (not text.startswith("步骤"))
