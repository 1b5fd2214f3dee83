"""User accounts in the encrypted store: names, roles and argon2id password hashes.

Hashing and verifying take a few hundred milliseconds of CPU: call `authenticate` and the
password-setting methods off the event loop (e.g. `asyncio.to_thread`).

    python -m services.users add NAME --role staff|admin|auditor [--password-stdin]
    python -m services.users list
    python -m services.users disable NAME | enable NAME
    python -m services.users set-role NAME ROLE
    python -m services.users set-password NAME [--password-stdin]
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any, Sequence

from passlib.context import CryptContext
from sqlalchemy.engine import Connection, Engine

from .errors import HushdeskError
from .store import transaction, utc_now

__all__ = [
    "ROLES", "User", "UserStore", "UserError", "InvalidUserName", "InvalidRole", "WeakPassword",
    "UserExists", "UnknownUser", "LastAdmin", "PasswordMismatch", "main",
]

ROLES = ("staff", "admin", "auditor")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_CONTEXT = CryptContext(schemes=["argon2"], deprecated="auto")
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


class UserError(HushdeskError):
    """A user account could not be created or changed; the message is fixed."""

    outcome = "user_error"
    default_message = "The user could not be changed."


class InvalidUserName(UserError):
    """The name is not 1–64 letters, digits or . _ @ -."""

    default_message = "A user name is 1 to 64 letters, digits or the characters . _ @ -"


class InvalidRole(UserError):
    """The role is not one of ROLES."""

    default_message = "The role must be one of: " + ", ".join(ROLES) + "."


class WeakPassword(UserError):
    """The password is too short (or absurdly long)."""

    default_message = f"The password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long."


class UserExists(UserError):
    """A user with that name (ignoring case) already exists."""

    default_message = "A user with that name already exists."


class UnknownUser(UserError):
    """No user has that name."""

    default_message = "There is no user with that name."


class LastAdmin(UserError):
    """The change would leave no enabled admin."""

    default_message = "The last enabled admin cannot be disabled or lose the admin role."


class PasswordMismatch(UserError):
    """The two typed passwords differ."""

    default_message = "The passwords do not match."


@dataclass(frozen=True)
class User:
    """A user account as shown to callers; never holds the password hash."""

    name: str
    role: str
    disabled: bool
    created_at: str


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidUserName()
    return name


def _check_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidRole()
    return role  # type: ignore[return-value]


def _check_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword()
    return password


def _dummy() -> str:
    """A real hash to verify against when the user is unknown, so timing does not tell."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _CONTEXT.hash("hushdesk-dummy-password-never-valid")
        return _dummy_hash


_SELECT = "SELECT name, role, disabled, created_at, password_hash FROM users"


def _user(row: Any) -> User:
    return User(name=row[0], role=row[1], disabled=bool(row[2]), created_at=row[3])


def _fetch(conn: Connection, name: str) -> Any:
    return conn.exec_driver_sql(_SELECT + " WHERE name = ?", (name,)).first()


class UserStore:
    """Users in the encrypted store; every method opens its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, name: str, role: str, password: str) -> User:
        """Create a user; UserExists when the name (ignoring case) is taken."""
        _check_name(name)
        _check_role(role)
        _check_password(password)
        if self.get(name) is not None:  # cheap early answer; the insert below checks again
            raise UserExists()
        hashed = _CONTEXT.hash(password)
        now = utc_now()
        with transaction(self._engine, write=True) as conn:
            if _fetch(conn, name) is not None:
                raise UserExists()
            conn.exec_driver_sql(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
                "VALUES (?, ?, ?, 0, ?, ?)",
                (name, role, hashed, now, now),
            )
        return User(name=name, role=role, disabled=False, created_at=now)

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
        """Replace a user's password."""
        _check_name(name)
        hashed = _CONTEXT.hash(_check_password(password))
        with transaction(self._engine, write=True) as conn:
            updated = conn.exec_driver_sql(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?", (hashed, utc_now(), name)
            ).rowcount
            if not updated:
                raise UnknownUser()

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches and the account is enabled, else None.

        Unknown names are verified against a dummy hash, so the time taken does not reveal
        whether a name exists; an outdated hash is replaced after a successful check.
        """
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        row = None
        if isinstance(name, str) and _NAME.fullmatch(name):
            with transaction(self._engine) as conn:
                row = _fetch(conn, name)
        if row is None:
            _CONTEXT.verify(password, _dummy())
            return None
        try:
            ok, new_hash = _CONTEXT.verify_and_update(password, row[4])
        except (ValueError, TypeError):  # an unreadable stored hash never logs anyone in
            return None
        if not ok or row[2]:
            return None
        if new_hash:
            with transaction(self._engine, write=True) as conn:
                conn.exec_driver_sql(
                    "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ? AND password_hash = ?",
                    (new_hash, utc_now(), row[0], row[4]),
                )
        return _user(row)

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
        return User(name=user.name, role=new_role, disabled=new_disabled, created_at=user.created_at)


# Command line ---------------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise PasswordMismatch()
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.users", description="Manage hushdesk users.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    sub.add_parser("list", help="list users")
    for command in ("disable", "enable"):
        sub.add_parser(command, help=f"{command} a user").add_argument("name")
    set_role = sub.add_parser("set-role", help="change a user's role")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=ROLES)
    set_password = sub.add_parser("set-password", help="replace a user's password")
    set_password.add_argument("name")
    set_password.add_argument("--password-stdin", action="store_true")
    return parser


def _format(users: Sequence[User]) -> str:
    lines = [("NAME", "ROLE", "STATUS", "CREATED")]
    lines += [(u.name, u.role, "disabled" if u.disabled else "enabled", u.created_at) for u in users]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


def _run(args: argparse.Namespace, users: UserStore) -> str:
    if args.command == "add":
        _check_name(args.name)
        user = users.add(args.name, args.role, _read_password(args.password_stdin))
        return f"Created user '{user.name}' with role {user.role}."
    if args.command == "list":
        found = users.list()
        return _format(found) if found else "No users yet."
    if args.command == "disable":
        return f"Disabled user '{users.disable(args.name).name}'."
    if args.command == "enable":
        return f"Enabled user '{users.enable(args.name).name}'."
    if args.command == "set-role":
        user = users.set_role(args.name, args.role)
        return f"User '{user.name}' now has role {user.role}."
    _check_name(args.name)
    if users.get(args.name) is None:
        raise UnknownUser()
    users.set_password(args.name, _read_password(args.password_stdin))
    return f"Password changed for user '{args.name}'."


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit 0 on success, 2 with a fixed message on error."""
    args = _parser().parse_args(argv)
    from .config import load_settings
    from .keys import load_keys
    from .store import open_store

    try:
        settings = load_settings()
        keys = load_keys(settings, create=False)
        engine = open_store(settings, keys, create=False)
        try:
            message = _run(args, UserStore(engine))
        finally:
            engine.dispose()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("Cancelled.", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback (it could hold a password) on the command line
        print(f"Unexpected error ({type(exc).__name__}).", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
