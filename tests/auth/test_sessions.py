"""Sessions, back-off and lockout against a real SQLCipher store; time is a controllable clock.

The clock is injected (the registry's `clock`): the limits themselves are what is under test, and
waiting 30 real minutes would not make the test any truer. The real server and browser are tested
with short limits in tests/browser/test_browser_auth.py.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Iterator

import jwt
import pytest
from sqlalchemy.engine import Engine

from services.ops.bootstrap import ensure_initialised
from services.config import Settings, load_settings
from services.keys import load_keys
from services.auth.signin import LoginRefused
from services.runtime import Runtime
from services.auth.sessions import AMBIGUOUS, SessionRegistry, SessionStore, decode_claims, tokens_from_headers
from services.store import transaction
from services.auth.throttle import LoginThrottle
from services.auth.users import UserStore
from tests.support.process import base_env, free_port, make_token

SECRET = "s" * 40
PEPPER = bytes(range(32))


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # tokens carry real expiry times

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings_env(settings_env: dict[str, str]) -> dict[str, str]:
    """The shared settings, with an external engine on a port nothing listens on."""
    return {**settings_env, "HUSHDESK_ENGINE": "external", "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1"}


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    _, engine, _ = ensure_initialised(settings)
    yield engine
    engine.dispose()


def registry(engine: Engine, clock: Clock, idle: float = 1800, max_: float = 43200,
             pepper: bytes = PEPPER) -> SessionRegistry:
    reg = SessionRegistry(SessionStore(engine, pepper), SECRET, idle_seconds=idle, max_seconds=max_, clock=clock)
    reg.load()
    return reg


def login(reg: SessionRegistry, user: str = "clerk", role: str = "staff") -> str:
    users = UserStore(reg.store._engine)
    if users.get(user) is None:
        users.provision(user, role, "test")  # no password to hash: sessions only need the account
    return make_token(SECRET, user, reg.begin(user, role))


def test_idle_limit_counts_from_the_last_activity(engine: Engine) -> None:
    clock = Clock()
    reg = registry(engine, clock)
    token = login(reg)
    clock.now += 1700
    assert reg.check(token).ok  # activity: the idle clock restarts
    clock.now += 1700
    assert reg.check(token, touch=False).ok  # a status poll is not activity
    clock.now += 101
    verdict = reg.check(token)
    assert verdict.state == "idle" and verdict.newly_ended and verdict.login_error == "sessionIdle"
    again = reg.check(token)
    assert again.state == "idle" and not again.newly_ended  # audited once


def test_absolute_limit_holds_however_active(engine: Engine) -> None:
    clock = Clock()
    reg = registry(engine, clock, idle=600, max_=3600)
    token = login(reg)
    for _ in range(11):
        clock.now += 300
        assert reg.check(token).ok
    clock.now += 300
    assert reg.check(token).state == "expired"
    # A refreshed token (what /auth/jwt issues: same metadata, new exp) is bound by the same login.
    claims = decode_claims(token, SECRET)
    fresh = make_token(SECRET, claims.user, {"role": claims.role, "sid": claims.sid, "login_at": claims.login_at},
                       lifetime=86400)
    assert reg.check(fresh).state == "expired"


def test_logout_revokes_and_survives_a_restart(engine: Engine) -> None:
    clock = Clock()
    reg = registry(engine, clock)
    token, other = login(reg), login(reg, "ann")
    assert reg.end(token, "logout") is not None
    assert reg.check(token).state == "revoked"
    restarted = registry(engine, clock)
    assert restarted.check(token).state == "revoked"
    assert restarted.check(other).ok


def test_end_user_and_end_all_from_another_process_reach_the_server(engine: Engine, settings: Settings) -> None:
    clock = Clock()
    reg = registry(engine, clock, pepper=load_keys(settings, create=False).pepper)
    clerk, ann, boss = login(reg), login(reg, "ann"), login(reg, "boss", "admin")
    keys_env = base_env(settings.data_dir)

    def cli(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "services.auth", *args], env=keys_env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert "Ended 1 live session(s) of 'ann'" in cli("end-sessions", "ann")
    reg.sync()
    assert reg.check(ann).state == "revoked" and reg.check(clerk).ok
    assert "Ended 2 live session(s)" in cli("end-sessions", "--all")
    reg.sync()
    assert reg.check(clerk).state == "revoked" and reg.check(boss).state == "revoked"


def test_disabling_or_changing_a_user_ends_their_sessions(engine: Engine, settings: Settings) -> None:
    clock = Clock()
    reg = registry(engine, clock, pepper=load_keys(settings, create=False).pepper)
    first = login(reg, "ann")
    env = base_env(settings.data_dir)
    out = subprocess.run([sys.executable, "-m", "services.auth", "disable", "ann"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    reg.sync()
    assert reg.check(first).state == "revoked"


def test_forged_malformed_and_foreign_tokens_are_invalid(engine: Engine) -> None:
    clock = Clock()
    reg = registry(engine, clock)
    token = login(reg)
    claims = decode_claims(token, SECRET)
    meta = {"role": "admin", "sid": claims.sid, "login_at": claims.login_at}
    assert reg.check(make_token("x" * 40, "clerk", meta)).state == "invalid"  # wrong signature
    assert reg.check(make_token(SECRET, "clerk", meta)).state == "revoked"  # role raised by hand
    assert reg.check(make_token(SECRET, "boss", {**meta, "role": "staff"})).state == "revoked"  # other user
    assert reg.check(make_token(SECRET, "clerk", {"role": "staff"})).state == "invalid"  # no session id
    assert reg.check(jwt.encode({"identifier": "clerk"}, SECRET, algorithm="HS256")).state == "invalid"  # no exp
    assert reg.check(make_token(SECRET, "clerk", meta, lifetime=-10)).state == "expired"  # past its exp
    assert reg.check("not.a.token").state == "invalid" and reg.check(None).state == "invalid"


def test_the_store_holds_only_hashes(engine: Engine) -> None:
    reg = registry(engine, Clock())
    token = login(reg, "clerk.with.a.name")
    reg.end(token)
    with transaction(engine) as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM sessions").all())
        dump += repr(conn.exec_driver_sql("SELECT * FROM revoked_tokens").all())
    claims = decode_claims(token, SECRET)
    assert "clerk" not in dump and claims.sid not in dump and token not in dump


def test_tokens_from_headers() -> None:
    assert tokens_from_headers([(b"cookie", b"a=1; access_token=tok; b=2")]) == "tok"
    assert tokens_from_headers([(b"cookie", b"access_token_0=to; access_token_1=k")]) == "tok"
    assert tokens_from_headers([(b"authorization", b"Bearer tok")]) == "tok"
    assert tokens_from_headers([(b"authorization", b"Basic tok")]) is None
    assert tokens_from_headers([]) is None
    # Read exactly as Chainlit does, or refused as ambiguous: never one token checked, another used.
    assert tokens_from_headers([(b"cookie", b"access_token=a; access_token=b")]) == AMBIGUOUS
    assert tokens_from_headers([(b"cookie", b"access_token =a")]) == "a"  # Starlette trims names too
    assert tokens_from_headers([(b"cookie", b"access_token=a; access_token =b")]) == AMBIGUOUS
    assert tokens_from_headers([(b"cookie", b" access_token=a")]) == "a"  # leading space after ';' is normal
    assert tokens_from_headers([(b"cookie", b"access_token=a"), (b"cookie", b"access_token=b")]) == AMBIGUOUS
    assert tokens_from_headers([(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")]) == AMBIGUOUS
    assert tokens_from_headers([(b"cookie", b"access_token=a"), (b"authorization", b"Bearer b")]) == AMBIGUOUS
    assert tokens_from_headers([(b"cookie", b"access_token=a"), (b"authorization", b"Bearer a")]) == "a"
    assert tokens_from_headers([(b"cookie", b'access_token="a"')]) == "a"  # quotes, as Starlette reads them


@pytest.mark.parametrize("failures, wait", [(1, 0), (2, 0), (3, 1), (4, 2), (5, 4), (12, 300), (40, 300)])
def test_backoff_doubles_after_the_free_attempts(failures: int, wait: float) -> None:
    clock = Clock()
    throttle = LoginThrottle(free_attempts=3, address_free_attempts=100, max_delay=300, clock=clock)
    for _ in range(failures):
        throttle.failure("acct", "10.0.0.1")
    decision = throttle.check("acct", "10.0.0.1")
    assert decision.allowed == (wait == 0) and decision.retry_after == pytest.approx(wait)
    clock.now += wait
    assert throttle.check("acct", "10.0.0.1").allowed


def test_backoff_per_address_spans_accounts_and_success_clears_the_account() -> None:
    clock = Clock()
    throttle = LoginThrottle(free_attempts=3, address_free_attempts=5, clock=clock)
    for i in range(5):
        throttle.failure(f"acct{i}", "10.0.0.9")  # one failure per account: spraying from one address
    assert not throttle.check("fresh", "10.0.0.9").allowed
    assert throttle.check("fresh", "10.0.0.10").allowed
    throttle.failure("a", None)
    throttle.failure("a", None)
    throttle.failure("a", None)
    assert not throttle.check("a", None).allowed
    throttle.success("a")
    assert throttle.check("a", None).allowed
    clock.now += 10_000
    assert throttle.check("fresh", "10.0.0.9").allowed  # forgotten after a quiet while


def test_lockout_after_repeated_failures_is_lifted_by_an_admin(settings: Settings, engine: Engine) -> None:
    settings = load_settings({**{s: str(v) for s, v in {
        "HUSHDESK_DATA_DIR": settings.data_dir, "HUSHDESK_ENGINE": "external",
        "HUSHDESK_ENGINE_URL": settings.engine_url, "HUSHDESK_LOGIN_LOCKOUT_ATTEMPTS": 4,
        "HUSHDESK_LOGIN_FREE_ATTEMPTS": 100}.items()}}, dotenv=False)
    UserStore(engine).add("dana", "staff", "a long enough password")

    async def scenario():
        runtime = Runtime.open(settings)
        runtime.audit.start()
        try:
            results = [await runtime.signin.login("dana", "wrong password number one", "10.1.1.1") for _ in range(4)]
            with pytest.raises(LoginRefused):
                await runtime.signin.login("dana", "a long enough password", "10.1.1.2")  # right, but locked
            assert runtime.users.get("dana").locked
            runtime.users.unlock("dana")
            ok = await runtime.signin.login("dana", "a long enough password", "10.1.1.3")
            return results, ok, runtime.audit.tail(10), runtime.user_hash("dana")
        finally:
            runtime.audit.close()

    results, ok, rows, dana = asyncio.run(scenario())
    assert results == [None] * 4 and ok is not None and ok.name == "dana"
    kinds = [(r["kind"], r["outcome"]) for r in rows]
    assert kinds == [("login_failed", "denied")] * 4 + [("account_locked", "locked"), ("login_refused", "locked"),
                                                        ("login", "ok")]
    assert all(r["user_hash"] == dana for r in rows)


def test_lockout_setting_never_exceeds_100() -> None:
    from services.errors import ConfigError

    with pytest.raises(ConfigError, match="HUSHDESK_LOGIN_LOCKOUT_ATTEMPTS"):
        load_settings({"HUSHDESK_LOGIN_LOCKOUT_ATTEMPTS": "101"}, dotenv=False)
    assert load_settings({"HUSHDESK_LOGIN_LOCKOUT_ATTEMPTS": "100"}, dotenv=False).login_lockout_attempts == 100


def test_backoff_refuses_without_checking_the_password(settings: Settings, engine: Engine) -> None:
    UserStore(engine).add("erin", "staff", "a long enough password")

    async def scenario():
        runtime = Runtime.open(settings)
        runtime.audit.start()
        try:
            for _ in range(3):
                assert await runtime.signin.login("erin", "wrong password here!", "10.2.2.2") is None
            with pytest.raises(LoginRefused):
                await runtime.signin.login("erin", "a long enough password", "10.2.2.3")
            return runtime.audit.tail(10)
        finally:
            runtime.audit.close()

    rows = asyncio.run(scenario())
    assert [(r["kind"], r["outcome"]) for r in rows][-1] == ("login_refused", "throttled")


def test_a_session_is_not_begun_for_an_account_changed_since_its_password_was_checked(engine: Engine) -> None:
    reg = registry(engine, Clock())
    users = UserStore(engine)
    users.provision("ann", "staff", "test")
    users.provision("boss", "admin", "test")
    users.disable("ann")
    assert reg.begin("ann", "staff") is None  # disabled between the check and the session
    assert reg.begin("boss", "staff") is None  # its role changed meanwhile
    assert reg.begin("ghost", "staff") is None
    assert reg.begin("boss", "admin") is not None


def test_parallel_attempts_are_counted_before_their_passwords_are_checked() -> None:
    throttle = LoginThrottle(free_attempts=3, address_free_attempts=100, clock=Clock())
    decisions = [throttle.attempt("acct", "10.0.0.1") for _ in range(5)]  # a burst, none answered yet
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    throttle.succeeded("acct", "10.0.0.1")
    assert throttle.attempt("acct", "10.0.0.1").allowed


def test_huge_and_expanding_passwords_are_refused_and_audited_not_raised(settings: Settings, engine: Engine) -> None:
    UserStore(engine).add("erin", "staff", "a long enough password")

    async def scenario():
        runtime = Runtime.open(settings)
        runtime.audit.start()
        try:
            # U+FDFA becomes 18 characters under NFKC.
            return [await runtime.signin.login(name, "\ufdfa" * 1000, None) for name in ("erin", "nobody")], \
                runtime.audit.tail(5)
        finally:
            runtime.audit.close()

    results, rows = asyncio.run(scenario())
    assert results == [None, None]
    assert [(r["kind"], r["outcome"]) for r in rows] == [("login_failed", "denied")] * 2


def test_a_token_is_read_once_and_every_later_check_still_sees_endings(engine: Engine, monkeypatch) -> None:
    """Issue 16: a socket's every event and the watchdog's every tick check the same token; its
    signature and keyed hashes are worked out once. What the check decides from (revocation, the
    session's end, its limits) is still read each time."""
    import services.auth.sessions as sessions_module

    calls: list[str] = []
    real = sessions_module._decode
    monkeypatch.setattr(sessions_module, "_decode", lambda token, secret: calls.append(token) or real(token, secret))
    clock = Clock()
    reg = registry(engine, clock, idle=600)
    token, other = login(reg), login(reg, "ann")
    for _ in range(50):
        assert reg.check(token).ok
    assert calls.count(token) == 1
    forged = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    for _ in range(3):  # invalid tokens are never kept: each is read again, and refused again
        assert reg.check(forged).state == "invalid"
    assert calls.count(forged) == 3
    reg.end(other, "logout")
    assert reg.check(other).state == "revoked"  # revoked after it was read and kept
    clock.now += 601
    assert reg.check(token).state == "idle"  # limits are checked at every call
    assert calls.count(token) == 1


def test_kept_token_reads_are_bounded(engine: Engine, monkeypatch) -> None:
    import services.auth.sessions as sessions_module

    monkeypatch.setattr(sessions_module, "_READS_KEPT", 8)
    clock = Clock()
    reg = registry(engine, clock)
    tokens = [login(reg, f"clerk{i}") for i in range(20)]
    for token in tokens:
        assert reg.check(token).ok
        assert len(reg._reads) <= 8
    assert all(reg.check(token).ok for token in tokens)  # read again once dropped


def test_a_session_begun_by_another_process_is_honoured_and_its_end_reaches_this_one(engine: Engine) -> None:
    """Issue 16: several app processes share one store. A sign-in on one is accepted by another (read
    from the store once), and an ending decided on one reaches the other at its next sync (each second)."""
    clock = Clock()
    first, second = registry(engine, clock), registry(engine, clock)
    token = login(first)
    assert second.check(token).ok
    unknown = make_token(SECRET, "clerk", {"role": "staff", "sid": "x" * 24, "login_at": clock.now})
    assert second.check(unknown).state == "revoked"  # well signed, but no such session in the store
    first.end(token, "logout")
    assert second.check(token).ok  # until this process syncs (the watchdog does, each second)
    second.sync()
    assert second.check(token).state == "revoked"
    other = login(first, "ann")
    assert second.check(other).ok
    first.end_user("ann", "disabled")
    second.sync()
    verdict = second.check(other)
    assert verdict.state == "revoked" and not verdict.newly_ended  # audited once, by the process that ended it
