"""The users command line: `python -m services.auth` (formerly `python -m services.users`).

    python -m services.auth add NAME --role staff|admin|auditor [--password-stdin | --oauth PROVIDER]
    python -m services.auth list
    python -m services.auth disable NAME | enable NAME
    python -m services.auth set-role NAME ROLE
    python -m services.auth set-password NAME [--password-stdin]
    python -m services.auth unlock NAME
    python -m services.auth end-sessions NAME | --all

Disabling a user, changing their role or password, and `end-sessions` end their live sessions at once
(the running server notices within a second).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import time
from typing import Any, Sequence

from ..config import load_settings
from ..errors import HushdeskError
from ..keys import load_keys
from ..roles import ROLES
from ..store import open_store
from .sessions import SessionStore
from .users import PasswordMismatch, UnknownUser, User, UserError, UserStore, _check_name, status

__all__ = ["main"]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise PasswordMismatch()
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.auth", description="Manage hushdesk users.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    add.add_argument("--oauth", metavar="PROVIDER",
                     help="a user who signs in only through this OAuth provider (keycloak, generic…): no password")
    sub.add_parser("list", help="list users")
    for command in ("disable", "enable"):
        sub.add_parser(command, help=f"{command} a user").add_argument("name")
    set_role = sub.add_parser("set-role", help="change a user's role")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=ROLES)
    set_password = sub.add_parser("set-password", help="replace a user's password")
    set_password.add_argument("name")
    set_password.add_argument("--password-stdin", action="store_true")
    sub.add_parser("unlock", help="lift a lockout after repeated failed sign-ins").add_argument("name")
    end = sub.add_parser("end-sessions", help="end a user's live sessions, or everyone's with --all")
    end.add_argument("name", nargs="?")
    end.add_argument("--all", action="store_true")
    return parser


def _format(users: Sequence[User]) -> str:
    lines = [("NAME", "ROLE", "STATUS", "SIGN-IN", "CREATED")]
    lines += [(u.name, u.role, status(u), u.source, u.created_at) for u in users]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


def _run(args: argparse.Namespace, users: UserStore, sessions: Any) -> str:
    now = time.time()
    if args.command == "end-sessions":
        if args.all == bool(args.name):
            raise UserError("Name one user, or use --all.")
        if args.all:
            return f"Ended {sessions.end_all('ended_by_admin', now)} live session(s)."
        _check_name(args.name)
        if users.get(args.name) is None:
            raise UnknownUser()
        return f"Ended {sessions.end_user(args.name, 'ended_by_admin', now)} live session(s) of '{args.name}'."
    message = _change(args, users)
    if args.command in ("disable", "set-role", "set-password"):
        sessions.end_user(args.name, args.command.replace("-", "_"), now)
    return message


def _change(args: argparse.Namespace, users: UserStore) -> str:
    if args.command == "add":
        _check_name(args.name)
        if args.oauth:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", args.oauth):
                raise UserError("The provider is 1 to 32 letters, digits, - or _ (e.g. keycloak).")
            user = users.provision(args.name, args.role, args.oauth)
            return f"Created user '{user.name}' with role {user.role}, signing in through {args.oauth}."
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
    if args.command == "unlock":
        return f"Unlocked user '{users.unlock(args.name).name}'."
    _check_name(args.name)
    if users.get(args.name) is None:
        raise UnknownUser()
    users.set_password(args.name, _read_password(args.password_stdin))
    return f"Password changed for user '{args.name}'."


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit 0 on success, 2 with a fixed message on error."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        keys = load_keys(settings, create=False)
        engine = open_store(settings, keys, create=False)
        try:
            users = UserStore(engine, min_password=settings.password_min_length)
            message = _run(args, users, SessionStore(engine, keys.pepper))
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

