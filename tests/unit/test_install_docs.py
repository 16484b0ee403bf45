"""Install instructions work from a clone, `make dist` builds the three wheels, and the API contract lives in the
repository (issue #13 item 13)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/server.md", "integrations/langchain/README.md", "integrations/llama-index/README.md"]
#: distribution name -> project folder in the clone
PROJECTS = {
    "interlock": ".",
    "langchain-interlock": "integrations/langchain",
    "llama-index-postprocessor-interlock": "integrations/llama-index",
}


def _pyproject(folder: str) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / folder / "pyproject.toml").read_text(encoding="utf-8"))


def _pip_installs(doc: str) -> list[list[str]]:
    """The arguments of every `pip install` in the doc's bash blocks (comments and `--flags` dropped)."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```(?:bash|sh)?\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            for part in re.split(r"&&|;", line):
                if "pip install" not in part:
                    continue
                words = shlex.split(part, comments=True)
                for i in range(len(words) - 1):
                    if words[i].endswith("pip") and words[i + 1] == "install":
                        commands.append([w for w in words[i + 2 :] if not w.startswith("-")])
    return commands


def _target(arg: str) -> tuple[str, set[str]]:
    """(path, extras) of an install argument like `.[server]` or `integrations/langchain[agents]`."""
    m = re.fullmatch(r"(.+?)(?:\[([\w,-]+)\])?", arg)
    assert m is not None
    return m.group(1), set(filter(None, (m.group(2) or "").split(",")))


@pytest.mark.parametrize("doc", DOCS)
def test_install_commands_work_from_a_clone(doc: str) -> None:
    """Every `pip install` names a project folder of the clone (none of our packages is on PyPI), with extras
    that exist, and installs `interlock` (`.`) together with an integration so pip need not look it up."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert "not published on PyPI" in text, f"{doc} must say the packages are not published"
    commands = _pip_installs(doc)
    assert commands, f"{doc} has no install command"
    for args in commands:
        folders = []
        for arg in args:
            path, extras = _target(arg)
            if path.endswith(".whl"):
                assert re.fullmatch(r"dist/[\w.*-]+\.whl", path), f"{doc}: wheel {arg} is not one `make dist` builds"
                continue
            assert (ROOT / path / "pyproject.toml").exists(), f"{doc}: `pip install {arg}` is not a folder of the clone"
            project = _pyproject(path)["project"]
            available = set(project.get("optional-dependencies", {}))
            assert extras <= available, f"{doc}: {arg}: unknown extras {extras - available}"
            folders.append(os.path.normpath(path))
        if any(f.startswith("integrations") for f in folders):
            assert "." in folders, f"{doc}: install interlock (`.`) in the same command as an integration"


def test_integrations_depend_on_the_local_interlock() -> None:
    """The install commands rely on this: each integration's only non-PyPI dependency is `interlock` itself."""
    for name, folder in PROJECTS.items():
        project = _pyproject(folder)["project"]
        assert project["name"] == name
        ours = [d for d in project["dependencies"] if re.match(r"(interlock|langchain-interlock|llama-index-post)", d)]
        assert ours == ([] if name == "interlock" else ["interlock"])


def test_server_doc_describes_the_contract_inside_the_repository() -> None:
    server = (ROOT / "docs/server.md").read_text(encoding="utf-8")
    contract = (ROOT / "docs/airs-contract.md").read_text(encoding="utf-8")
    assert "docs/airs-contract.md" in server
    for doc in [*DOCS, "docs/airs-contract.md", "docs/architecture.md"]:
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert not re.search(r"/work/|\.\./shared/airs|airs-api\.md", text), f"{doc} cites a path outside the repo"
    # every "contract N.N" citation points at a section of the in-repo contract
    sections = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", contract, re.MULTILINE))
    for cited in re.findall(r"contract (\d+(?:\.\d+)?)", server + contract):
        assert cited in sections, f"docs cite contract {cited}, which docs/airs-contract.md does not have"
    # the contract covers what a client needs, and Interlock's extensions
    for needed in ("x-pan-token", "x-payload-hash", "ScanRequest", "ScanResponse", "AsyncScanObject",
                   "ScanIdResult", "ThreatScanReportObject", "Request data is invalid or malformed", "Limits",
                   "Interlock's extensions"):  # fmt: skip
        assert needed in contract


def test_contract_lists_the_servers_airs_routes(tmp_path: Path) -> None:
    """The endpoints in docs/airs-contract.md are exactly the AIRS routes `interlock serve` implements."""
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    from interlock.scanner import LocalScanner
    from interlock.server.app import create_app
    from interlock.server.settings import ServerSettings

    app = create_app(ServerSettings(db=str(tmp_path / "s.db")), scanner=LocalScanner())
    routes = {r.path for r in app.routes if getattr(r, "path", "").startswith("/v1/")}
    contract = (ROOT / "docs/airs-contract.md").read_text(encoding="utf-8")
    table = contract.split("## 2. Endpoints", 1)[1].split("\n## ", 1)[0]
    documented = {p.split("?", 1)[0] for p in re.findall(r"`(/v1/[^`]+)`", table)}
    assert documented == routes and len(routes) == 5


def test_make_dist_builds_the_three_wheels(tmp_path: Path) -> None:
    """`make dist` builds offline (hatchling from .venv, no build isolation) and each wheel holds its package,
    the interlock wheel every data file of the source tree (models, profiles, demo cases, manifest)."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if shutil.which("make") is None or not venv_python.exists():
        pytest.skip("needs make and the project's .venv (created by `make install`)")
    check = subprocess.run([str(venv_python), "-c", "import hatchling"], capture_output=True)  # noqa: S603
    if check.returncode != 0:
        pytest.skip("hatchling (dev extra) is not installed in .venv")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(  # noqa: S603
        ["make", "-s", "dist", f"DIST={tmp_path}"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
    )
    wheels = {w.name.split("-")[0]: w for w in tmp_path.glob("*.whl")}
    assert set(wheels) == {"interlock", "langchain_interlock", "llama_index_postprocessor_interlock"}
    names = {k: set(zipfile.ZipFile(w).namelist()) for k, w in wheels.items()}
    src = ROOT / "src"
    data_files = {
        p.relative_to(src).as_posix()
        for p in (src / "interlock").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert data_files <= names["interlock"]
    assert "interlock/training_data.json" in names["interlock"]
    assert "langchain_interlock/callbacks.py" in names["langchain_interlock"]
    llama = names["llama_index_postprocessor_interlock"]
    assert "llama_index/postprocessor/interlock/__init__.py" in llama
    assert "llama_index/__init__.py" not in llama  # an implicit namespace package, as LlamaIndex requires
