"""A stand-in engine process: serves GET /health (200 once ready) on 127.0.0.1:--port.

    fake_engine_proc.py --port P [--ready-after S] [--die-after S] [--exit-code N]
                        [--record FILE] [--spawn-child] [--ignore-sigterm] [--unhealthy-after S]
                        [anything else, ignored]

`--die-after` counts from process start, so a value below `--ready-after` is an early exit.
`--record` (or env FAKE_ENGINE_RECORD) writes {argv, env, pid, cwd, child_pid} as JSON before
serving. `--spawn-child` starts a sleeping grandchild in the same process group. Unknown
arguments are ignored, so the same script can pose as `vllm` or `transformers`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-after", type=float, default=0.0)
    parser.add_argument("--die-after", type=float, default=None)
    parser.add_argument("--exit-code", type=int, default=0)
    parser.add_argument("--record", default=os.environ.get("FAKE_ENGINE_RECORD"))
    parser.add_argument("--spawn-child", action="store_true")
    parser.add_argument("--ignore-sigterm", action="store_true")
    parser.add_argument("--unhealthy-after", type=float, default=None)
    args, _unknown = parser.parse_known_args(sys.argv[1:] if argv is None else argv)

    if args.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = None
    if args.spawn_child:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    if args.record:
        record = {
            "argv": sys.argv,
            "env": dict(os.environ),
            "pid": os.getpid(),
            "cwd": os.getcwd(),
            "child_pid": child.pid if child else None,
        }
        tmp = args.record + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, args.record)

    ready_at = started + args.ready_after
    # From then on /health answers 503 while the process lives on, as vLLM does when its core died.
    sick_at = started + args.unhealthy_after if args.unhealthy_after is not None else float("inf")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            if self.path == "/health" and ready_at <= time.monotonic() < sick_at:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_error(503 if self.path == "/health" else 404)

        def log_message(self, *_args: object) -> None:
            pass

    if args.die_after is not None:
        def die() -> None:
            time.sleep(max(0.0, started + args.die_after - time.monotonic()))
            os._exit(args.exit_code)

        threading.Thread(target=die, daemon=True).start()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"fake engine listening on port {args.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
