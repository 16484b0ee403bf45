"""A throwaway PostgreSQL cluster for the tests: initdb into a temp dir, pg_ctl start on a free 127.0.0.1 port,
stop and delete afterwards.

The server binaries come from ``$INTERLOCK_PG_BIN``, else the newest ``/usr/lib/postgresql/*/bin`` (Debian's
packages), else ``PATH``. PostgreSQL refuses to run as root, so when the tests run as root the cluster is owned
by and run as the ``postgres`` user (else ``nobody``). Durability is switched off: it is test data.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PgCluster", "find_bin"]


def find_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    env = os.environ.get("INTERLOCK_PG_BIN")
    candidates = [env] if env else []
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    candidates += versions
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(str(Path(which).parent))
    for c in candidates:
        if all((Path(c) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    bin: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="interlock-pg-")))
    port: int = 0
    _user: dict[str, Any] = field(default_factory=dict)
    running: bool = False

    @property
    def url(self) -> str:
        """Superuser URL of the ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        out = subprocess.run(  # noqa: PLW1510 - checked below, with the log in the message
            [str(self.bin / cmd[0]), *cmd[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            **self._user,
        )
        if out.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:] if self._logged else ""
            raise RuntimeError(f"{cmd[0]} failed ({out.returncode}): {out.stderr[-2000:]}\n{log}")

    @property
    def _logged(self) -> bool:
        return (self.root / "server.log").exists()

    def start(self) -> PgCluster:
        if os.geteuid() == 0:  # postgres will not run as root: hand the folder to an unprivileged user
            name = "postgres" if _has_user("postgres") else "nobody"
            pw = pwd.getpwnam(name)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._user = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": [], "env": {"PATH": "/usr/bin:/bin"}}
        self._run(
            "initdb", "-D", "data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"
        )
        self.port = _free_port()
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB"
        )
        self._run("pg_ctl", "-D", "data", "-l", "server.log", "-o", opts, "-w", "-t", "30", "start")
        self.running = True
        return self

    def stop(self) -> None:
        """Stop the server (immediately: nothing is worth keeping) and delete the folder; safe to repeat."""
        try:
            if self.running:
                self._run("pg_ctl", "-D", "data", "-m", "immediate", "-w", "stop", timeout=30)
                self.running = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
