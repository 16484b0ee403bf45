"""``interlock scan-corpus`` on Ray Data: one local Ray (2 CPUs) for the whole module, small corpora (issue #14
item 4): parity with the in-process path, workers that load the scanner once, resume, DataFrame and Dataset APIs."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'interlock[ray]')")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

from interlock.cli.main import main  # noqa: E402
from interlock.corpus import OUTPUT_COLUMNS, Columns, ScannerSpec, scan_corpus, scan_dataset  # noqa: E402
from interlock.scanner import LocalScanner  # noqa: E402
from tests.unit.corpus import helpers  # noqa: E402
from tests.unit.corpus.helpers import (  # noqa: E402
    BENIGN,
    INJECTION,
    CountingScanner,
    check_standard,
    counting_factory,
    lines,
    standard_rows,
    write_jsonl,
)


@pytest.fixture(scope="module", autouse=True)
def ray_cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # Ray workers build the test's counting scanner from this module's helpers, shipped by value.
    ray.cloudpickle.register_pickle_by_value(helpers)
    try:
        yield
    finally:
        ray.cloudpickle.unregister_pickle_by_value(helpers)
        ray.shutdown()


def _key(table: object) -> dict[str, tuple[object, ...]]:
    cols = ("row", "category", "action", "detectors", "prompt_detected", "prompt_masked", "error")
    return {r["id"]: tuple(r[c] for c in cols) for r in table.to_pylist()}  # type: ignore[attr-defined]


def test_resume_on_two_workers_scans_only_unfinished_rows_loads_each_scanner_once_and_matches_in_process(
    tmp_path: Path,
) -> None:
    rows = standard_rows() + [
        {"id": f"doc{i}", "text": INJECTION if i % 3 == 0 else f"{BENIGN} #{i}"} for i in range(30)
    ]
    n = len(rows)
    src = write_jsonl(tmp_path / "c.jsonl", rows)
    out = tmp_path / "ray"
    local = LocalScanner()
    # run 1, in this process: interrupted (Ctrl-C) during the 13th scan; four flushed batches of four are kept
    # (12 scanned rows + the 4 unscannable rows among them)
    first = CountingScanner(local, tmp_path / "first.log", stop_after=12)
    run = functools.partial(scan_corpus, src, out, batch_size=4, flush_rows=4, max_chars=300)
    r1 = run(use_ray=False, spec=ScannerSpec(factory=lambda: first))
    assert r1.interrupted and r1.total_rows == 16 and len(lines(tmp_path / "first.log")) == 12
    refused = ["scan-corpus", str(src), "-o", str(out), "-j", "2", "--no-progress"]  # other --max-chars
    assert main(refused) == 2
    # run 2, on Ray with two workers: resumes
    log = tmp_path / "scans.log"
    r2 = run(workers=2, spec=ScannerSpec(factory=functools.partial(counting_factory, str(log))))
    assert r2.backend == "ray" and r2.complete and r2.skipped == 16 and r2.scanned == n - 16
    scanned = lines(log)
    assert len(scanned) == n - 16  # only the unfinished rows are scanned
    builds = lines(Path(str(log) + ".builds"))
    assert len(builds) == len(set(builds)) == 2  # two worker processes, one scanner each
    assert set(scanned) == set(builds) and str(os.getpid()) not in builds
    table = pq.read_table(out)
    assert table.column_names == list(OUTPUT_COLUMNS)
    assert sorted(table.column("row").to_pylist()) == list(range(n))  # every row once
    assert Counter(table.column("run").to_pylist()) == {1: 16, 2: n - 16}
    check_standard(table)
    # the same corpus in one uninterrupted in-process run gives the same results
    whole = scan_corpus(src, tmp_path / "local", use_ray=False, max_chars=300, spec=ScannerSpec(factory=lambda: local))
    assert whole.complete and _key(pq.read_table(tmp_path / "local")) == _key(table)


def test_dataset_api_on_ray() -> None:
    df = pd.DataFrame({"prompt": [BENIGN, INJECTION, None, "hello there"], "key": ["a", "b", "c", "d"]})
    ds = scan_dataset(ray.data.from_pandas(df), columns=Columns(id="key"), workers=2, batch_size=2)
    got = {r["id"]: r for r in ds.take_all()}
    assert {k: r["action"] for k, r in got.items()} == {"a": "allow", "b": "block", "c": "block", "d": "allow"}
    assert got["b"]["prompt_detected"] == ["injection"] and dict(got["b"]["scores"])["injection"] > 0.5
    assert got["c"]["category"] == "error" and "no text" in got["c"]["error"]
