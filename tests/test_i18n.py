"""Translations: zh-CN.json covers en-US.json, the login page is bilingual, every error has Chinese."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import services.errors
import services.web.frontend
import services.limits
import services.auth.passwords
import services.auth.signin
import services.auth.users
import services.roles
from services.errors import EngineTimeout, HushdeskError, InputRejected, StoreError
from services.web.frontend import FrontendError
from services.i18n import MESSAGES, error_text, language, text
from services.auth.passwords import PasswordTooShort
from services.auth.users import InvalidRole

TRANSLATIONS = Path(__file__).resolve().parents[1] / ".chainlit" / "translations"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}")
NEW_LOGIN_ERRORS = ("sessionIdle", "sessionExpired", "sessionRevoked", "tooManyAttempts", "credentialsSignin")
UI_IDS = ("demo_notice", "unsafe_error", "role_cannot_chat", "consent_title", "consent_default",
          "consent_accept", "consent_required", "consent_recorded", "clear_conversation",
          "conversation_cleared", "session_ended", "busy", "welcome_auditor")


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    """Every leaf of a nested dict, keyed by its dotted path."""
    out: dict[str, object] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def _load(name: str) -> dict[str, object]:
    """One translation file, flattened."""
    return _flatten(json.loads((TRANSLATIONS / f"{name}.json").read_text(encoding="utf-8")))


def _error_classes() -> list[type[HushdeskError]]:
    """Every HushdeskError class defined in services.errors, services.auth.users and services.web.frontend."""
    found = []
    for module in (services.errors, services.auth.users, services.web.frontend, services.auth.passwords, services.auth.signin,
                   services.limits):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, HushdeskError) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def test_zh_cn_has_every_key_of_en_us_and_no_empty_value() -> None:
    en, zh = _load("en-US"), _load("zh-CN")
    assert sorted(set(en) - set(zh)) == []
    assert sorted(set(zh) - set(en)) == []
    for path, value in zh.items():
        assert isinstance(value, str) and value.strip(), path


def test_placeholders_match_per_key() -> None:
    en, zh = _load("en-US"), _load("zh-CN")
    for path, value in en.items():
        assert sorted(PLACEHOLDER.findall(str(value))) == sorted(PLACEHOLDER.findall(str(zh[path]))), path


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_login_title_and_errors_are_bilingual(locale: str) -> None:
    flat = _load(locale)
    for path in ["auth.login.title", *(f"auth.login.errors.{k}" for k in NEW_LOGIN_ERRORS)]:
        value = flat.get(path)
        assert isinstance(value, str), path
        assert CJK.search(value) and LATIN.search(value), path
    first = CJK if locale == "zh-CN" else LATIN
    title = str(flat["auth.login.title"])
    assert first.match(title), "the page's own language comes first"
    assert "hushdesk" in title


def test_every_error_class_has_a_chinese_translation() -> None:
    classes = _error_classes()
    names = {cls.__name__ for cls in classes}
    assert {"HushdeskError", "StoreError", "EngineTimeout", "UserError", "LastAdmin", "FrontendError"} <= names
    for cls in classes:
        exc = cls()
        zh = error_text(exc, "zh-CN")
        assert CJK.search(zh), cls.__name__
        assert error_text(exc, "en") == exc.message


def test_error_entries_match_default_messages_and_keep_numbers() -> None:
    """The English of each error entry is its class's default_message; numbers and names survive."""
    by_name = {cls.__name__: cls for cls in _error_classes()}
    for key, entry in MESSAGES.items():
        if key.startswith("error."):
            cls = by_name[key.removeprefix("error.")]
            assert entry["en"] == cls.default_message, key
            for token in re.findall(r"\d+", entry["en"]):
                assert token in entry["zh-CN"], key
    assert all(role in error_text(InvalidRole(), "zh-CN") for role in services.roles.ROLES)
    assert "16" in error_text(PasswordTooShort(16), "zh-CN") and "16" in error_text(PasswordTooShort(16), "en")


def test_error_text_custom_and_foreign_messages() -> None:
    custom = StoreError("HUSHDESK_DATA_DIR is not writable.")
    assert error_text(custom, "zh-CN") == custom.message == error_text(custom, "en")
    assert error_text(InputRejected(), "zh-CN") == MESSAGES["error.InputRejected"]["zh-CN"]
    assert error_text(EngineTimeout(), "zh-CN") == MESSAGES["error.EngineTimeout"]["zh-CN"]
    assert error_text(FrontendError(), "zh-CN") == MESSAGES["error.FrontendError"]["zh-CN"]
    assert error_text(ValueError("secret text"), "zh-CN") == text("unsafe_error", "zh-CN")
    assert "secret" not in error_text(ValueError("secret text"), "en")


def test_subclass_without_translation_uses_nearest_translated_class() -> None:
    class Inherits(StoreError):
        pass

    class OwnMessage(StoreError):
        default_message = "A message nobody translated."

    assert error_text(Inherits(), "zh-CN") == MESSAGES["error.StoreError"]["zh-CN"]
    assert error_text(OwnMessage(), "zh-CN") == "A message nobody translated."


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("zh-CN", "zh-CN"),
    ("zh", "zh-CN"),
    ("zh-Hans", "zh-CN"),
    ("zh-TW,zh;q=0.9", "zh-CN"),
    ("zh-HK", "zh-CN"),
    ("zh_CN", "zh-CN"),
    ("ZH-cn", "zh-CN"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("en;q=0.5,zh-CN;q=0.9", "zh-CN"),
    ("zh-CN;q=0,en", "en"),
    ("fr-FR,fr;q=0.9", "en"),
    ("*", "en"),
    ("zhx", "en"),
    ("", "en"),
    (None, "en"),
    ("garbage;;;,", "en"),
    ("zh;q=abc,en;q=0.1", "en"),
])
def test_language(header: str | None, expected: str) -> None:
    assert language(header) == expected


def test_text_fallback_and_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in UI_IDS:
        assert LATIN.search(text(key, "en")), key
        assert CJK.search(text(key, "zh-CN")), key
    assert text("busy", "fr") == text("busy", "en")
    monkeypatch.setitem(MESSAGES, "only_en", {"en": "Hello {name} {{x}}"})
    assert text("only_en", "zh-CN") == "Hello {name} {{x}}"
    assert text("only_en", "zh-CN", name="Ann") == "Hello Ann {x}"
    with pytest.raises(KeyError):
        text("no_such_message", "en")
