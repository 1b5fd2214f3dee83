"""Probes for systemd and scripts, and the metrics token:

    python -m services.ops.monitor live  [--url URL] [--wait SECONDS]   # GET /hushdesk/health answers 200
    python -m services.ops.monitor ready [--url URL] [--wait SECONDS]   # GET /hushdesk/ready answers 200
    python -m services.ops.monitor token [--rotate]                     # print the metrics bearer token

`live` and `ready` exit 0 when the endpoint answers 200, else 1 with one line naming why (the readiness
reason code, an HTTP status, or "no answer"); with `--wait` they retry each second until then. URL is
hushdesk's base address (default http://127.0.0.1:8000); no proxy from the environment is used, and a
TLS certificate is not checked (the probe talks to this machine's own hushdesk). `token` prints the key
file's `metrics_token` (made when missing) for Prometheus's `bearer_token_file`; `--rotate` replaces
it (restart hushdesk for it to take effect).
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

from ..config import load_settings
from ..errors import HushdeskError
from ..keys import metrics_token

__all__ = ["probe", "main"]

PATHS = {"live": "/hushdesk/health", "ready": "/hushdesk/ready"}


def probe(url: str, timeout: float = 5.0) -> tuple[bool, str]:
    """(answered 200, why not): GET url, no proxy, TLS unchecked."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read(4096)).get("reason")
        except (ValueError, AttributeError, OSError):
            reason = None
        return False, reason if isinstance(reason, str) and reason.isidentifier() else f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError):
        return False, "no answer"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ops.monitor")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("live", "the process answers"), ("ready", "it can serve a turn now")):
        p = sub.add_parser(name, help=f"exit 0 when {what}")
        p.add_argument("--url", default="http://127.0.0.1:8000", help="hushdesk's base address")
        p.add_argument("--wait", type=float, default=0.0, help="seconds to keep retrying (default: one try)")
    sub.add_parser("token", help="print the metrics bearer token").add_argument(
        "--rotate", action="store_true", help="replace it (takes effect when hushdesk restarts)")
    args = parser.parse_args(argv)
    if args.command == "token":
        try:
            print(metrics_token(load_settings(), rotate=args.rotate))
        except HushdeskError as exc:
            print(exc.message, file=sys.stderr)
            return 2
        return 0
    url = args.url.rstrip("/") + PATHS[args.command]
    deadline = time.monotonic() + max(0.0, args.wait)
    while True:
        ok, why = probe(url)
        if ok or time.monotonic() >= deadline:
            break
        time.sleep(1.0)
    if not ok:
        print(f"hushdesk is not {'live' if args.command == 'live' else 'ready'}: {why}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
