"""Load or create hushdesk's five secrets; fail closed.

Each key comes from its setting (`HUSHDESK_DB_KEY`, `HUSHDESK_PEPPER`, `HUSHDESK_CHAIN_KEY`,
`HUSHDESK_AUTH_SECRET`, `HUSHDESK_SIGNING_KEY`) when set, else from the key file
`<data_dir>/keys.json` (a JSON object, mode 0600). Keys are generated only on explicit set-up
(`create=True`) and only while no store exists: new keys could never open an existing store. The
one exception is the audit signing key, added to an existing key file when missing (a store made
before it existed): it only signs checkpoints from then on. Errors name the key, never its value.

With `HUSHDESK_SIGNER_SOCKET` set the signing key belongs to the signer service, under its own
account: it is neither read, created nor added here, and `Keys.signing_key` is None.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import KeyFileError

__all__ = ["Keys", "KEY_NAMES", "load_keys", "hash_id", "update_key_file", "metrics_token"]

KEY_NAMES = ("db_key", "pepper", "chain_key", "auth_secret", "signing_key")
_HEX_KEYS = ("db_key", "pepper", "chain_key", "signing_key")
_ADDABLE = ("signing_key",)  # may be added to an existing key file (see the module docstring)
_MIN_AUTH_SECRET = 32
_SETUP_HINT = "run set-up first: python -m services.ops.bootstrap (or make run)"


@dataclass(frozen=True)
class Keys:
    """The secrets: 32-byte keys, the login-token secret and the Ed25519 seed (None with a signer service)."""

    db_key: bytes
    pepper: bytes
    chain_key: bytes
    auth_secret: str
    signing_key: bytes | None

    def __repr__(self) -> str:
        return ("Keys(db_key=********, pepper=********, chain_key=********, auth_secret=********, "
                "signing_key=********)")

    __str__ = __repr__


def hash_id(pepper: bytes, kind: str, value: str) -> str:
    """Return the HMAC-SHA256 hex of f"{kind}:{value}" under `pepper` (kind: "session", "user"…)."""
    return hmac.new(pepper, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def metrics_token(settings: Settings, *, rotate: bool = False) -> str:
    """The bearer token `GET /metrics` takes with HUSHDESK_METRICS_ACCESS=token: the key file's
    `metrics_token`, generated into it when missing or with `rotate` (the old one then stops working
    at the app's next start). Not one of the store's keys: losing it only means making a new one."""
    path = settings.key_file_path
    data = _read_key_file(path)
    if data is None:
        raise KeyFileError(f"There is no key file {path}; {_SETUP_HINT}.")
    token = data.get("metrics_token")
    if rotate or token is None:
        token = _generate("metrics_token")
        data["metrics_token"] = token
        _rewrite_key_file(path, data)
    return str(_parse("metrics_token", token, f"metrics_token in {path}"))


def _env_name(name: str) -> str:
    return "HUSHDESK_" + name.upper()


def _parse(name: str, raw: Any, where: str) -> bytes | str:
    """Parse one key's text; `where` names it in the error ("HUSHDESK_PEPPER" or "pepper in …")."""
    if name in _HEX_KEYS:
        if isinstance(raw, str) and len(raw) == 64:
            try:
                return bytes.fromhex(raw)
            except ValueError:
                pass
        raise KeyFileError(f"{where} is malformed: expected 64 hex digits.")
    if isinstance(raw, str) and len(raw) >= _MIN_AUTH_SECRET:
        return raw
    raise KeyFileError(f"{where} is malformed: expected at least {_MIN_AUTH_SECRET} characters.")


def _generate(name: str) -> str:
    return secrets.token_hex(32) if name in _HEX_KEYS else secrets.token_urlsafe(48)


def _read_key_file(path: Path) -> dict[str, Any] | None:
    """Return the key file's object, None when there is none; refuse loose permissions."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError:
        raise KeyFileError(f"{path} could not be read (it must be a regular file you own).") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{path} is not a regular file.")
        if info.st_mode & 0o077:
            raise KeyFileError(f"{path} is readable by other users; restrict it with: chmod 600 {path}")
        raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise KeyFileError(f"{path} is malformed: expected a JSON object of keys.")
    return data


def _ensure_dir(path: Path) -> None:
    """Create the data folder owner-only (0700) when it does not exist yet."""
    if path.is_dir():
        return
    try:
        path.mkdir(mode=0o700, parents=True)
        os.chmod(path, 0o700)
    except FileExistsError:
        if not path.is_dir():
            raise KeyFileError(f"{path} exists and is not a folder.") from None
    except OSError:
        raise KeyFileError(f"The data folder {path} could not be created.") from None


def _write_private(tmp: Path, values: dict[str, Any]) -> None:
    """Write `values` as JSON to a new 0600 file `tmp`, synced to disk (OSError on failure)."""
    payload = (json.dumps(values, indent=2, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_key_file(path: Path, values: dict[str, str]) -> bool:
    """Write `values` as the key file, 0600, atomically and never over an existing file.

    Returns False when another process created the file first (the caller then reads that one).
    """
    _ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        _write_private(tmp, values)
        try:
            # link() never replaces an existing file: the complete file appears at once, or not at all.
            os.link(tmp, path)
        except FileExistsError:
            return False
    except OSError:
        raise KeyFileError(f"{path} could not be written.") from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    _fsync_dir(path.parent)
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_keys(settings: Settings, *, create: bool = False) -> Keys:
    """Return the keys from settings, else the key file; with `create`, generate missing ones.

    Generation happens only when there is no key file and no store (`audit.db`) yet; otherwise a
    missing key is a KeyFileError naming it. Malformed values and a key file readable by group
    or others are refused.
    """
    path = settings.key_file_path
    file_data = _read_key_file(path)
    values: dict[str, bytes | str | None] = {}
    missing: list[str] = []
    names = KEY_NAMES
    if settings.signer_socket is not None:  # the signer service holds it; never read it here
        names, values["signing_key"] = KEY_NAMES[:-1], None
    for name in names:
        secret = getattr(settings, name)
        if secret is not None:
            values[name] = _parse(name, secret.get(), _env_name(name))
        elif file_data is not None and file_data.get(name) is not None:
            values[name] = _parse(name, file_data[name], f"{name} in {path}")
        else:
            missing.append(name)
    if missing:
        values.update(_resolve_missing(settings, missing, file_data is not None, create))
    return Keys(**values)  # type: ignore[arg-type]


def _resolve_missing(
    settings: Settings, missing: list[str], have_file: bool, create: bool
) -> dict[str, bytes | str]:
    path, store = settings.key_file_path, settings.audit_db_path
    first = _env_name(missing[0])
    if have_file and set(missing) <= set(_ADDABLE):
        return _add_to_file(settings, missing)
    if have_file:
        raise KeyFileError(f"{first} is not set and {missing[0]} is missing from {path}.")
    if not create:
        raise KeyFileError(f"{first} is not set and there is no key file {path}; {_SETUP_HINT}.")
    if store.exists():
        raise KeyFileError(
            f"{first} is not set and there is no key file {path}, but the store {store} exists: "
            "restore the key (new keys could not open it)."
        )
    generated = {name: _generate(name) for name in missing}
    if not _write_key_file(path, generated):
        # Another process won the race; use its file so both share one set of keys.
        return _from_file(settings, missing)
    return {name: _parse(name, generated[name], name) for name in missing}


def _add_to_file(settings: Settings, names: list[str]) -> dict[str, bytes | str]:
    """Add newly introduced keys to an existing key file."""
    path = settings.key_file_path
    data = _read_key_file(path) or {}
    for name in names:
        if data.get(name) is None:
            data[name] = _generate(name)
    _rewrite_key_file(path, data)
    return _from_file(settings, names)


def update_key_file(settings: Settings, changes: dict[str, str | None]) -> None:
    """Set (or, with None, remove) entries of the existing key file, replacing it atomically (0600)."""
    path = settings.key_file_path
    data = _read_key_file(path)
    if data is None:
        raise KeyFileError(f"There is no key file {path}.")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    _rewrite_key_file(path, data)


def _rewrite_key_file(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        _write_private(tmp, data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise KeyFileError(f"{path} could not be updated.") from None
    _fsync_dir(path.parent)


def _from_file(settings: Settings, names: list[str]) -> dict[str, bytes | str]:
    path = settings.key_file_path
    data = _read_key_file(path) or {}
    out: dict[str, bytes | str] = {}
    for name in names:
        if data.get(name) is None:
            raise KeyFileError(f"{_env_name(name)} is not set and {name} is missing from {path}.")
        out[name] = _parse(name, data[name], f"{name} in {path}")
    return out
