"""Login sessions that really end: idle and absolute limits, revocation that survives a restart.

Chainlit's login token (an HS256 JWT in the `access_token` cookie, or a Bearer header) carries the
user name and our metadata: `role`, a random session id `sid` and `login_at` (epoch seconds). A
token refreshed through `/auth/jwt` keeps that metadata, so every token of one login is tied to one
session, and its limits are counted from the login, never from the token.

- `SessionStore`: the `sessions` and `revoked_tokens` tables (keyed hashes only, never a raw id or
  token), usable from any process: the command line ends sessions here, and the running server
  notices through `meta.sessions_epoch`, which every ending bumps.
- `SessionRegistry`: the server's view, in memory for the per-message check and synced with the
  store by `sync()` (the app calls it every second off the event loop).

`check(token)` answers a `Verdict`: `active`, or why not: `idle` (no activity for
`HUSHDESK_SESSION_IDLE_SECONDS`), `expired` (`HUSHDESK_SESSION_MAX_SECONDS` since login), `revoked`
(logged out, user disabled or changed, all sessions ended, or unknown to this store) or `invalid`
(no token, bad signature, malformed). Only `active` lets a request or message through.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import jwt as pyjwt
from starlette.requests import cookie_parser
from sqlalchemy.engine import Engine

from ..keys import hash_id
from ..roles import ROLES
from ..store import transaction

__all__ = ["Claims", "Verdict", "SessionStore", "SessionRegistry", "LOGIN_ERROR", "AMBIGUOUS", "tokens_from_headers"]

_log = logging.getLogger(__name__)

ACTIVE, IDLE, EXPIRED, REVOKED, INVALID = "active", "idle", "expired", "revoked", "invalid"
# The key the login page shows (`/login?error=<key>`; .chainlit/translations auth.login.errors).
LOGIN_ERROR = {IDLE: "sessionIdle", EXPIRED: "sessionExpired", REVOKED: "sessionRevoked",
               INVALID: "sessionRevoked"}
_COOKIE = "access_token"
AMBIGUOUS = "ambiguous"  # a token read that never validates


@dataclass(frozen=True)
class Claims:
    """What a valid token says: user name, role, session id, login time (epoch s), provider."""

    user: str
    role: str
    sid: str
    login_at: float
    provider: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The answer for one token: `state` is active|idle|expired|revoked|invalid."""

    state: str
    claims: Claims | None = None
    newly_ended: bool = False  # this check ended the session (the caller audits it once)

    @property
    def ok(self) -> bool:
        """True only for an active session."""
        return self.state == ACTIVE

    @property
    def login_error(self) -> str:
        """The login page's error key for why this session is not active."""
        return LOGIN_ERROR.get(self.state, "sessionRevoked")


