"""Password policy (NIST SP 800-63B): length in code points, NFKC, a blocklist, no composition rules."""

from __future__ import annotations

import gzip

import pytest

from services.errors import HushdeskError
from services.auth.passwords import (
    COMMON_LIST,
    DEFAULT_MIN_LENGTH,
    MAX_LENGTH,
    PasswordCommon,
    PasswordContextual,
    PasswordRejected,
    PasswordRepetitive,
    PasswordTooLong,
    PasswordTooShort,
    check_password,
    common_passwords,
    normalise,
)

WORDS = (
    "amber basil cobalt dune ember fjord garnet harbour indigo juniper kelp lantern meadow "
    "nutmeg orchid pebble quartz rowan saffron thistle umber velvet willow xenon yarrow zephyr"
).split()


def _passphrase(length: int) -> str:
    """A non-repeating passphrase of exactly `length` characters."""
    parts: list[str] = []
    i = 0
    while len(" ".join(parts)) < length:
        parts.append(f"{WORDS[i % len(WORDS)]}{i}")
        i += 1
    return " ".join(parts)[:length]


ACCEPTED = [
    pytest.param("correct horse battery staple", id="classic-passphrase"),
    pytest.param("alllowercaseandnodigits", id="no-composition-rules"),
    pytest.param("我的客服密码是蓝色的海洋与天空", id="chinese"),
    pytest.param("tea 🫖 and biscuits at four", id="emoji-and-spaces"),
    pytest.param("   leading and trailing spaces   ", id="spaces-kept"),
    pytest.param("Ünïcødé pässphräse", id="accents"),
    pytest.param("Tr0ub4dor&3xyz", id="mixed-not-listed"),
    pytest.param("password20242024", id="listed-word-plus-suffix-at-16"),
    pytest.param("correcthorse correcthorse", id="long-unit-repeated"),
    pytest.param("bluewhale8!!", id="unlisted-base-with-suffix"),
    pytest.param(_passphrase(64), id="64-chars"),
    pytest.param(_passphrase(MAX_LENGTH), id="1024-chars"),
]

REJECTED = [
    pytest.param("", PasswordTooShort, id="empty"),
    pytest.param("short one", PasswordTooShort, id="short"),
    pytest.param("我的密码很安全", PasswordTooShort, id="short-chinese"),
    pytest.param("🫖" * 11, PasswordTooShort, id="emoji-counted-as-code-points"),
    pytest.param(_passphrase(MAX_LENGTH + 1), PasswordTooLong, id="1025-chars"),
    pytest.param("x" * (10 * MAX_LENGTH), PasswordTooLong, id="huge"),
    pytest.param("password1234", PasswordCommon, id="listed"),
    pytest.param("PassWord1234", PasswordCommon, id="listed-any-case"),
    pytest.param("ｐａｓｓｗｏｒｄ１２３４", PasswordCommon, id="full-width-nfkc"),
    pytest.param("password2024!", PasswordCommon, id="listed-base-plus-suffix"),
    pytest.param("iloveyou 2024!!", PasswordCommon, id="listed-base-plus-spaced-suffix"),
    pytest.param("motherfucker", PasswordCommon, id="listed-long"),
    pytest.param("q1w2e3r4t5y6", PasswordCommon, id="listed-keyboard-pattern"),
    pytest.param("пароль123456", PasswordCommon, id="listed-cyrillic-base"),
    pytest.param("hushdesk rocks!", PasswordContextual, id="product-name"),
    pytest.param("my HushDesk login", PasswordContextual, id="product-name-any-case"),
    pytest.param("ＨＵＳＨＤＥＳＫ ｌｏｇｉｎ", PasswordContextual, id="product-name-full-width"),
    pytest.param("alice likes blue whales", PasswordContextual, id="user-name"),
    pytest.param("blue whales for ALICE", PasswordContextual, id="user-name-any-case"),
    pytest.param("aaaaaaaaaaaa", PasswordRepetitive, id="one-character"),
    pytest.param("111111111112", PasswordRepetitive, id="two-characters"),
    pytest.param("abcabcabcabc", PasswordRepetitive, id="short-unit-repeated"),
    pytest.param("monkeymonkey", PasswordRepetitive, id="word-repeated"),
    pytest.param("xyzxyzxyzxyzx", PasswordRepetitive, id="partial-trailing-copy"),
    pytest.param("123456789012", PasswordRepetitive, id="digits-wrapping"),
    pytest.param("210987654321", PasswordRepetitive, id="digits-down"),
    pytest.param("abcdefghijkl", PasswordRepetitive, id="alphabet"),
    pytest.param("AbCdEfGhIjKl", PasswordRepetitive, id="alphabet-mixed-case"),
    pytest.param("lkjihgfedcba", PasswordRepetitive, id="alphabet-down"),
    pytest.param("qwertyuiopas", PasswordRepetitive, id="keyboard-row"),
    pytest.param("абвгдежзийкл", PasswordRepetitive, id="cyrillic-alphabet"),
]


@pytest.mark.parametrize("password", ACCEPTED)
def test_accepted(password: str) -> None:
    assert check_password(password, user_name="alice") == normalise(password)


@pytest.mark.parametrize(("password", "error"), REJECTED)
def test_rejected(password: str, error: type[PasswordRejected]) -> None:
    with pytest.raises(error) as caught:
        check_password(password, user_name="alice")
    assert type(caught.value) is error


