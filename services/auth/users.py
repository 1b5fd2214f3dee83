"""User accounts in the encrypted store: names, roles and argon2id password hashes.

Hashing and verifying take a few hundred milliseconds of CPU: call `authenticate` and the
password-setting methods off the event loop (e.g. `asyncio.to_thread`).

The command line that manages them is `python -m services.auth` (`services/auth/cli.py`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from passlib.context import CryptContext
from sqlalchemy.engine import Connection, Engine

from ..errors import HushdeskError
from ..roles import ROLES
from .passwords import MAX_LENGTH as MAX_PASSWORD, PasswordRejected, check_password, normalise
from ..store import transaction, utc_now

__all__ = [
    "User", "UserStore", "UserError", "InvalidUserName", "InvalidRole", "WeakPassword",
    "UserExists", "UnknownUser", "LastAdmin", "PasswordMismatch", "LoginCheck", "status",
]

MIN_PASSWORD = 12
MAX_LOCKOUT = 100  # NIST SP 800-63B: never more than 100 consecutive failures
NO_PASSWORD = "!"  # accounts that sign in through the identity provider only
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_CONTEXT = CryptContext(schemes=["argon2"], deprecated="auto")
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


class UserError(HushdeskError):
    """A user account could not be created or changed; the message is fixed."""

    outcome = "user_error"
    default_message = "The user could not be changed."
    notice = "failed"


class InvalidUserName(UserError):
    """The name is not 1–64 letters, digits or . _ @ -."""

    default_message = "A user name is 1 to 64 letters, digits or the characters . _ @ -"
    notice = "invalid"


class InvalidRole(UserError):
    """The role is not one of ROLES."""

    default_message = "The role must be one of: " + ", ".join(ROLES) + "."
    notice = "invalid"


WeakPassword = PasswordRejected  # the password policy's errors (services/auth/passwords.py)


class UserExists(UserError):
    """A user with that name (ignoring case) already exists."""

    default_message = "A user with that name already exists."
    notice = "exists"


class UnknownUser(UserError):
    """No user has that name."""

    default_message = "There is no user with that name."
    notice = "unknown"


class LastAdmin(UserError):
    """The change would leave no enabled admin."""

    default_message = "The last enabled admin cannot be disabled or lose the admin role."
    notice = "last-admin"


class PasswordMismatch(UserError):
    """The two typed passwords differ."""

    default_message = "The passwords do not match."
    notice = "weak"


@dataclass(frozen=True)
class User:
    """A user account as shown to callers; never holds the password hash."""

    name: str
    role: str
    disabled: bool
    created_at: str
    locked: bool = False
    failed_logins: int = 0
    consent_version: str | None = None
    source: str = "password"


@dataclass(frozen=True)
class LoginCheck:
    """The result of a password check: `outcome` is ok | denied | locked | disabled."""

    outcome: str
    user: User | None = None


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidUserName()
    return name


def _check_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidRole()
    return role  # type: ignore[return-value]


def _check_password(password: object, min_length: int, name: str) -> str:
    if not isinstance(password, str):
        raise PasswordRejected()
    return check_password(password, min_length=min_length, user_name=name)


def _dummy() -> str:
    """A real hash to verify against when the user is unknown, so timing does not tell."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _CONTEXT.hash("hushdesk-dummy-password-never-valid")
        return _dummy_hash


_SELECT = ("SELECT name, role, disabled, created_at, password_hash, locked, failed_logins, consent_version, "
           "source FROM users")


def _user(row: Any) -> User:
    return User(name=row[0], role=row[1], disabled=bool(row[2]), created_at=row[3], locked=bool(row[5]),
                failed_logins=int(row[6]), consent_version=row[7], source=row[8])


def _fetch(conn: Connection, name: str) -> Any:
    return conn.exec_driver_sql(_SELECT + " WHERE name = ?", (name,)).first()


