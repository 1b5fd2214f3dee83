"""Users: argon2id hashes, fail-closed authentication and a command line that never echoes passwords.

Each argon2 hash costs ~0.1-0.4 s, so the tests hash as few passwords as they can.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from passlib.context import CryptContext
from sqlalchemy.engine import Engine

from tests.support.process import base_env
from services.config import Settings
from services.auth.passwords import PasswordTooShort
from services.store import transaction
from services.auth.users import (
    InvalidRole,
    InvalidUserName,
    LastAdmin,
    UnknownUser,
    User,
    UserExists,
    UserStore,
    WeakPassword,
)

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "another-long-passphrase"


@pytest.fixture
def users(engine: Engine) -> UserStore:
    return UserStore(engine)


@pytest.fixture
def engine(store: Engine) -> Engine:
    """The shared store (tests/conftest.py) under the name these tests use."""
    return store


def stored_hash(engine: Engine, name: str) -> str:
    with transaction(engine) as conn:
        return conn.exec_driver_sql("SELECT password_hash FROM users WHERE name = ?", (name,)).scalar()


def test_add_and_authenticate(users: UserStore, engine: Engine) -> None:
    added = users.add("alice", "staff", PASSWORD)
    assert added == User("alice", "staff", False, added.created_at)
    assert stored_hash(engine, "alice").startswith("$argon2id$")
    assert users.authenticate("alice", PASSWORD) == added
    assert users.authenticate("alice", PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("bad name!", PASSWORD) is None
    users.disable("alice")
    assert users.authenticate("alice", PASSWORD) is None
    assert users.count() == 1


def test_outdated_hash_is_upgraded_on_login(users: UserStore, engine: Engine) -> None:
    cheap = CryptContext(schemes=["argon2"], argon2__rounds=1, argon2__memory_cost=1024, argon2__parallelism=1)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
            "VALUES ('bob', 'auditor', ?, 0, 'then', 'then')",
            (cheap.hash(PASSWORD),),
        )
    assert users.authenticate("bob", PASSWORD) is not None
    assert "$m=65536,t=3,p=4$" in stored_hash(engine, "bob")


def test_validation_happens_before_any_hashing(users: UserStore) -> None:
    with pytest.raises(InvalidUserName):
        users.add("", "staff", PASSWORD)
    with pytest.raises(InvalidUserName):
        users.add("x" * 65, "staff", PASSWORD)
    with pytest.raises(InvalidUserName):
        users.add("alice smith", "staff", PASSWORD)
    with pytest.raises(InvalidRole):
        users.add("alice", "root", PASSWORD)
    with pytest.raises(WeakPassword):
        users.add("alice", "staff", "short")
    with pytest.raises(UnknownUser):
        users.disable("ghost")
    with pytest.raises(UnknownUser):
        users.set_role("ghost", "admin")
    assert users.count() == 0 and users.get("ghost") is None


def test_roles_and_the_last_admin(users: UserStore, engine: Engine) -> None:
    # Rows inserted directly: these checks need no password hashing.
    with transaction(engine, write=True) as conn:
        for name, role in (("root", "admin"), ("carol", "staff")):
            conn.exec_driver_sql(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
                "VALUES (?, ?, 'x', 0, 'now', 'now')",
                (name, role),
            )
    with pytest.raises(UserExists):
        users.add("CAROL", "staff", PASSWORD)  # names are unique ignoring case
    with pytest.raises(LastAdmin):
        users.disable("root")
    with pytest.raises(LastAdmin):
        users.set_role("root", "staff")
    assert users.set_role("carol", "admin").role == "admin"
    assert users.disable("root").disabled
    assert users.enable("root").disabled is False
    assert [(u.name, u.role, u.disabled) for u in users.list()] == [
        ("carol", "admin", False),
        ("root", "admin", False),
    ]
    assert users.authenticate("root", PASSWORD) is None  # an unreadable stored hash never logs in


def cli(args: list[str], data_dir: Path, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = base_env(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "services.auth", *args],
        cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60,
    )


def test_cli(settings: Settings, engine: Engine, users: UserStore, tmp_path: Path) -> None:
    engine.dispose()
    data, outputs = settings.data_dir, []

    def ok(args: list[str], stdin: str | None = None) -> str:
        out = cli(args, data, tmp_path, stdin)
        outputs.append(out.stdout + out.stderr)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def fails(args: list[str], stdin: str | None = None) -> str:
        out = cli(args, data, tmp_path, stdin)
        outputs.append(out.stdout + out.stderr)
        assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
        return out.stderr.strip()

    assert "Created user 'dave'" in ok(["add", "dave", "--role", "staff", "--password-stdin"], PASSWORD + "\n")
    assert fails(["add", "dave", "--role", "staff", "--password-stdin"], PASSWORD + "\n") == UserExists.default_message
    assert fails(["add", "erin", "--role", "staff", "--password-stdin"], "short\n") == PasswordTooShort(12).message
    assert fails(["disable", "ghost"]) == UnknownUser.default_message
    assert fails(["set-password", "ghost", "--password-stdin"], NEW_PASSWORD + "\n") == UnknownUser.default_message
    ok(["set-role", "dave", "auditor"])
    ok(["disable", "dave"])
    listing = ok(["list"]).splitlines()
    assert listing[0].split() == ["NAME", "ROLE", "STATUS", "SIGN-IN", "CREATED"]
    assert listing[1].split()[:3] == ["dave", "auditor", "disabled"]
    ok(["enable", "dave"])
    ok(["set-role", "dave", "admin"])
    assert fails(["disable", "dave"]) == LastAdmin.default_message
    ok(["set-password", "dave", "--password-stdin"], NEW_PASSWORD + "\n")

    for text in outputs:
        assert PASSWORD not in text and NEW_PASSWORD not in text
    assert users.authenticate("dave", NEW_PASSWORD) == users.get("dave")
    assert users.get("dave").role == "admin"  # type: ignore[union-attr]


def test_cli_without_a_store(tmp_path: Path) -> None:
    out = cli(["list"], tmp_path / "missing", tmp_path)
    assert out.returncode == 2
    assert "python -m services.ops.bootstrap" in out.stderr and "Traceback" not in out.stderr
