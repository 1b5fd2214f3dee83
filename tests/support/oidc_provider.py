"""A real OpenID Connect provider (tests/support/oidc, panva's oidc-provider on Node) for tests.

    provider = OidcProvider(tmp_path, redirect_uris=["http://127.0.0.1:8000/auth/oauth/keycloak/callback"],
                            users={"alice": {"password": "pw", "email": "alice@example.com",
                                             "groups": ["/hushdesk-admins"]}})
    ...
    provider.stop()

Endpoints follow Keycloak's layout (issuer http://127.0.0.1:P/realms/REALM), so Chainlit's Keycloak
provider works with `base_url` and `realm`, and its generic provider with `auth_url`, `token_url` and
`userinfo_url`. `npm ci` runs when tests/support/oidc/node_modules is missing or was installed from
another package-lock.json (stamp file in node_modules); that needs the npm registry once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.process import free_port, stop_process, wait_http

__all__ = ["OIDC_DIR", "OidcProviderUnavailable", "OidcProvider", "ensure_node_modules"]

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
_STAMP = ".hushdesk-lock-sha256"


class OidcProviderUnavailable(RuntimeError):
    """Node, npm or the provider's packages are missing, or the provider did not start."""


def ensure_node_modules() -> None:
    """Run `npm ci` in tests/support/oidc unless node_modules matches package-lock.json."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise OidcProviderUnavailable(
            "the OIDC stand-in needs Node.js (20 or later) and npm on PATH: apt-get install -y nodejs npm")
    lock_sha = hashlib.sha256((OIDC_DIR / "package-lock.json").read_bytes()).hexdigest()
    stamp = OIDC_DIR / "node_modules" / _STAMP
    lock_path = Path(tempfile.gettempdir()) / f"hushdesk-oidc-npm-{hashlib.sha256(bytes(OIDC_DIR)).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text().strip() == lock_sha:
            return
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR,
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise OidcProviderUnavailable(
                f"npm ci in {OIDC_DIR} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        stamp.write_text(lock_sha + "\n")


class OidcProvider:
    """A running OIDC provider process with one confidential client (client_secret_post)."""

    def __init__(self, tmp: Path, redirect_uris: list[str], users: dict[str, dict[str, Any]], *,
                 realm: str = "hushdesk", client_id: str = "hushdesk",
                 client_secret: str = "hushdesk-test-secret"):
        ensure_node_modules()
        self.realm = realm
        self.client_id = client_id
        self.client_secret = client_secret
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.base_url}/realms/{realm}"
        self.auth_url = f"{self.issuer}/protocol/openid-connect/auth"
        self.token_url = f"{self.issuer}/protocol/openid-connect/token"
        self.userinfo_url = f"{self.issuer}/protocol/openid-connect/userinfo"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        tmp.mkdir(parents=True, exist_ok=True)
        users_file = tmp / f"oidc-users-{self.port}.json"
        users_file.write_text(json.dumps(users))
        self.log_path = tmp / f"oidc-provider-{self.port}.log"
        args = ["node", "provider.mjs", "--port", str(self.port), "--realm", realm,
                "--client-id", client_id, "--client-secret", client_secret, "--users", str(users_file)]
        for uri in redirect_uris:
            args += ["--redirect-uri", uri]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, cwd=OIDC_DIR, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        try:
            wait_http(self.discovery_url, timeout=30.0, proc=self.proc)
        except (RuntimeError, TimeoutError) as e:
            self.stop()
            raise OidcProviderUnavailable(f"OIDC provider did not start ({e}):\n{self.log()}") from e

    def log(self) -> str:
        """What the provider process printed so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the provider process."""
        stop_process(self.proc)
