"""First-run set-up: keys, the encrypted store and a first admin; safe to run on every start.

    python -m services.ops.bootstrap      (run by `make run` before the app starts)
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy.engine import Engine

from ..auth.users import UserExists, UserStore
from ..config import Settings, load_settings
from ..engine.integrity import manifest_path_for
from ..errors import HushdeskError
from ..keys import Keys, load_keys
from ..runtime import resolve_model_dir
from ..store import open_store
from ..web.frontend import ensure_frontend

__all__ = ["ensure_initialised", "main", "FIRST_ADMIN"]

FIRST_ADMIN = "admin"

SetupStep = Callable[[Settings, Keys], None]


def ensure_initialised(
    settings: Settings, *, extra_steps: Sequence[SetupStep] = ()
) -> tuple[Keys, Engine, str | None]:
    """Load or create keys and store (with HUSHDESK_DATABASE_URL, this host's encrypted file and the shared
    PostgreSQL database; the returned engine is the shared one); create user 'admin' when there are no users.

    Returns (keys, engine, the new admin's password or None when no user was created). Each
    of `extra_steps` then runs with the settings and keys (e.g. generating the demo model).
    """
    path = settings.audit_db_path
    # An empty file is what an interrupted first run leaves: it holds nothing, so create over it.
    store_exists = path.exists() and path.stat().st_size > 0
    keys = load_keys(settings, create=True)
    if settings.database_url is None:
        engine = open_store(settings, keys, create=not store_exists)
    else:  # the shared store is PostgreSQL; this host's file holds the knowledge base
        open_store(settings, keys, create=not store_exists, local=True).dispose()
        engine = open_store(settings, keys, create=True)  # tables on an empty database; else the key check
    try:
        password = _first_admin(UserStore(engine))
        for step in extra_steps:
            step(settings, keys)
    except BaseException:
        engine.dispose()
        raise
    return keys, engine, password


def _first_admin(users: UserStore) -> str | None:
    if users.count():
        return None
    password = secrets.token_urlsafe(12)
    try:
        users.add(FIRST_ADMIN, "admin", password)
    except UserExists:  # another process created it first
        return None
    return password


def _default_steps() -> list[SetupStep]:
    """Set-up steps run by `main` after keys, store and first admin exist."""
    steps: list[SetupStep] = []
    steps.append(_frontend_step)
    steps.append(_demo_model_step)
    return steps


def _frontend_step(settings: Settings, keys: Keys) -> None:
    """Build (or keep) the frontend copy without external requests, in the working directory."""
    ensure_frontend(Path.cwd())


def _demo_model_step(settings: Settings, keys: Keys) -> None:
    """Generate (and sign) the demo model now when no model is configured; warn of an unsigned model."""

    model_dir, demo = resolve_model_dir(settings, keys)
    if demo:
        print(f"No HUSHDESK_MODEL_PATH set: using the generated demo model in {settings.demo_model_dir} "
              "(its replies are random noise).")
    elif model_dir is not None and settings.require_model_manifest and \
            not manifest_path_for(settings, model_dir).is_file():
        print(f"The model in {model_dir} has no signed manifest: hushdesk will refuse to launch it. "
              f"Create one with: python -m services.engine.integrity manifest {model_dir}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run set-up; print the first admin's password once; exit 2 with a fixed message on error."""
    argparse.ArgumentParser(
        prog="python -m services.ops.bootstrap",
        description="Create keys, the encrypted store and a first admin when missing.",
    ).parse_args(argv)
    try:
        settings = load_settings()
        _keys, engine, password = ensure_initialised(settings, extra_steps=_default_steps())
        engine.dispose()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback on the command line
        print(f"Set-up failed: unexpected error ({type(exc).__name__}).", file=sys.stderr)
        return 2
    if password is not None:
        rule = "=" * 72
        print(
            f"{rule}\n"
            f"First run: created user '{FIRST_ADMIN}' with password: {password}\n"
            f"It is shown only this once. Change it with:\n"
            f"    python -m services.auth set-password {FIRST_ADMIN}\n"
            f"{rule}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
