"""Signing in and out, with their audit rows: passwords, OAuth identities, consent, logout, and
sessions that end by themselves. No UI import: `app.py` calls these and shows the result.

Every attempt is audited by keyed hashes only (`AuthRecord`); a refusal never says which part of the
credentials was wrong. Password checks run off the event loop on their own small pool, so a burst of
sign-ins never starves the default one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from ..audit import AuditLog, AuthRecord
from ..config import Settings
from ..errors import HushdeskError, StoreError
from ..i18n import text
from .oidc import groups_from_claims, identity_from_userinfo
from .sessions import Claims, SessionRegistry, SessionStore
from .throttle import LoginThrottle
from .users import LoginCheck, User, UserStore

__all__ = ["SignIn", "LoginRefused", "SessionEndAudit", "consent_text", "consent_version"]

log = logging.getLogger("hushdesk.signin")

_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hushdesk-passwords")


class LoginRefused(HushdeskError):
    """Too many failed sign-ins for this account or address, or the account is locked."""

    outcome = "login_refused"
    default_message = "Too many failed sign-ins. Wait a moment and try again, or ask an administrator."


def consent_text(settings: Settings, lang: str) -> str:
    """The consent notice in a language: the setting, else the built-in text."""
    custom = settings.consent_text_zh if lang == "zh-CN" else settings.consent_text_en
    return custom.strip() or text("consent_default", lang)


def consent_version(settings: Settings) -> str:
    """A short digest of both consent texts: a changed text asks everyone to accept again."""
    both = (consent_text(settings, "en") + "\x00" + consent_text(settings, "zh-CN")).encode("utf-8")
    return hashlib.sha256(both).hexdigest()[:16]


def _source(provider: str) -> str:
    return "".join(c for c in provider if c.isalnum() or c in "-_")[:32] or "oauth"


@dataclass(frozen=True)
class SessionEndAudit:
    """The session registry's `on_end`: audits, once, a session a check found idle or expired (or
    refused as revoked). Queued without waiting, so a check on the event loop never blocks on the disk."""

    audit: AuditLog
    store: SessionStore

    def __call__(self, claims: Claims, reason: str) -> None:
        record = AuthRecord("session_end", self.store.user_hash(claims.user), role=claims.role,
                            session_hash=self.store.sid_hash(claims.sid), outcome=reason)
        try:
            self.audit.submit(record).add_done_callback(_log_failure)
        except HushdeskError as exc:
            log.error("session end could not be audited: %s", exc.outcome)


def _log_failure(future: Future[int]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("session end could not be audited: %s", getattr(exc, "outcome", type(exc).__name__))


class SignIn:
    """Password and OAuth sign-in, consent, logout and admin/auditor actions, each audited."""

    def __init__(self, settings: Settings, users: UserStore, sessions: SessionRegistry, throttle: LoginThrottle,
                 audit: AuditLog) -> None:
        self.settings = settings
        self.users = users
        self.sessions = sessions
        self.throttle = throttle
        self._audit = audit
        self.consent_version = consent_version(settings)
        # Users known in this process to have accepted the notice in force (keyed hashes): a chat can start
        # while the store is briefly unreachable (a database restart) without asking again.
        self._consented: set[str] = set()

    def user_hash(self, name: str) -> str:
        """Keyed hash of a user name, case-folded: names are unique regardless of case."""
        return self.sessions.store.user_hash(name)

    async def login(self, name: str, password: str, address: str | None = None) -> User | None:
        """Check a password off the event loop, with back-off and lockout; audit every attempt.

        Returns the user, or None for wrong credentials; raises LoginRefused while the account or
        address must wait, or when the account is locked.
        """
        who = self.user_hash(name if isinstance(name, str) else "")
        if not self.throttle.attempt(who, address).allowed:
            await self._audit.write(AuthRecord("login_refused", who, outcome="throttled"))
            raise LoginRefused()
        check: LoginCheck = await asyncio.get_running_loop().run_in_executor(
            _HASHING, self.users.check_login, name, password)
        if check.outcome == "ok" and check.user is not None:
            self.throttle.succeeded(who, address)
            if check.user.failed_logins:
                await asyncio.to_thread(self.users.record_success, check.user.name)
            await self._audit.write(AuthRecord("login", who, role=check.user.role))
            return check.user
        if check.outcome == "locked":
            await self._audit.write(AuthRecord("login_refused", who, outcome="locked"))
            raise LoginRefused()
        _, locked = await asyncio.to_thread(self.users.record_failure, name, self.settings.login_lockout_attempts)
        await self._audit.write(AuthRecord("login_failed", who, outcome=check.outcome))
        if locked:
            await self._audit.write(AuthRecord("account_locked", who, outcome="locked"))
        return None

    async def oauth_login(self, provider: str, identifier: object, userinfo: object) -> User | None:
        """A user signed in at the identity provider: map their groups to a role; audit the attempt.

        Known users must have been created for this provider (a password account is never taken
        over); disabled or locked ones are refused; the mapped role, when there is one, becomes the
        account's role. Unknown users are refused unless auto-provisioning is on and the map gives
        them a role. An identity whose provider says `email_verified: false` is refused.
        """
        info = dict(userinfo) if isinstance(userinfo, dict) else {}
        if isinstance(identifier, str):
            info["__chainlit_identifier"] = identifier
        identity = identity_from_userinfo(info, identifier_claim="__chainlit_identifier",
                                          claim_path=self.settings.oidc_role_claim,
                                          role_map=self.settings.oidc_role_map)
        if identity is None:
            await self._audit.write(AuthRecord("login_failed", self.user_hash(""), outcome="oauth_bad_identity"))
            return None
        who = self.user_hash(identity.name)
        if info.get("email_verified") is False:
            await self._audit.write(AuthRecord("login_failed", who, outcome="oauth_unverified"))
            return None
        user = await asyncio.to_thread(self.users.get, identity.name)
        if user is not None and user.source != _source(provider):
            # A local password account (or another provider's) is never taken over by a provider
            # identity that happens to carry the same name.
            await self._audit.write(AuthRecord("login_failed", who, outcome="oauth_other_account"))
            return None
        if user is None:
            if not (self.settings.oidc_auto_provision and identity.role):
                await self._audit.write(AuthRecord("login_failed", who, outcome="oauth_unknown_user"))
                return None
            user = await asyncio.to_thread(self.users.provision, identity.name, identity.role, _source(provider))
        if user.disabled or user.locked:
            await self._audit.write(AuthRecord("login_failed", who, outcome="disabled" if user.disabled else "locked"))
            return None
        if identity.role and identity.role != user.role:
            try:  # the provider's groups decide; the account follows them
                user = await asyncio.to_thread(self.users.set_role, user.name, identity.role)
            except HushdeskError:  # e.g. it would leave no enabled admin
                await self._audit.write(AuthRecord("login_failed", who, outcome="oauth_role_conflict"))
                return None
        await self._audit.write(AuthRecord("login", who, role=user.role, outcome="oauth"))
        return user

    def groups_of(self, userinfo: object) -> tuple[str, ...]:
        """The identity provider's groups of a user (the claim at HUSHDESK_OIDC_ROLE_CLAIM), carried in the
        signed login token so knowledge-base grants to groups apply in the chat."""
        return groups_from_claims(userinfo, self.settings.oidc_role_claim)

    async def begin_session(self, user: User) -> dict | None:
        """Start a login session for a signed-in user: the metadata its token carries, or None (and
        audited) when the account was disabled, locked or changed since its credentials were checked."""
        metadata = await asyncio.to_thread(self.sessions.begin, user.name, user.role)
        if metadata is not None and user.consent_version == self.consent_version:
            self._consented.add(self.user_hash(user.name))
        if metadata is None:
            await self._audit.write(AuthRecord("login_refused", self.user_hash(user.name), outcome="changed"))
        return metadata

    async def logout(self, token: str) -> None:
        """End the token's session and revoke the token; audit the logout."""
        claims = await asyncio.to_thread(self.sessions.end, token, "logout")
        if claims is not None:
            await self._audit.write(AuthRecord("logout", self.user_hash(claims.user), role=claims.role,
                                               session_hash=self.sessions.store.sid_hash(claims.sid)))

    def consent_text(self, lang: str) -> str:
        """The consent notice in a language (the setting, else the built-in text)."""
        return consent_text(self.settings, lang)

    async def needs_consent(self, name: str) -> bool:
        """Whether the user has yet to accept the consent notice now in force. With the store unreachable,
        a user seen to accept it in this process needs not; for others the StoreError is raised."""
        who = self.user_hash(name)
        try:
            user = await asyncio.to_thread(self.users.get, name)
        except StoreError:
            if who in self._consented:
                return False
            raise
        pending = user is None or user.consent_version != self.consent_version
        (self._consented.discard if pending else self._consented.add)(who)
        return pending

    async def accept_consent(self, name: str, role: str, sid: str) -> None:
        """Record and audit a user's acceptance of the consent notice."""
        await asyncio.to_thread(self.users.set_consent, name, self.consent_version)
        self._consented.add(self.user_hash(name))
        await self._audit.write(AuthRecord("consent", self.user_hash(name), role=role or None,
                                           session_hash=self.sessions.store.sid_hash(sid) if sid else None,
                                           outcome="accepted"))

    async def audit_access(self, auditor: str, what: str) -> None:
        """Audit an auditor's export of the trail."""
        await self._audit.write(AuthRecord("audit_access", self.user_hash(auditor), role="auditor", outcome=what))

    async def admin_action(self, admin: str, action: str, target: str | None = None) -> None:
        """Audit an admin's action on users or sessions (the target as a hashed name)."""
        await self._audit.write(AuthRecord("admin_action", self.user_hash(admin), role="admin",
                                           outcome=action, target_hash=self.user_hash(target) if target else None))
