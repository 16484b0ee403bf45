"""Public surface of the package: exported names and import weight."""

from __future__ import annotations

import subprocess
import sys

import interlock


def test_all_exports_resolve() -> None:
    for name in interlock.__all__:
        assert getattr(interlock, name) is not None, name
    assert interlock.__all__ == sorted(interlock.__all__)


def test_import_is_light() -> None:
    code = (
        "import sys, interlock, interlock.corpus, interlock.cli.scan_corpus; heavy = [m for m in ('fastapi', "
        "'uvicorn', 'httpx', 'langchain_core', 'llama_index', 'sklearn', 'torch', 'sqlglot', 'rich', 'ray', "
        "'pyarrow', 'pandas') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_errors_share_one_base() -> None:
    for name in interlock.errors.__all__:
        cls = getattr(interlock.errors, name)
        assert issubclass(cls, interlock.InterlockError)
    assert interlock.errors.error_for_status(503) is interlock.ServerError
    assert interlock.errors.error_for_status(429) is interlock.RateLimitError
    assert interlock.errors.error_for_status(418) is interlock.APIStatusError