class UserStore:
    """Users in the encrypted store; every method opens its own short transaction."""

    def __init__(self, engine: Engine, *, min_password: int = MIN_PASSWORD) -> None:
        self._engine = engine
        self.min_password = min_password

    def add(self, name: str, role: str, password: str) -> User:
        """Create a user; UserExists when the name (ignoring case) is taken."""
        _check_name(name)
        _check_role(role)
        password = _check_password(password, self.min_password, name)
        if self.get(name) is not None:  # cheap early answer; the insert below checks again
            raise UserExists()
        return self._insert(name, role, _CONTEXT.hash(password), "password")

    def provision(self, name: str, role: str, source: str) -> User:
        """Create a user who signs in only through the identity provider `source` (no password)."""
        _check_name(name)
        _check_role(role)
        return self._insert(name, role, NO_PASSWORD, source)

    def _insert(self, name: str, role: str, hashed: str, source: str) -> User:
        now = utc_now()
        with transaction(self._engine, write=True) as conn:
            if _fetch(conn, name) is not None:
                raise UserExists()
            conn.exec_driver_sql(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at, source) "
                "VALUES (?, ?, ?, 0, ?, ?, ?)",
                (name, role, hashed, now, now, source),
            )
        return User(name=name, role=role, disabled=False, created_at=now, source=source)

    def list(self) -> list[User]:
        """All users, ordered by name."""
        with transaction(self._engine) as conn:
            rows = conn.exec_driver_sql(_SELECT + " ORDER BY name COLLATE NOCASE").all()
        return [_user(r) for r in rows]

    def get(self, name: str) -> User | None:
        """The user with that name (ignoring case), or None."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            return None
        with transaction(self._engine) as conn:
            row = _fetch(conn, name)
        return None if row is None else _user(row)

    def count(self) -> int:
        """How many users exist (enabled or not)."""
        with transaction(self._engine) as conn:
            return int(conn.exec_driver_sql("SELECT COUNT(*) FROM users").scalar() or 0)

    def disable(self, name: str) -> User:
        """Disable a user; refused for the last enabled admin."""
        return self._update(name, disabled=True)

    def enable(self, name: str) -> User:
        """Enable a user."""
        return self._update(name, disabled=False)

    def set_role(self, name: str, role: str) -> User:
        """Change a user's role; refused when it would leave no enabled admin."""
        return self._update(name, role=_check_role(role))

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password (and lift a lockout: an admin chose the new one)."""
        _check_name(name)
        hashed = _CONTEXT.hash(_check_password(password, self.min_password, name))
        with transaction(self._engine, write=True) as conn:
            updated = conn.exec_driver_sql(
                "UPDATE users SET password_hash = ?, updated_at = ?, source = 'password', locked = 0, "
                "failed_logins = 0 WHERE name = ?", (hashed, utc_now(), name)
            ).rowcount
            if not updated:
                raise UnknownUser()

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches and the account is enabled and not locked, else None."""
        return self.check_login(name, password).user

    def check_login(self, name: str, password: str) -> LoginCheck:
        """Check a password: ok (with the user), denied, locked or disabled.

        Unknown names are verified against a dummy hash, so the time taken does not reveal
        whether a name exists; a locked account is checked too and stays locked whatever the
        password. An outdated hash is replaced after a successful check.
        """
        if not isinstance(password, str) or len(password) > 8 * MAX_PASSWORD:
            return LoginCheck("denied")
        password = normalise(password)
        if len(password) > 4 * MAX_PASSWORD:  # NFKC can expand text; passlib refuses huge secrets
            password = password[: 4 * MAX_PASSWORD]
        row = None
        if isinstance(name, str) and _NAME.fullmatch(name):
            with transaction(self._engine) as conn:
                row = _fetch(conn, name)
        if row is None or row[4] == NO_PASSWORD:
            try:
                _CONTEXT.verify(password, _dummy())
            except (ValueError, TypeError):
                pass
            return LoginCheck("denied")
        try:
            ok, new_hash = _CONTEXT.verify_and_update(password, row[4])
        except (ValueError, TypeError):  # an unreadable stored hash never logs anyone in
            return LoginCheck("denied")
        if row[5]:
            return LoginCheck("locked")
        if not ok:
            return LoginCheck("denied")
        if row[2]:
            return LoginCheck("disabled")
        if new_hash:
            with transaction(self._engine, write=True) as conn:
                conn.exec_driver_sql(
                    "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ? AND password_hash = ?",
                    (new_hash, utc_now(), row[0], row[4]),
                )
        return LoginCheck("ok", _user(row))

    def record_failure(self, name: str, lock_after: int) -> tuple[int, bool]:
        """Count a failed sign-in of an existing account: (consecutive failures, locked by this one)."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            return 0, False
        lock_after = max(1, min(lock_after, MAX_LOCKOUT))
        with transaction(self._engine, write=True) as conn:
            row = conn.exec_driver_sql("SELECT failed_logins, locked FROM users WHERE name = ? AND password_hash != ?",
                                       (name, NO_PASSWORD)).first()
            if row is None:  # unknown, or signs in only through the identity provider: nothing to lock
                return 0, False
            failures = int(row[0]) + 1
            lock_now = not row[1] and failures >= lock_after
            conn.exec_driver_sql("UPDATE users SET failed_logins = ?, locked = ? WHERE name = ?",
                                 (failures, int(bool(row[1]) or lock_now), name))
        return failures, lock_now

    def record_success(self, name: str) -> None:
        """Reset the count of consecutive failures after a successful sign-in."""
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE users SET failed_logins = 0 WHERE name = ? AND failed_logins > 0", (name,))

    def unlock(self, name: str) -> User:
        """Lift a lockout and reset the failure count."""
        _check_name(name)
        with transaction(self._engine, write=True) as conn:
            if not conn.exec_driver_sql("UPDATE users SET locked = 0, failed_logins = 0, updated_at = ? WHERE name = ?",
                                        (utc_now(), name)).rowcount:
                raise UnknownUser()
        return self.get(name)  # type: ignore[return-value]

    def set_consent(self, name: str, version: str) -> None:
        """Record that the user accepted the consent notice of this version."""
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE users SET consent_version = ? WHERE name = ?", (version, name))

    def _update(self, name: str, *, role: str | None = None, disabled: bool | None = None) -> User:
        _check_name(name)
        with transaction(self._engine, write=True) as conn:
            row = _fetch(conn, name)
            if row is None:
                raise UnknownUser()
            user = _user(row)
            new_role = user.role if role is None else role
            new_disabled = user.disabled if disabled is None else disabled
            loses_admin = user.role == "admin" and not user.disabled and (new_role != "admin" or new_disabled)
            if loses_admin:
                admins = conn.exec_driver_sql(
                    "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0"
                ).scalar()
                if admins <= 1:
                    raise LastAdmin()
            conn.exec_driver_sql(
                "UPDATE users SET role = ?, disabled = ?, updated_at = ? WHERE name = ?",
                (new_role, int(new_disabled), utc_now(), user.name),
            )
        return User(name=user.name, role=new_role, disabled=new_disabled, created_at=user.created_at,
                    locked=user.locked, failed_logins=user.failed_logins,
                    consent_version=user.consent_version, source=user.source)


def status(user: User) -> str:
    """enabled, disabled or locked (disabled wins)."""
    return "disabled" if user.disabled else "locked" if user.locked else "enabled"