@pytest.mark.parametrize(("password", "error"), REJECTED)
def test_messages_never_hold_the_password(password: str, error: type[PasswordRejected]) -> None:
    with pytest.raises(PasswordRejected) as caught:
        check_password(password, user_name="alice")
    exc = caught.value
    assert isinstance(exc, HushdeskError) and exc.outcome == "weak_password"
    assert exc.message and exc.message == str(exc)
    if password.strip():
        for text in (exc.message, str(exc), repr(exc), repr(exc.args)):
            assert password not in text
            assert normalise(password) not in text


def test_messages_are_fixed() -> None:
    assert PasswordTooLong().message == "The password must be at most 1024 characters long."
    assert PasswordCommon().message.startswith("That password is too common")
    assert PasswordContextual().message == (
        "The password must not contain the user name or the product name."
    )
    assert "aaaa or 1234" in PasswordRepetitive().message


@pytest.mark.parametrize("min_length", [8, 12, 16, 64])
def test_too_short_message_states_the_minimum(min_length: int) -> None:
    with pytest.raises(PasswordTooShort) as caught:
        check_password(_passphrase(min_length - 1), min_length=min_length)
    assert caught.value.message == f"The password must be at least {min_length} characters long."
    assert check_password(_passphrase(min_length), min_length=min_length)


def test_default_minimum_is_twelve() -> None:
    assert DEFAULT_MIN_LENGTH == 12
    with pytest.raises(PasswordTooShort, match="at least 12 characters"):
        check_password("bluewhale8!")
    assert check_password("bluewhale8!!") == "bluewhale8!!"


def test_min_length_sixteen() -> None:
    assert check_password("blue whale song") == "blue whale song"  # 15: fine at the default
    with pytest.raises(PasswordTooShort, match="at least 16 characters"):
        check_password("blue whale song", min_length=16)
    assert check_password("blue whale songs", min_length=16) == "blue whale songs"
    # A repeated unit counts as repetitive while the unit alone would be too short.
    assert check_password("correcthorse" * 2)
    with pytest.raises(PasswordRepetitive):
        check_password("correcthorse" * 2, min_length=16)


@pytest.mark.parametrize("min_length", [0, 7, 65, 1024, True, 12.0, "12"])
def test_min_length_outside_nist_bounds_is_a_programming_error(min_length: object) -> None:
    with pytest.raises(ValueError):
        check_password("correct horse battery staple", min_length=min_length)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, b"correct horse battery staple", 123456789012])
def test_non_strings_are_rejected(value: object) -> None:
    with pytest.raises(PasswordRejected) as caught:
        check_password(value)  # type: ignore[arg-type]
    assert type(caught.value) is PasswordRejected


def test_full_width_is_judged_like_ascii() -> None:
    assert normalise("ｐａｓｓｗｏｒｄ１２３４") == "password1234"
    with pytest.raises(PasswordCommon):
        check_password("password1234")
    with pytest.raises(PasswordCommon):
        check_password("ｐａｓｓｗｏｒｄ１２３４")
    assert check_password("ｂｌｕｅ　ｗｈａｌｅ　ｓｏｎｇ") == "blue whale song"


def test_length_is_counted_after_normalisation() -> None:
    ligature = "\ufb01"  # "ﬁ" becomes "fi" under NFKC
    assert len(normalise(ligature * 6)) == 12
    assert check_password("ﬁve ﬂat ﬁelds") == "five flat fields"
    with pytest.raises(PasswordTooLong):
        check_password(ligature * 513)  # 513 code points in, 1026 after NFKC
    decomposed = "cafe\u0301 au lait"  # 13 in, 12 after NFKC composes é
    assert len(check_password(decomposed)) == 12
    with pytest.raises(PasswordTooShort):
        check_password(decomposed, min_length=13)


def test_user_name_rules() -> None:
    passphrase = "bob and al went to the shops"
    assert check_password(passphrase, user_name="al") == passphrase  # names under 3 chars skipped
    assert check_password(passphrase, user_name=None) == passphrase
    assert check_password(passphrase, user_name="") == passphrase
    with pytest.raises(PasswordContextual):
        check_password(passphrase, user_name="BOB")
    with pytest.raises(PasswordContextual):
        check_password("my name is alice.smith ok", user_name="alice.smith")


def test_common_suffix_rule_stops_at_sixteen_characters() -> None:
    with pytest.raises(PasswordCommon):
        check_password("sunshine2024!!!")  # 15 characters, base "sunshine" is listed
    assert check_password("sunshine2024!!!!") == "sunshine2024!!!!"  # 16: left alone
    with pytest.raises(PasswordCommon):
        check_password("iloveyou", min_length=8)
    # An all-digit password has no base word; it is judged on its own.
    assert check_password("839201748392") == "839201748392"


def test_common_list_loads() -> None:
    assert COMMON_LIST.name == "common-passwords.txt.gz"
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as f:
        raw = [line.strip() for line in f if line.strip()]
    listed = common_passwords()
    assert isinstance(listed, frozenset)
    assert len(listed) >= 10_000
    assert len(listed) == len({e.casefold() for e in raw})
    for entry in ("password", "123456", "qwerty", "iloveyou", "password1234", "111111111111",
                  "q1w2e3r4t5y6", "motherfucker"):
        assert entry in listed
    assert "123456789012" not in listed  # caught by the sequence rule instead
    assert all(e == e.casefold() for e in listed)
    assert common_passwords() is listed  # loaded once
