"""The app process itself: a wrong, malformed or missing key stops `chainlit run app.py` at start
with a message naming the key; logins go through the encrypted user store (disabled users refused)."""

from __future__ import annotations

import asyncio

import pytest

from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.runtime import Runtime
from services.auth.users import UserStore
from tests.support.app import start_app
from tests.support.process import free_port, make_token


@pytest.fixture
def initialised(tmp_path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data")}, dotenv=False)
    _, engine, _ = ensure_initialised(settings)
    engine.dispose()
    return tmp_path


@pytest.mark.parametrize("env, named", [
    ({"HUSHDESK_DB_KEY": "ab" * 32}, "HUSHDESK_DB_KEY does not open"),
    ({"HUSHDESK_DB_KEY": "not-hex"}, "HUSHDESK_DB_KEY is malformed"),
    ({"HUSHDESK_PEPPER": "12"}, "HUSHDESK_PEPPER is malformed"),
    ({"HUSHDESK_ENGINE": "gpu"}, "HUSHDESK_ENGINE is malformed"),
])
def test_bad_keys_and_settings_stop_the_app_naming_them(initialised, env, named):
    result = start_app(initialised, **env)
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for value in env.values():
        assert value not in result.stderr  # names the key, never shows its value


def test_missing_key_file_with_an_existing_store_creates_nothing(initialised):
    key_file = initialised / "data" / "keys.json"
    key_file.unlink()
    result = start_app(initialised)
    assert result.returncode == 2 and "HUSHDESK_DB_KEY" in result.stderr
    assert not key_file.exists()


def test_app_without_set_up_says_to_run_it(tmp_path):
    result = start_app(tmp_path)
    assert result.returncode == 2 and "set-up" in result.stderr.lower()
    assert not (tmp_path / "data" / "audit.db").exists()


def test_login_uses_the_store_and_refuses_disabled_users(tmp_path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1"}, dotenv=False)
    _, engine, _ = ensure_initialised(settings)
    UserStore(engine).add("dana", "staff", "a long enough password")

    async def scenario():
        runtime = Runtime.open(settings)
        runtime.audit.start()
        try:
            ok = await runtime.signin.login("DANA", "a long enough password")  # names ignore case
            token = make_token(runtime.keys.auth_secret, ok.name, await runtime.signin.begin_session(ok))
            wrong = await runtime.signin.login("dana", "not the password at all")
            runtime.users.disable("dana")
            disabled = await runtime.signin.login("dana", "a long enough password")
            await runtime.signin.logout(token)
            assert runtime.sessions.check(token).state == "revoked"
            return ok, wrong, disabled, runtime.audit.tail(10), runtime.user_hash("dana")
        finally:
            runtime.audit.close()

    ok, wrong, disabled, rows, dana = asyncio.run(scenario())
    assert ok is not None and ok.role == "staff"
    assert wrong is None and disabled is None
    assert [(r["kind"], r["user_hash"]) for r in rows] == [
        ("login", dana), ("login_failed", dana), ("login_failed", dana), ("logout", dana)]
    assert all("dana" not in str(r) for r in rows)


def test_a_failed_first_engine_start_is_retried(tmp_path, monkeypatch):
    """The engine here is a stand-in object (the boundary under test is Runtime's retry, not a process)."""
    import services.runtime as runtime_module
    from services.errors import EngineStartError

    monkeypatch.setattr(runtime_module, "_FIRST_START_RETRY", 0.05)
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1"}, dotenv=False)
    ensure_initialised(settings)

    class FlakyEngine:
        attempts = 0
        endpoint = None

        async def start(self):
            self.attempts += 1
            if self.attempts < 3:
                raise EngineStartError("The model engine could not be started: it exited with code 1.")

        async def wait_ready(self, timeout):
            return None

        async def stop(self):
            pass

    async def scenario():
        runtime = Runtime.open(settings)
        runtime.engine = FlakyEngine()
        await runtime.start()
        await runtime.wait_ready(5)
        attempts = runtime.engine.attempts
        await runtime.stop()
        return attempts

    assert asyncio.run(scenario()) == 3


def test_a_missing_frontend_copy_is_built_and_the_app_asks_for_a_restart(initialised):
    # Chainlit picks its frontend before app.py runs: without the copy it would serve its own build,
    # which loads Google Fonts and jsdelivr. So the app builds the copy and refuses to go on.
    site = initialised / "site"
    result = start_app(initialised)
    assert result.returncode == 2
    assert ".hushdesk-frontend" in result.stderr and "start hushdesk again" in result.stderr
    html = (site / ".hushdesk-frontend" / "index.html").read_text(encoding="utf-8")
    assert "googleapis" not in html and "jsdelivr" not in html
