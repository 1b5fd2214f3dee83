"""Bootstrap: the first run creates keys, store and an admin; later runs change nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.ops.bootstrap import ensure_initialised
from services.config import Settings
from services.errors import KeyFileError
from services.keys import Keys
from services.auth.users import UserStore

REPO = Path(__file__).resolve().parents[2]


def test_first_run_creates_admin_then_nothing(settings: Settings) -> None:
    calls: list[tuple[Settings, Keys]] = []
    keys, engine, password = ensure_initialised(settings, extra_steps=[lambda s, k: calls.append((s, k))])
    try:
        assert password is not None and len(password) >= 12
        admin = UserStore(engine).authenticate("admin", password)
        assert admin is not None and admin.role == "admin"
    finally:
        engine.dispose()
    assert calls == [(settings, keys)]

    again_keys, engine, again = ensure_initialised(settings)
    try:
        assert again is None
        assert again_keys == keys
        assert UserStore(engine).count() == 1
    finally:
        engine.dispose()


def test_store_without_its_keys_is_refused(settings: Settings) -> None:
    _, engine, _ = ensure_initialised(settings)
    engine.dispose()
    settings.key_file_path.unlink()
    with pytest.raises(KeyFileError, match="HUSHDESK_DB_KEY"):
        ensure_initialised(settings)
    assert not settings.key_file_path.exists()


def run_bootstrap(data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSHDESK_")}
    env.update(HUSHDESK_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "services.ops.bootstrap"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )


def test_main_prints_the_password_once(tmp_path: Path) -> None:
    first = run_bootstrap(tmp_path / "data", tmp_path)
    assert first.returncode == 0, first.stderr
    match = re.search(r"First run: created user 'admin' with password: (\S+)", first.stdout)
    assert match and len(match.group(1)) >= 12
    assert "python -m services.auth set-password admin" in first.stdout
    # With no model configured, the first run also generates the demo model and says so.
    assert "demo model" in first.stdout
    assert (tmp_path / "data" / "demo-model" / "config.json").is_file()
    second = run_bootstrap(tmp_path / "data", tmp_path)
    assert (second.returncode, second.stderr) == (0, "")
    assert match.group(1) not in second.stdout and "First run" not in second.stdout


def test_main_error_is_a_fixed_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "audit.db").write_bytes(b"\1" * 4096)  # a store whose keys are gone
    out = run_bootstrap(data, tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert "HUSHDESK_DB_KEY" in out.stderr and "Traceback" not in out.stderr
    assert not (data / "keys.json").exists()
