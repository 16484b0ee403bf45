"""Start/stop a real ``interlock serve`` subprocess on 127.0.0.1 with a throwaway TLS CA."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import trustme

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tls:
    ca: Path
    cert: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> Tls:
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1", "localhost")
        out = cls(folder / "ca.pem", folder / "server.pem", folder / "server.key")
        ca.cert_pem.write_to_path(str(out.ca))
        leaf.private_key_pem.write_to_path(str(out.key))
        with out.cert.open("wb") as f:
            for blob in leaf.cert_chain_pems:
                f.write(blob.bytes())
        return out


@dataclass
class Server:
    db: Path
    tls: Tls
    log: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        self.port = self.port or free_port()
        cmd = [sys.executable, str(HERE / "launch.py"), "--port", str(self.port), "--db", str(self.db)]
        cmd += ["--tls-cert", str(self.tls.cert), "--tls-key", str(self.tls.key), *self.args]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **self.env}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log.open("ab"), env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read_text()[-3000:]}")
            try:
                # ready, not only alive: the detectors are warm, so timing-sensitive tests do not share the CPU
                # with the warm-up (see interlock.server.health)
                if httpx.get(self.url + "/readyz", verify=str(self.tls.ca), timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful) and wait."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL: a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=str(self.tls.ca), headers={"x-pan-token": key}, timeout=30)
