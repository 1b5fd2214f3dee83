"""Sign-in: user accounts, passwords, sessions, the sign-in throttle and OAuth/OIDC identities.

Public surface: `UserStore` (accounts in the encrypted store), `SessionStore` / `SessionRegistry`
(signed session cookies, idle expiry, revocation), `LoginThrottle`, `check_password`, the OIDC claim
mapping, and `SignIn` (password, OAuth, consent and logout with their audit rows). The command line is
`python -m services.auth` (`cli.py`).
"""

from .oidc import OidcIdentity, identity_from_userinfo, role_from_claims
from .passwords import PasswordRejected, check_password
from .sessions import Claims, SessionRegistry, SessionStore, Verdict, tokens_from_headers
from .throttle import LoginThrottle
from .users import LoginCheck, User, UserError, UserStore

__all__ = [
    "Claims", "LoginCheck", "LoginThrottle", "OidcIdentity", "PasswordRejected", "SessionRegistry", "SessionStore",
    "User", "UserError", "UserStore", "Verdict", "check_password", "identity_from_userinfo", "role_from_claims",
    "tokens_from_headers",
]
