"""The committed deployment (``deploy/``, ``docs/deployment.md``) is consistent with the server it deploys: the
compose file parses and wires N replicas + PostgreSQL + Redis behind the proxy, every ``INTERLOCK_*`` variable it
sets is a real setting with a valid value, the proxy's health check and the image's are routes the server has, and
the stop grace period covers the drain and the shutdown timeout. (No container runtime is needed: ``docker compose
config`` is not available on CI, so the file is checked structurally.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from interlock.server.settings import ENV_PREFIX, ServerSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data


def _substituted(value: str) -> str:
    """Compose's ``${VAR:-default}`` / ``${VAR:?message}`` with a placeholder for required variables."""
    value = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), value)
    return re.sub(r"\$\{(\w+):\?[^}]*\}", "placeholder", value)


def test_compose_wires_replicas_database_redis_and_proxy() -> None:
    services = _compose()["services"]
    assert {"interlock", "postgres", "redis", "proxy"} <= set(services)
    app = services["interlock"]
    assert app["deploy"]["replicas"] >= 2 and "ports" not in app  # reached through the proxy only (scalable)
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    env = {k: _substituted(str(v)) for k, v in app["environment"].items()}
    assert env["INTERLOCK_DATABASE_URL"].startswith("postgresql://interlock:placeholder@postgres:5432/")
    assert env["INTERLOCK_REDIS_URL"].startswith("redis://redis:")
    names = {f.upper() for f in ServerSettings.__dataclass_fields__}
    unknown = [k for k in env if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :] not in names]
    assert not unknown
    settings = ServerSettings.from_env({k: v for k, v in env.items() if k.startswith(ENV_PREFIX)})
    assert settings.database_url and settings.redis_url and settings.drain_seconds > 0
    grace = float(app["stop_grace_period"].rstrip("s"))
    assert grace > settings.drain_seconds + settings.shutdown_timeout
    assert services["keys"]["entrypoint"] == ["interlock", "keys"]  # keys on the same database
    assert services["keys"]["environment"] == app["environment"]


def test_health_checks_hit_routes_the_server_has(tmp_path: Path) -> None:
    from interlock.scanner import LocalScanner
    from interlock.server.app import create_app

    app = create_app(ServerSettings(db=str(tmp_path / "s.db")), scanner=LocalScanner())
    routes = {getattr(r, "path", "") for r in app.routes}
    cfg = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    check = re.search(r"option httpchk GET (\S+)", cfg)
    assert check is not None and check.group(1) == "/readyz" in routes
    assert re.search(r"server-template \w+ 1-\d+ interlock:8080", cfg)  # every scaled replica is discovered
    image = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    probe = re.search(r"HEALTHCHECK.*?(/\w+)'", image, re.DOTALL)
    assert probe is not None and probe.group(1) == "/livez" in routes


def test_deployment_doc_names_the_files_and_links_the_corpus_guide() -> None:
    doc = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    for needle in ("deploy/compose.yaml", "deploy/haproxy.cfg", "/readyz", "/livez", "INTERLOCK_DRAIN_SECONDS"):
        assert needle in doc
    assert "(corpus.md)" in doc