def tokens_from_headers(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The login token exactly as Chainlit reads it: the `access_token` cookie (or its chunks), else
    the first `Authorization: Bearer`; None without one.

    A request that could be read two ways (two Cookie or Authorization headers, a login cookie named
    twice, a cookie and a Bearer token that differ) answers
    AMBIGUOUS, which never validates: the guard must check the very token Chainlit will use.
    """
    cookie_headers = [v for k, v in headers if k.lower() == b"cookie"]
    auth_headers = [v for k, v in headers if k.lower() == b"authorization"]
    if len(cookie_headers) > 1 or len(auth_headers) > 1:
        return AMBIGUOUS
    cookie_token = None
    if cookie_headers:
        raw = cookie_headers[0].decode("latin-1")
        names = [part.split("=", 1)[0].strip() for part in raw.split(";") if "=" in part]
        ours = [n for n in names if n.startswith(_COOKIE)]
        if len(set(ours)) != len(ours):
            return AMBIGUOUS
        cookies = cookie_parser(raw)
        cookie_token = cookies.get(_COOKIE) or None
        if cookie_token is None:
            chunks, i = [], 0
            while f"{_COOKIE}_{i}" in cookies:
                chunks.append(cookies[f"{_COOKIE}_{i}"])
                i += 1
            cookie_token = "".join(chunks) or None
    bearer = None
    if auth_headers:
        scheme, _, rest = auth_headers[0].decode("latin-1").strip().partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            bearer = rest.strip()
    if cookie_token and bearer and cookie_token != bearer:
        return AMBIGUOUS
    return cookie_token or bearer


def decode_claims(token: str, secret: str, *, now: float | None = None) -> Claims | None:
    """The claims of a token signed with `secret` and not past its `exp` (at `now`), else None."""
    data = _decode(token, secret)
    if data is None or data["exp"] <= (time.time() if now is None else now):
        return None
    return _claims(data)


def _decode(token: str, secret: str) -> dict[str, Any] | None:
    """The payload of a well-signed token that has a numeric `exp` (not checked here), else None."""
    try:
        data = pyjwt.decode(token, secret, algorithms=["HS256"],
                            options={"require": ["exp"], "verify_exp": False})
    except (pyjwt.PyJWTError, ValueError, TypeError):
        return None
    exp = data.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return data


def _claims(data: dict[str, Any]) -> Claims | None:
    meta = data.get("metadata")
    user = data.get("identifier")
    if not isinstance(meta, dict) or not isinstance(user, str) or not user:
        return None
    sid, role, login_at = meta.get("sid"), meta.get("role"), meta.get("login_at")
    if not isinstance(sid, str) or len(sid) < 16 or role not in ROLES:
        return None
    if isinstance(login_at, bool) or not isinstance(login_at, (int, float)) or not math.isfinite(login_at):
        return None
    provider = meta.get("provider") if isinstance(meta.get("provider"), str) else None
    return Claims(user=user, role=role, sid=sid, login_at=float(login_at), provider=provider)


def _ended_state(reason: str | None) -> str:
    return reason if reason in (IDLE, EXPIRED) else REVOKED


class SessionStore:
    """The sessions tables in the encrypted store; ids are kept only as keyed hashes."""

    def __init__(self, engine: Engine, pepper: bytes) -> None:
        self._engine = engine
        self._pepper = pepper

    def sid_hash(self, sid: str) -> str:
        """Keyed hash of a session id."""
        return hash_id(self._pepper, "sid", sid)

    def user_hash(self, name: str) -> str:
        """Keyed hash of a user name, case-folded (the same as the audit trail's)."""
        return hash_id(self._pepper, "user", name.casefold())

    def token_hash(self, token: str) -> str:
        """Keyed hash of a login token."""
        return hash_id(self._pepper, "token", token)

    def begin(self, sid: str, user: str, role: str, now: float) -> bool:
        """Record a new session, in one transaction with a fresh look at the account: False (nothing
        recorded) when it has meanwhile been disabled, locked or given another role."""
        with transaction(self._engine, write=True) as conn:
            row = conn.exec_driver_sql("SELECT role, disabled, locked FROM users WHERE name = ?", (user,)).first()
            if row is None or row[1] or row[2] or row[0] != role:
                return False
            conn.exec_driver_sql(
                "INSERT INTO sessions (sid_hash, user_hash, role, login_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                (self.sid_hash(sid), self.user_hash(user), role, now, now))
        return True

    def end(self, sid_hashes: Iterable[str], reason: str, now: float) -> int:
        """End these sessions (those not ended yet); bump the epoch. Returns how many ended."""
        hashes = list(sid_hashes)
        return self._end("sid_hash IN (%s)" % ",".join("?" * len(hashes)), hashes, reason, now) if hashes else 0

    def end_user(self, name: str, reason: str, now: float) -> int:
        """End every open session of one user (disabled, role changed, or asked)."""
        return self._end("user_hash = ?", [self.user_hash(name)], reason, now)

    def end_all(self, reason: str, now: float) -> int:
        """End every open session."""
        return self._end("1 = 1", [], reason, now)

    def revoke_token(self, token: str, expires_at: float) -> None:
        """Refuse this exact token from now on (until it would have expired anyway)."""
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("INSERT OR IGNORE INTO revoked_tokens (token_hash, expires_at) VALUES (?, ?)",
                                 (self.token_hash(token), expires_at))
            self._bump(conn)

    def _end(self, where: str, params: list[Any], reason: str, now: float) -> int:
        with transaction(self._engine, write=True) as conn:
            ended = conn.exec_driver_sql(
                f"UPDATE sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL AND {where}",
                (now, reason, *params)).rowcount
            self._bump(conn)
        return int(ended or 0)

    @staticmethod
    def _bump(conn: Any) -> None:
        conn.exec_driver_sql(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'sessions_epoch'")

    def epoch(self) -> int:
        """A counter bumped by every ending or revocation, in any process."""
        with transaction(self._engine) as conn:
            return int(conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'sessions_epoch'").scalar() or 0)

    def load(self, since: float) -> tuple[dict[str, tuple[str, str, float, float, str | None]], set[str]]:
        """Sessions begun after `since` (sid_hash -> user_hash, role, login_at, last_seen, end reason)
        and the hashes of revoked tokens not yet expired."""
        with transaction(self._engine) as conn:
            rows = conn.exec_driver_sql(
                "SELECT sid_hash, user_hash, role, login_at, last_seen, end_reason, ended_at FROM sessions "
                "WHERE login_at > ?", (since,)).all()
            revoked = {r[0] for r in conn.exec_driver_sql(
                "SELECT token_hash FROM revoked_tokens WHERE expires_at > ?", (since,))}
        sessions = {r[0]: (r[1], r[2], float(r[3]), float(r[4]), _ended_state(r[5]) if r[6] is not None else None)
                    for r in rows}
        return sessions, revoked

    def one(self, sid_hash: str) -> tuple[str, str, float, float, str | None] | None:
        """One session by its hash (user_hash, role, login_at, last_seen, end reason), or None."""
        with transaction(self._engine) as conn:
            r = conn.exec_driver_sql("SELECT user_hash, role, login_at, last_seen, end_reason, ended_at FROM sessions "
                                     "WHERE sid_hash = ?", (sid_hash,)).first()
        if r is None:
            return None
        return r[0], r[1], float(r[2]), float(r[3]), _ended_state(r[4]) if r[5] is not None else None

    def save_seen(self, seen: Mapping[str, float]) -> None:
        """Persist last-activity times (a restart then still knows how idle a session is)."""
        if not seen:
            return
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("UPDATE sessions SET last_seen = ? WHERE sid_hash = ? AND last_seen < ?",
                                 [(t, h, t) for h, t in seen.items()])

    def purge(self, before: float) -> None:
        """Forget sessions begun, and revoked tokens expiring, before `before`."""
        with transaction(self._engine, write=True) as conn:
            conn.exec_driver_sql("DELETE FROM sessions WHERE login_at < ?", (before,))
            conn.exec_driver_sql("DELETE FROM revoked_tokens WHERE expires_at < ?", (before,))

    def open_count(self, since: float, idle_since: float) -> dict[str, int]:
        """Open sessions per role: begun after `since`, active after `idle_since`, not ended."""
        with transaction(self._engine) as conn:
            rows = conn.exec_driver_sql(
                "SELECT role, COUNT(*) FROM sessions WHERE ended_at IS NULL AND login_at > ? AND last_seen > ? "
                "GROUP BY role", (since, idle_since)).all()
        return {r[0]: int(r[1]) for r in rows}


@dataclass
class _Live:
    user_hash: str
    role: str
    login_at: float
    last_seen: float
    ended: str | None = None


@dataclass(frozen=True)
class _Read:
    """A well-signed token's expiry and claims, and the keyed hashes a check compares."""

    exp: float
    claims: Claims
    sid_hash: str
    token_hash: str
    user_hash: str


_READS_KEPT = 4096


class SessionRegistry:
    """The server's sessions: `begin` at login, `check` on every request and message, `sync` each second.

    `on_end(claims, reason)` is called exactly once for each session that a check finds idle or expired
    (whichever check that is: HTTP, socket event or the watchdog), so "ended, then audited once" is
    written in one place. It must not block (the audit queues its row).
    """

    def __init__(self, store: SessionStore, auth_secret: str, *, idle_seconds: float, max_seconds: float,
                 clock: Callable[[], float] = time.time,
                 on_end: Callable[[Claims, str], None] | None = None) -> None:
        self.store = store
        self._on_end = on_end
        self._secret = auth_secret
        self.idle = idle_seconds
        self.max = max_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._live: dict[str, _Live] = {}
        self._revoked: set[str] = set()
        self._dirty: dict[str, float] = {}
        self._ending: dict[str, str] = {}  # ended here by a check, not yet written
        self._reads: dict[str, _Read] = {}  # token -> what checking it found (see _read)
        self._epoch: int | None = None

    def load(self) -> None:
        """Read sessions and revocations from the store (at start; `sync` keeps them current)."""
        now = self._clock()
        self.store.purge(now - self.max - 86400)
        epoch = self.store.epoch()
        sessions, revoked = self.store.load(now - self.max)
        with self._lock:
            self._live = {h: _Live(*v) for h, v in sessions.items()}
            self._revoked = revoked
            self._epoch = epoch

    def begin(self, user: str, role: str) -> dict[str, Any] | None:
        """Start a session (blocking: call it off the event loop); the token metadata to add, or None
        when the account changed since its password was checked (disabled, locked, other role)."""
        sid = secrets.token_urlsafe(24)
        now = self._clock()
        if not self.store.begin(sid, user, role, now):
            return None
        with self._lock:
            self._live[self.store.sid_hash(sid)] = _Live(self.store.user_hash(user), role, now, now)
        return {"role": role, "sid": sid, "login_at": now}

    def _read(self, token: str) -> _Read | None:
        """The token's checked signature and claims with its keyed hashes, worked out once per token:
        a socket's every event and the watchdog's every tick check the same token again (issue 16's
        profile), and a token never changes. Invalid tokens are not kept (anyone can send those)."""
        read = self._reads.get(token)
        if read is not None:
            return read
        data = _decode(token, self._secret)
        claims = _claims(data) if data is not None else None
        if claims is None:
            return None
        read = _Read(float(data["exp"]), claims, self.store.sid_hash(claims.sid), self.store.token_hash(token),  # type: ignore[index]
                     self.store.user_hash(claims.user))
        with self._lock:
            if len(self._reads) >= _READS_KEPT:
                self._reads.clear()  # a bound, not an LRU: refilled from live sockets within a tick
            self._reads[token] = read
        return read

    def check(self, token: str | None, *, touch: bool = True) -> Verdict:
        """Whether this token's session is active; `touch` counts the call as activity."""
        read = self._read(token) if token else None
        if read is None:
            return Verdict(INVALID)
        claims = read.claims
        now = self._clock()
        if read.exp <= now:
            # The token's own expiry (set to the session's maximum length): say so, not "invalid".
            return Verdict(EXPIRED, claims)
        sid_hash = read.sid_hash
        if sid_hash not in self._live:
            self._adopt(sid_hash, now)
        with self._lock:
            live = self._live.get(sid_hash)
            if live is None or read.token_hash in self._revoked:
                return Verdict(REVOKED, claims)
            if live.ended:
                return Verdict(live.ended, claims)
            if live.role != claims.role or live.user_hash != read.user_hash:
                return Verdict(REVOKED, claims)
            state = EXPIRED if now - live.login_at >= self.max else IDLE if now - live.last_seen >= self.idle else ACTIVE
            if state == ACTIVE:
                if touch:
                    live.last_seen = now
                    self._dirty[sid_hash] = now
                return Verdict(ACTIVE, claims)
            live.ended = state
            self._ending[sid_hash] = state
        if self._on_end is not None:
            try:
                self._on_end(claims, state)
            except Exception as exc:  # noqa: BLE001 - the ending stands; only its audit row is missing
                _log.error("session end could not be reported: %s", type(exc).__name__)
        return Verdict(state, claims, newly_ended=True)

    def _adopt(self, sid_hash: str, now: float) -> None:
        """A well-signed token of a session this process has not seen: another app process sharing the
        store began it (several workers behind one proxy). Read it once from the store (blocking, once
        per session and process); a session the store does not hold stays unknown (refused)."""
        try:
            found = self.store.one(sid_hash)
        except Exception as exc:  # noqa: BLE001 - the store is down: refuse now, look again next time
            _log.error("session lookup failed: %s", type(exc).__name__)
            return
        if found is None or found[2] <= now - self.max:
            return
        with self._lock:
            self._live.setdefault(sid_hash, _Live(*found))

    def end(self, token: str, reason: str = "logout") -> Claims | None:
        """End the session of this token and revoke the token itself (blocking); its claims or None."""
        read = self._read(token)
        if read is None:
            return None
        claims, now = read.claims, self._clock()
        self.store.end([read.sid_hash], reason, now)
        self.store.revoke_token(token, claims.login_at + self.max + 60)
        with self._lock:
            if read.sid_hash in self._live:
                self._live[read.sid_hash].ended = REVOKED
            self._revoked.add(read.token_hash)
        return claims

    def end_user(self, name: str, reason: str) -> int:
        """End every session of a user now (blocking)."""
        count = self.store.end_user(name, reason, self._clock())
        self.sync()
        return count

    def end_all(self, reason: str) -> int:
        """End every session now (blocking)."""
        count = self.store.end_all(reason, self._clock())
        self.sync()
        return count

    def sync(self) -> None:
        """Write activity and endings decided here; read endings made elsewhere (blocking, ~1 s cadence)."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
            ending, self._ending = self._ending, {}
        try:
            self.store.save_seen(dirty)
            for reason in set(ending.values()):
                self.store.end([h for h, r in ending.items() if r == reason], reason, self._clock())
            epoch = self.store.epoch()
            if epoch == self._epoch:
                return
            sessions, revoked = self.store.load(self._clock() - self.max)
        except Exception:
            with self._lock:  # try again next time; nothing decided here is lost
                for h, t in dirty.items():
                    self._dirty.setdefault(h, t)
                for h, r in ending.items():
                    self._ending.setdefault(h, r)
            raise
        with self._lock:
            for h, (_, _, _, _, ended) in sessions.items():
                live = self._live.get(h)
                if live is not None and ended and not live.ended:
                    live.ended = ended
            self._revoked |= revoked
            self._epoch = epoch

    @property
    def check_interval(self) -> float:
        """How often a browser should ask whether its session still holds (seconds)."""
        return max(1.0, min(15.0, self.idle / 6))
