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
from tests.support.browser import Chromium, require_chromium
from tests.support.engine import FakeEngine
from tests.support.signer import SignerProcess


def pytest_addoption(parser) -> None:
    parser.addoption("--store", choices=("sqlcipher", "postgres"), default="sqlcipher",
                     help="the shared store the tests run against: the SQLCipher file (default) or a real "
                          "PostgreSQL server started from Debian's package (make test runs the audit, session "
                          "and user tests both ways; tests marked sqlcipher_only are deselected there)")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlcipher_only: about the encrypted file itself (its key, pages, disk)")


def pytest_collection_modifyitems(config, items) -> None:
    if config.getoption("--store") == "postgres":
        kept = [i for i in items if i.get_closest_marker("sqlcipher_only") is None]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session (tests/support/postgres.py); each test gets its own database."""
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _shared_store(request, monkeypatch):
    """With --store=postgres, every setting loaded in this test (in-process, and in the subprocesses it
    starts through tests.support.process.base_env) names a fresh database on the real server."""
    if request.config.getoption("--store") != "postgres":
        yield None
        return
    import services.config as config

    url = request.getfixturevalue("postgres_server").database()
    original = config._read_sources

    def with_database(environ, dotenv):
        values = original(environ, dotenv)
        values.setdefault("HUSHDESK_DATABASE_URL", url)
        return values

    monkeypatch.setattr(config, "_read_sources", with_database)
    monkeypatch.setenv("HUSHDESK_DATABASE_URL", url)
    yield url


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
    """A new store (the audit, user and session tables), disposed afterwards: the SQLCipher file, or with
    --store=postgres a database on the real server (and this host's file beside it, as set-up makes)."""
    if settings.database_url is not None:
        open_store(settings, keys, create=True, local=True).dispose()
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
        b = Chromium(p)
        yield b
        b.close()


@pytest.fixture
def signer(tmp_path: Path) -> Iterator[SignerProcess]:
    """The audit signer service as a process, its key in tmp_path/signer-home (purge after a day)."""
    process = SignerProcess(tmp_path / "signer-home", min_age_days=1)
    yield process
    process.close()
