"""``interlock scan-corpus`` and ``interlock.corpus`` in this process (no Ray): inputs, result rows, error rows,
resume, the DataFrame API and the errors without the ``ray`` extra (issue #14 item 4)."""

from __future__ import annotations

import csv
import functools
import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow not installed (pip install 'interlock[ray]')")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

from interlock.cli.main import main  # noqa: E402
from interlock.corpus import OUTPUT_COLUMNS, Columns, MissingExtraError, ScannerSpec, scan_corpus, scan_dataframe  # noqa: E402
from interlock.scanner import LocalScanner  # noqa: E402
from tests.unit.corpus.helpers import (  # noqa: E402
    BENIGN,
    INJECTION,
    ISSUE_PROMPT,
    CountingScanner,
    check_standard,
    lines,
    standard_rows,
    write_jsonl,
)

IN_PROCESS = ["--no-ray", "-j", "1", "--no-progress", "--max-chars", "300"]


@pytest.fixture(scope="module")
def local() -> LocalScanner:
    return LocalScanner()


def test_jsonl_gz_to_parquet_rows_columns_masking_and_error_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(tmp_path / "corpus.jsonl.gz", standard_rows(), extra_lines=("{not json", "[1, 2]", ""))
    out = tmp_path / "out"
    assert main(["scan-corpus", str(src), "--output", str(out), *IN_PROCESS]) == 0
    table = pq.read_table(out)
    assert table.column_names == list(OUTPUT_COLUMNS)
    assert table.num_rows == len(standard_rows()) + 2  # the blank line is no row; the two bad lines are error rows
    assert sorted(table.column("row").to_pylist()) == list(range(table.num_rows))
    check_standard(table)
    bad = {r["row"]: r for r in table.to_pylist() if r["row"] >= len(standard_rows())}
    assert "invalid JSON" in bad[7]["error"] and bad[7]["id"] == "7"
    assert "not an object" in bad[8]["error"]
    shown = capsys.readouterr().out
    assert "error rows" in shown and "action block" in shown and "detector injection" in shown


def test_csv_with_configured_columns(tmp_path: Path) -> None:
    src = tmp_path / "logs.csv"
    with open(src, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "question", "answer", "source"])
        w.writerow(["a1", BENIGN, "Paris.", "faq"])
        w.writerow(["a2", INJECTION, "", "chat"])
        w.writerow(["a3", "", "Sure: Bob's email is bob@corp.com", "chat"])
        w.writerow(["a4", 'multi\nline, "quoted" question about the weather', "", "chat"])
        w.writerow(["a5", "", "", "chat"])
    out = tmp_path / "out"
    args = ["--prompt-column", "question", "--response-column", "answer", "--id-column", "doc_id"]
    assert main(["scan-corpus", str(src), "-o", str(out), *args, *IN_PROCESS]) == 0
    rows = {r["id"]: r for r in pq.read_table(out).to_pylist()}
    assert list(rows) == ["a1", "a2", "a3", "a4", "a5"]
    assert rows["a1"]["action"] == "allow" and rows["a4"]["action"] == "allow"
    assert rows["a2"]["prompt_detected"] == ["injection"]
    assert rows["a3"]["response_detected"] == ["dlp"] and rows["a3"]["action"] == "block"  # a leak blocks
    assert "bob@corp.com" not in rows["a3"]["response_masked"]
    assert rows["a5"]["category"] == "error" and "no text" in rows["a5"]["error"]


def test_parquet_input_non_text_column_values_are_error_rows(tmp_path: Path) -> None:
    src = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"prompt": [BENIGN, None, INJECTION], "n": [1, 2, 3]}), src)
    out = tmp_path / "out"
    assert main(["scan-corpus", str(src), "-o", str(out), *IN_PROCESS]) == 0
    rows = pq.read_table(out).to_pylist()
    assert [r["id"] for r in rows] == ["0", "1", "2"]
    assert [r["action"] for r in rows] == ["allow", "block", "block"]
    assert rows[1]["category"] == "error" and rows[2]["category"] == "malicious"
    # a column of numbers named as the prompt: every row is an error row, the job still completes
    out2 = tmp_path / "out2"
    assert main(["scan-corpus", str(src), "-o", str(out2), "--prompt-column", "n", *IN_PROCESS]) == 0
    assert {r["error"] for r in pq.read_table(out2).to_pylist()} == {"prompt is int, not text"}


def test_unknown_column_and_profile_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_jsonl(tmp_path / "c.jsonl", [{"body": "hello"}])
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), *IN_PROCESS]) == 2
    assert "no prompt or response column" in capsys.readouterr().err
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), "--prompt-column", "nope", *IN_PROCESS]) == 2
    assert "'nope' is not in the input (columns: body)" in capsys.readouterr().err
    assert (
        main(
            [
                "scan-corpus",
                str(src),
                "-o",
                str(tmp_path / "o"),
                "--prompt-column",
                "body",
                "--profile",
                "x",
                *IN_PROCESS,
            ]
        )
        == 2
    )
    assert "ProfileError" in capsys.readouterr().err


