"""Shared fixtures: settings, keys and a store in tmp_path; a fake engine process; Chromium.

The helpers these build on are in `tests/support/` (imported from there, never from a test module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from services.config import Settings, load_settings
from services.keys import Keys, load_keys
from services.store import open_store
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.engine import FakeEngine
from tests.support.signer import SignerProcess


@pytest.fixture
def settings_env(tmp_path: Path) -> dict[str, str]:
    """The environment `settings` is loaded from; a module overrides it to add or change values."""
    return {"HUSHDESK_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    """Settings for a data folder in tmp_path (and whatever `settings_env` adds), no .env file."""
    return load_settings(settings_env, dotenv=False)


@pytest.fixture
def keys(settings: Settings) -> Keys:
    """The instance's keys, created in the data folder."""
    return load_keys(settings, create=True)


@pytest.fixture
def store(settings: Settings, keys: Keys) -> Iterator[Engine]:
    """A new SQLCipher store (the audit, user and session tables), disposed afterwards."""
    engine = open_store(settings, keys, create=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def fake_engine(tmp_path_factory):
    engine = FakeEngine(tmp_path_factory.mktemp("fake-engine"))
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian Chromium under Playwright for one module; fails (never skips) when Chromium is missing."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def signer(tmp_path: Path) -> Iterator[SignerProcess]:
    """The audit signer service as a process, its key in tmp_path/signer-home (purge after a day)."""
    process = SignerProcess(tmp_path / "signer-home", min_age_days=1)
    yield process
    process.close()
