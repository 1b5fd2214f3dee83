"""A real PostgreSQL server from Debian's package, in a temporary directory, on a free loopback port.

`initdb` and `postgres` refuse to run as root; as root (CI) they run as the package's `postgres` account,
in a directory it owns. Clients connect over TCP with a password (scram-sha-256), as app hosts would.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.support.process import free_port

__all__ = ["PostgresServer", "postgres_bin"]

USER = "hushdesk"


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb + pg_ctl start; `database()` makes a fresh database and returns its SQLAlchemy URL."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (make setup-test installs it)")
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="hushdesk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_urlsafe(18)
        self.superuser = "postgres"
        self._as = None
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            os.chmod(self.root, 0o755)
            self._as = ["runuser", "-u", "postgres", "--"]
        else:
            self.superuser = pwd.getpwuid(os.geteuid()).pw_name
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--pwfile", str(pwfile),
                  "--auth-local", "scram-sha-256", "--auth-host", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8")
        pwfile.unlink()
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        self.start()
        with self.connect("postgres") as conn:
            conn.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{self.password}'")
        self._n = 0

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*(self._as or []), str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120, check=check)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self, down_for: float = 0.0) -> None:
        """Stop (fast: open connections are cut), wait `down_for` seconds, start again."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.superuser, password=self.password,
                               dbname=database, autocommit=True)

    def database(self) -> str:
        """A new, empty database owned by the hushdesk role: its URL."""
        self._n += 1
        name = f"hd_{self._n}_{secrets.token_hex(3)}"
        with self.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER {USER}")
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