def test_resume_after_interruption_scans_only_unfinished_rows(tmp_path: Path, local: LocalScanner) -> None:
    n = 23
    src = write_jsonl(tmp_path / "c.jsonl", [{"text": f"{BENIGN} ({i})"} for i in range(n)])
    out, log = tmp_path / "out", tmp_path / "scans.log"
    first = CountingScanner(local, log, stop_after=12)  # Ctrl-C during the 13th scan
    run = functools.partial(scan_corpus, src, out, use_ray=False, workers=1, batch_size=4, flush_rows=4)
    r1 = run(spec=ScannerSpec(factory=lambda: first))
    assert r1.interrupted and not r1.complete
    saved = pq.read_table(out).num_rows
    assert saved == 12 == r1.total_rows  # three batches of four scanned and flushed before the interrupt
    second = CountingScanner(local, log)
    r2 = run(spec=ScannerSpec(factory=lambda: second))
    assert r2.complete and r2.skipped == saved and r2.scanned == n - saved
    assert second.count == n - saved  # the finished rows were not scanned again
    table = pq.read_table(out)
    assert sorted(table.column("row").to_pylist()) == list(range(n))  # every row once
    runs = table.column("run").to_pylist()
    assert runs.count(1) == saved and runs.count(2) == n - saved
    third = CountingScanner(local, log)
    r3 = run(spec=ScannerSpec(factory=lambda: third))
    assert third.count == 0 and r3.scanned == 0 and r3.complete and sum(r3.summary["action"].values()) == n
    assert len(lines(log)) == n


def test_output_of_another_input_is_refused_unless_overwrite(tmp_path: Path, local: LocalScanner) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"text": "hello"}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"text": "bye"}, {"text": "again"}])
    out = tmp_path / "out"
    spec = ScannerSpec(factory=lambda: local)
    scan_corpus(a, out, use_ray=False, spec=spec)
    with pytest.raises(ValueError, match="another input"):
        scan_corpus(b, out, use_ray=False, spec=spec)
    assert scan_corpus(b, out, use_ray=False, spec=spec, overwrite=True).scanned == 2
    assert pq.read_table(out).num_rows == 2


def test_orphan_part_after_crash_is_discarded_and_rescanned(tmp_path: Path, local: LocalScanner) -> None:
    src = write_jsonl(tmp_path / "c.jsonl", [{"text": f"doc {i}"} for i in range(6)])
    out = tmp_path / "out"
    spec = ScannerSpec(factory=lambda: local)
    scan_corpus(src, out, use_ray=False, spec=spec, flush_rows=3, batch_size=3)
    import json

    manifest = json.loads((out / "_manifest.json").read_text())
    dropped = manifest["parts"].pop()  # as if the process died after renaming the part, before the manifest
    manifest["complete"] = False
    (out / "_manifest.json").write_text(json.dumps(manifest))
    r = scan_corpus(src, out, use_ray=False, spec=spec)
    assert r.scanned == dropped["count"] == 3
    assert sorted(pq.read_table(out).column("row").to_pylist()) == list(range(6))


def test_scan_dataframe_in_process(local: LocalScanner) -> None:
    df = pd.DataFrame(
        {"prompt": [BENIGN, INJECTION, ISSUE_PROMPT, None, 7], "key": ["k1", "k2", "k3", "k4", "k5"]},
        index=[10, 11, 12, 13, 14],
    )
    out = scan_dataframe(df, columns=Columns(id="key"), scanner=local)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert list(out["id"]) == ["k1", "k2", "k3", "k4", "k5"]
    assert list(out["action"]) == ["allow", "block", "allow", "block", "block"]
    assert list(out["category"])[3:] == ["error", "error"]
    assert out.loc[11, "scores"]["injection"] > 0.5 and isinstance(out.loc[10, "scores"], dict)
    assert "jane.doe@example.com" not in out.loc[12, "prompt_masked"]
    assert list(out.columns) == [c for c in OUTPUT_COLUMNS if c != "run"]


def test_without_ray_workers_and_dataset_need_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as when the extra is not installed
    src = write_jsonl(tmp_path / "c.jsonl", [{"text": BENIGN}])
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), "-j", "2", "--no-progress"]) == 2
    assert "pip install 'interlock[ray]'" in capsys.readouterr().err
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), "--address", "auto", "--no-progress"]) == 2
    assert "--address needs Ray" in capsys.readouterr().err
    # no -j: falls back to one in-process worker and says so
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), "--no-progress"]) == 0
    assert "Ray is not installed (pip install 'interlock[ray]'): scanning in this process" in capsys.readouterr().err
    from interlock.corpus import scan_dataset

    with pytest.raises(MissingExtraError, match=r"interlock\[ray\]"):
        scan_dataset(object())  # type: ignore[arg-type]
    with pytest.raises(MissingExtraError, match=r"interlock\[ray\]"):
        scan_dataframe(pd.DataFrame({"text": ["x"]}), workers=2)


def test_without_pyarrow_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    src = write_jsonl(tmp_path / "c.jsonl", [{"text": BENIGN}])
    assert main(["scan-corpus", str(src), "-o", str(tmp_path / "o"), *IN_PROCESS]) == 2
    assert "needs pyarrow: pip install 'interlock[ray]'" in capsys.readouterr().err


def test_columns_default_per_role() -> None:
    assert Columns().resolve(["id", "text", "response", "n"]) == Columns("text", "response", None, "id")
    assert Columns(prompt="q").resolve(["q", "id", "context"]) == Columns("q", None, "context", "id")
    assert Columns(response="a", id="k").resolve(["a", "k", "prompt"]) == Columns("prompt", "a", None, "k")
    with pytest.raises(ValueError, match="'x' is not in the input"):
        Columns(context="x").resolve(["text"])
