"""Keys: created owner-only, taken from settings first, malformed or exposed key files refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pytest

from services.config import Settings, load_settings
from services.errors import KeyFileError
from services.keys import KEY_NAMES, Keys, hash_id, load_keys

HEX_A = "a1" * 32
HEX_B = "b2" * 32


def make_settings(data_dir: Path, **env: str) -> Settings:
    environ = {"HUSHDESK_DATA_DIR": str(data_dir)}
    environ.update({"HUSHDESK_" + k.upper(): v for k, v in env.items()})
    return load_settings(environ, dotenv=False)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_key_file(path: Path, data: object, file_mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    os.chmod(path, file_mode)


def test_create_writes_owner_only_file_and_dir(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    keys = load_keys(settings, create=True)
    assert mode(settings.data_dir) == 0o700
    assert mode(settings.key_file_path) == 0o600
    assert len(keys.db_key) == len(keys.pepper) == len(keys.chain_key) == 32
    assert len({keys.db_key, keys.pepper, keys.chain_key}) == 3
    assert len(keys.auth_secret) >= 32
    assert sorted(json.loads(settings.key_file_path.read_text())) == sorted(KEY_NAMES)
    assert load_keys(settings) == keys  # read back, nothing regenerated
    assert [p.name for p in settings.data_dir.iterdir()] == ["keys.json"]  # no temp file left


def test_repr_is_masked(tmp_path: Path) -> None:
    keys = load_keys(make_settings(tmp_path / "data"), create=True)
    text = repr(keys) + str(keys)
    for secret in (keys.db_key.hex(), keys.pepper.hex(), keys.chain_key.hex(), keys.auth_secret):
        assert secret not in text


def test_settings_override_the_file(tmp_path: Path) -> None:
    created = load_keys(make_settings(tmp_path / "data"), create=True)
    keys = load_keys(make_settings(tmp_path / "data", db_key=HEX_A))
    assert keys.db_key == bytes.fromhex(HEX_A)
    assert (keys.pepper, keys.chain_key, keys.auth_secret) == (created.pepper, created.chain_key, created.auth_secret)


def test_all_from_settings_needs_no_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", db_key=HEX_A, pepper=HEX_B, chain_key=HEX_A, auth_secret="s" * 40,
                             signing_key=HEX_B)
    keys = load_keys(settings, create=True)
    assert keys == Keys(bytes.fromhex(HEX_A), bytes.fromhex(HEX_B), bytes.fromhex(HEX_A), "s" * 40,
                        bytes.fromhex(HEX_B))
    assert not settings.key_file_path.exists()


def test_create_stores_only_the_keys_not_set(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", db_key=HEX_A)
    keys = load_keys(settings, create=True)
    stored = json.loads(settings.key_file_path.read_text())
    assert sorted(stored) == ["auth_secret", "chain_key", "pepper", "signing_key"]
    assert HEX_A not in settings.key_file_path.read_text()
    assert keys.db_key == bytes.fromhex(HEX_A)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("db_key", "zz" * 32),
        ("pepper", "ab" * 16),
        ("chain_key", HEX_A + "00"),
        ("auth_secret", "too-short-secret"),
    ],
)
def test_malformed_setting_names_the_key(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(KeyFileError) as err:
        load_keys(make_settings(tmp_path / "data", **{name: value}), create=True)
    assert err.value.message.startswith(f"HUSHDESK_{name.upper()} is malformed")
    assert value not in err.value.message


def test_malformed_file_value_names_the_key(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    write_key_file(settings.key_file_path, {"db_key": "not-hex", "pepper": HEX_A, "chain_key": HEX_B, "auth_secret": "x" * 40})
    with pytest.raises(KeyFileError) as err:
        load_keys(settings)
    assert err.value.message.startswith(f"db_key in {settings.key_file_path} is malformed")
    assert "not-hex" not in err.value.message


def test_key_file_that_is_not_json(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir()
    settings.key_file_path.write_text("db_key=" + HEX_A)
    os.chmod(settings.key_file_path, 0o600)
    with pytest.raises(KeyFileError, match="is malformed") as err:
        load_keys(settings, create=True)
    assert HEX_A not in err.value.message


def test_key_missing_from_existing_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    write_key_file(settings.key_file_path, {"db_key": HEX_A, "pepper": HEX_B, "auth_secret": "x" * 40})
    with pytest.raises(KeyFileError, match="HUSHDESK_CHAIN_KEY is not set and chain_key is missing"):
        load_keys(settings, create=True)


@pytest.mark.parametrize("file_mode", [0o644, 0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, file_mode: int) -> None:
    settings = make_settings(tmp_path / "data")
    load_keys(settings, create=True)
    os.chmod(settings.key_file_path, file_mode)
    with pytest.raises(KeyFileError) as err:
        load_keys(settings)
    assert str(settings.key_file_path) in err.value.message
    assert "chmod 600" in err.value.message


def test_existing_store_without_keys_is_never_given_new_keys(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir()
    settings.audit_db_path.write_bytes(b"\0" * 4096)
    with pytest.raises(KeyFileError) as err:
        load_keys(settings, create=True)
    assert "HUSHDESK_DB_KEY" in err.value.message
    assert "store" in err.value.message
    assert not settings.key_file_path.exists()


def test_missing_without_create_says_to_run_setup(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with pytest.raises(KeyFileError) as err:
        load_keys(settings)
    assert "HUSHDESK_DB_KEY" in err.value.message
    assert "python -m services.ops.bootstrap" in err.value.message
    assert not settings.data_dir.exists()


def test_hash_id_is_keyed_and_kind_separated() -> None:
    pepper = bytes.fromhex(HEX_A)
    value = hash_id(pepper, "user", "alice")
    assert value == hmac.new(pepper, b"user:alice", hashlib.sha256).hexdigest()
    assert value != hash_id(pepper, "session", "alice")
    assert value != hash_id(bytes.fromhex(HEX_B), "user", "alice")
    assert len(value) == 64


def test_a_key_file_from_before_the_signing_key_gets_one_added(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    first = load_keys(settings, create=True)
    stored = json.loads(settings.key_file_path.read_text())
    del stored["signing_key"]
    settings.key_file_path.write_text(json.dumps(stored))
    os.chmod(settings.key_file_path, 0o600)
    again = load_keys(settings)  # not create: the store may exist; only this key is added
    assert again.db_key == first.db_key and len(again.signing_key) == 32
    assert oct(settings.key_file_path.stat().st_mode & 0o777) == "0o600"
    assert load_keys(settings).signing_key == again.signing_key  # kept, not regenerated
    del stored["pepper"]
    settings.key_file_path.write_text(json.dumps(stored))
    with pytest.raises(KeyFileError, match="HUSHDESK_PEPPER"):
        load_keys(settings)  # other keys are never invented for an existing file
