"""Everything one hushdesk process needs, built once from Settings; the UI layer only calls this.

`Runtime.open(settings)` loads keys and the store (set-up must have run: it never creates them),
picks the model and the engine, and wires the chat service. `start()` launches the engine in the
background so the UI is up while a large model loads; `stop()` stops it and drains the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from redaction import Redactor, build_detectors
from redaction.custom import HookError, load_hooks, with_rules
from redaction.recognizers import LayerError, load_layers

from .audit import AuditLog, AuthRecord
from .audit.remote import checkpoints_for, signer_for
from .chat import ChatService, Conversation
from .config import Settings
from .engine.supervisor import Engine, create_engine, resolve_engine_kind
from .errors import HushdeskError, RedactionSetupError, StoreError
from .keys import Keys, hash_id, load_keys
from .limits import TurnLimiter
from .engine.client import LLMClient
from .auth.sessions import SessionRegistry, SessionStore
from .store import DAMAGED, damaged_pages, lock_instance, open_store
from .auth.throttle import LoginThrottle
from .auth.users import LoginCheck, User, UserStore

__all__ = ["Runtime", "redaction_layers", "resolve_model_dir", "LoginRefused", "consent_text", "consent_version"]

log = logging.getLogger("hushdesk.runtime")

_FIRST_START_RETRY = 10.0
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hushdesk-passwords")


def consent_text(settings: Settings, lang: str) -> str:
    """The consent notice in a language: the setting, else the built-in text."""
    from .i18n import text

    custom = settings.consent_text_zh if lang == "zh-CN" else settings.consent_text_en
    return custom.strip() or text("consent_default", lang)


def consent_version(settings: Settings) -> str:
    """A short digest of both consent texts: a changed text asks everyone to accept again."""
    import hashlib

    both = (consent_text(settings, "en") + "\x00" + consent_text(settings, "zh-CN")).encode("utf-8")
    return hashlib.sha256(both).hexdigest()[:16]


def _source(provider: str) -> str:
    return "".join(c for c in provider if c.isalnum() or c in "-_")[:32] or "oauth"


class LoginRefused(HushdeskError):
    """Too many failed sign-ins for this account or address, or the account is locked."""

    outcome = "login_refused"
    default_message = "Too many failed sign-ins. Wait a moment and try again, or ask an administrator."


def redaction_layers(settings: Settings) -> tuple:
    """The recognizers every input is redacted with: the built-in name layers, then the Python hooks
    (HUSHDESK_RECOGNIZER_HOOKS and entry points). RedactionSetupError when one cannot be loaded: hushdesk
    never runs on the rules alone."""
    try:
        layers = load_layers()
    except LayerError as exc:
        raise RedactionSetupError(exc.MESSAGE + ".") from None
    try:
        hooks = load_hooks(settings.recognizer_hooks)
    except HookError as exc:
        raise RedactionSetupError(f"HUSHDESK_RECOGNIZER_HOOKS: {exc}") from None
    return (*layers, *hooks)


def resolve_model_dir(settings: Settings, keys: Keys | None = None) -> tuple[Path | None, bool]:
    """The model directory to serve and whether it is the generated demo model.

    The demo model is generated with a manifest signed by the instance key (`keys`, else the key
    file), so it passes the check every launch makes.
    """
    if resolve_engine_kind(settings) == "external":
        return None, False
    if settings.model_path is not None:
        return settings.model_path, False
    from .engine.demo_model import ensure_demo_model  # imports torch only when the demo model is needed
    from .engine.integrity import manifest_path_for

    path = settings.demo_model_dir
    signer = signer_for(settings, keys)
    return ensure_demo_model(path, signer=signer, manifest=manifest_path_for(settings, path)), True


@dataclass
class Runtime:
    """The wired services of one process."""

    settings: Settings
    keys: Keys
    users: UserStore
    audit: AuditLog
    engine: Engine
    llm: LLMClient
    chat: ChatService
    demo: bool
    sessions: SessionRegistry
    throttle: LoginThrottle
    lock_fd: int
    started_at: float  # epoch seconds: the dashboard's uptime
    _task: asyncio.Task | None = None

    @classmethod
    def open(cls, settings: Settings) -> "Runtime":
        """Load keys and store, choose the engine; raise a HushdeskError with a safe message."""
        keys = load_keys(settings, create=False)
        lock = lock_instance(settings)  # one writer of the audit chain per data folder
        try:
            return cls._wire(settings, keys, lock)
        except BaseException:
            os.close(lock)
            raise

    @classmethod
    def _wire(cls, settings: Settings, keys: Keys, lock: int) -> "Runtime":
        store = open_store(settings, keys, create=False)
        if damaged_pages(store):  # a damaged store stops the server at start, with a clear message
            store.dispose()
            raise StoreError(DAMAGED)
        recognizers = redaction_layers(settings)  # before the engine: a missing model stops start-up
        model_dir, demo = resolve_model_dir(settings)
        if demo:
            log.warning("No HUSHDESK_MODEL_PATH set: serving the generated demo model; "
                        "its replies are random noise.")
        engine = create_engine(settings, model_dir=model_dir, keys=keys)
        llm = LLMClient(lambda: engine.endpoint, request_timeout=settings.engine_request_timeout,
                        max_tokens=settings.max_output_tokens, temperature=settings.temperature)
        audit = AuditLog(store, keys.chain_key,
                         checkpoints=checkpoints_for(settings, keys),
                         checkpoint_rows=settings.audit_checkpoint_rows,
                         checkpoint_seconds=settings.audit_checkpoint_minutes * 60)
        chat = ChatService(llm, audit, system_prompt=settings.system_prompt,
                           max_input_chars=settings.max_input_chars,
                           history_turns=settings.history_turns,
                           redactor=Redactor(with_rules(settings.recognizers_file,
                                                        build_detectors(settings.order_id_patterns)),
                                             recognizers),
                           policy=settings.output_policy, reveal=settings.reveal_placeholders,
                           store_dir=settings.data_dir, min_free_bytes=settings.audit_min_free_mb * 2**20,
                           limiter=TurnLimiter(per_minute=settings.messages_per_minute,
                                               max_concurrent=settings.max_concurrent_turns,
                                               queue=settings.turn_queue, queue_wait=settings.queue_wait_seconds),
                           after_engine_turn=engine.note_turn)  # counts turns for engine recycling
        registry = SessionRegistry(SessionStore(store, keys.pepper), keys.auth_secret,
                                   idle_seconds=settings.session_idle_seconds,
                                   max_seconds=settings.session_max_seconds)
        registry.load()
        throttle = LoginThrottle(free_attempts=settings.login_free_attempts,
                                 address_free_attempts=settings.login_address_free_attempts,
                                 max_delay=settings.login_backoff_max_seconds)
        users = UserStore(store, min_password=settings.password_min_length)
        return cls(settings, keys, users, audit, engine, llm, chat, demo, registry, throttle, lock, time.time())

    async def start(self) -> None:
        """Start the audit writer now and the engine in the background."""
        self.audit.start()
        self._task = asyncio.create_task(self._start_engine())

    async def wait_ready(self, timeout: float) -> None:
        """Wait until the engine answers (tests and benchmarks; the UI does not wait)."""
        if self._task is not None:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        await self.engine.wait_ready(timeout)

    async def _start_engine(self) -> None:
        # A first start that fails (a slow first load, a GPU still busy at boot) is retried with
        # back-off like a crash after start; turns meanwhile get "not available".
        delay = _FIRST_START_RETRY
        while True:
            try:
                await self.engine.start()
                return
            except HushdeskError as exc:
                log.error("%s Retrying in %g s.", exc.message, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)

    async def stop(self) -> None:
        """Stop the engine (no orphan process) and flush the audit log."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.engine.stop()
        await self.llm.aclose()
        await asyncio.to_thread(self.audit.close)  # drains queued rows, signs a last checkpoint
        try:
            os.close(self.lock_fd)
        except OSError:
            pass

    def session_hash(self, session_id: str) -> str:
        """Keyed hash of a chat session id."""
        return hash_id(self.keys.pepper, "session", session_id)

    def user_hash(self, name: str) -> str:
        """Keyed hash of a user name, case-folded: names are unique regardless of case."""
        return hash_id(self.keys.pepper, "user", name.casefold())

    def conversation(self, session_id: str, user_name: str, role: str) -> Conversation:
        """A fresh conversation for a chat session."""
        return Conversation(self.session_hash(session_id), self.user_hash(user_name), role)

    async def login(self, name: str, password: str, address: str | None = None) -> User | None:
        """Check a password off the event loop, with back-off and lockout; audit every attempt.

        Returns the user, or None for wrong credentials; raises LoginRefused while the account or
        address must wait, or when the account is locked.
        """
        who = self.user_hash(name if isinstance(name, str) else "")
        if not self.throttle.attempt(who, address).allowed:
            await self.audit.write(AuthRecord("login_refused", who, outcome="throttled"))
            raise LoginRefused()
        # argon2 on its own small pool: a burst of sign-ins never starves the default one.
        check: LoginCheck = await asyncio.get_running_loop().run_in_executor(
            _HASHING, self.users.check_login, name, password)
        if check.outcome == "ok" and check.user is not None:
            self.throttle.succeeded(who, address)
            if check.user.failed_logins:
                await asyncio.to_thread(self.users.record_success, check.user.name)
            await self.audit.write(AuthRecord("login", who, role=check.user.role))
            return check.user
        if check.outcome == "locked":
            await self.audit.write(AuthRecord("login_refused", who, outcome="locked"))
            raise LoginRefused()
        _, locked = await asyncio.to_thread(self.users.record_failure, name, self.settings.login_lockout_attempts)
        await self.audit.write(AuthRecord("login_failed", who, outcome=check.outcome))
        if locked:
            await self.audit.write(AuthRecord("account_locked", who, outcome="locked"))
        return None

    async def oauth_login(self, provider: str, identifier: object, userinfo: object) -> User | None:
        """A user signed in at the identity provider: map their groups to a role; audit the attempt.

        Known users must have been created for this provider (a password account is never taken
        over); disabled or locked ones are refused; the mapped role, when there is one, becomes the
        account's role. Unknown users are refused unless auto-provisioning is on and the map gives
        them a role. An identity whose provider says `email_verified: false` is refused.
        """
        from .auth.oidc import identity_from_userinfo

        info = dict(userinfo) if isinstance(userinfo, dict) else {}
        if isinstance(identifier, str):
            info["__chainlit_identifier"] = identifier
        identity = identity_from_userinfo(info, identifier_claim="__chainlit_identifier",
                                          claim_path=self.settings.oidc_role_claim,
                                          role_map=self.settings.oidc_role_map)
        if identity is None:
            await self.audit.write(AuthRecord("login_failed", self.user_hash(""), outcome="oauth_bad_identity"))
            return None
        who = self.user_hash(identity.name)
        if info.get("email_verified") is False:
            await self.audit.write(AuthRecord("login_failed", who, outcome="oauth_unverified"))
            return None
        user = await asyncio.to_thread(self.users.get, identity.name)
        if user is not None and user.source != _source(provider):
            # A local password account (or another provider's) is never taken over by a provider
            # identity that happens to carry the same name.
            await self.audit.write(AuthRecord("login_failed", who, outcome="oauth_other_account"))
            return None
        if user is None:
            if not (self.settings.oidc_auto_provision and identity.role):
                await self.audit.write(AuthRecord("login_failed", who, outcome="oauth_unknown_user"))
                return None
            user = await asyncio.to_thread(self.users.provision, identity.name, identity.role, _source(provider))
        if user.disabled or user.locked:
            await self.audit.write(AuthRecord("login_failed", who, outcome="disabled" if user.disabled else "locked"))
            return None
        if identity.role and identity.role != user.role:
            try:  # the provider's groups decide; the account follows them
                user = await asyncio.to_thread(self.users.set_role, user.name, identity.role)
            except HushdeskError:  # e.g. it would leave no enabled admin
                await self.audit.write(AuthRecord("login_failed", who, outcome="oauth_role_conflict"))
                return None
        await self.audit.write(AuthRecord("login", who, role=user.role, outcome="oauth"))
        return user

    @property
    def consent_version(self) -> str:
        """A short digest of the consent texts in force: a changed text asks everyone again."""
        return consent_version(self.settings)

    def consent_text(self, lang: str) -> str:
        """The consent notice in a language (the setting, else the built-in text)."""
        return consent_text(self.settings, lang)

    async def has_consented(self, name: str) -> bool:
        """Whether the user accepted the consent notice now in force."""
        user = await asyncio.to_thread(self.users.get, name)
        return user is not None and user.consent_version == self.consent_version

    async def accept_consent(self, name: str, role: str, sid: str) -> None:
        """Record and audit a user's acceptance of the consent notice."""
        await asyncio.to_thread(self.users.set_consent, name, self.consent_version)
        await self.audit.write(AuthRecord("consent", self.user_hash(name), role=role or None,
                                          session_hash=self.sessions.store.sid_hash(sid) if sid else None,
                                          outcome="accepted"))

    async def begin_session(self, user: User) -> dict | None:
        """Start a login session for a signed-in user: the metadata its token carries, or None (and
        audited) when the account was disabled, locked or changed since its credentials were checked."""
        metadata = await asyncio.to_thread(self.sessions.begin, user.name, user.role)
        if metadata is None:
            await self.audit.write(AuthRecord("login_refused", self.user_hash(user.name), outcome="changed"))
        return metadata

    async def logout(self, token: str) -> None:
        """End the token's session and revoke the token; audit the logout."""
        claims = await asyncio.to_thread(self.sessions.end, token, "logout")
        if claims is not None:
            await self.audit.write(AuthRecord("logout", self.user_hash(claims.user), role=claims.role,
                                              session_hash=self.sessions.store.sid_hash(claims.sid)))

    async def session_ended(self, user: str, role: str, sid: str, reason: str) -> None:
        """Audit a session that ended by itself (idle, expired) or was refused (revoked)."""
        await self.audit.write(AuthRecord("session_end", self.user_hash(user), role=role,
                                          session_hash=self.sessions.store.sid_hash(sid), outcome=reason))

    async def audit_access(self, auditor: str, what: str) -> None:
        """Audit an auditor's export of the trail."""
        await self.audit.write(AuthRecord("audit_access", self.user_hash(auditor), role="auditor", outcome=what))

    async def admin_action(self, admin: str, action: str, target: str | None = None) -> None:
        """Audit an admin's action on users or sessions (the target as a hashed name)."""
        await self.audit.write(AuthRecord("admin_action", self.user_hash(admin), role="admin",
                                          outcome=action, target_hash=self.user_hash(target) if target else None))
