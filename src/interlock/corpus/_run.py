"""Driving a corpus scan: in-process, or on Ray Data with an actor pool of workers that each build one scanner."""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interlock.corpus._io import OutputDir, count_rows, detect_format, input_columns, iter_chunks
from interlock.corpus._rows import (
    EXTRA_HINT,
    Columns,
    MissingExtraError,
    Record,
    RowScanner,
    ScannerSpec,
    default_workers,
    error_row,
    output_schema,
    record_of,
    records_table,
    require_pyarrow,
)
from interlock.engine.engine import TEXT_LIMIT

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa
    import ray.data

__all__ = ["CorpusReport", "MissingExtraError", "ray_available", "scan_corpus", "scan_dataframe", "scan_dataset"]

log = logging.getLogger("interlock.corpus")


def ray_available() -> bool:
    """True when Ray (with Ray Data) is installed."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):  # a broken install, or ``sys.modules["ray"] = None``
        return False


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingExtraError(f"this needs Ray Data ({exc}): {EXTRA_HINT}") from None
    return ray


def _use_ray(workers: int, use_ray: bool | None, address: str | None, notice: Callable[[str], None]) -> bool:
    if use_ray is False:
        if workers != 1 or address:
            raise ValueError("without Ray the scan runs in this process with one worker: use -j 1 and no --address")
        return False
    if ray_available():
        return True
    if use_ray or workers != 1 or address:
        raise MissingExtraError(
            f"{'--address' if address else f'{workers} workers'} needs Ray, which is not installed: {EXTRA_HINT}"
        )
    notice(f"Ray is not installed ({EXTRA_HINT}): scanning in this process with one worker")
    return False


class _RaySession:
    """``ray.init`` unless Ray is already initialised (then the caller's cluster is used and left running)."""

    def __init__(self, workers: int, address: str | None) -> None:
        self.ray = _import_ray()
        self.started = False
        if not self.ray.is_initialized():
            kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            else:
                kwargs.update(num_cpus=workers, include_dashboard=False)
            self.ray.init(**kwargs)
            self.started = True
        ctx = self.ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours is the one progress bar
        logging.getLogger("ray.data").setLevel(logging.WARNING)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


def _map_scan(ds: ray.data.Dataset, workers: int, batch_size: int, **scanner_kwargs: Any) -> ray.data.Dataset:
    """The one place Ray Data is asked to scan: an actor pool of ``workers`` RowScanners, one CPU each."""
    ray = _import_ray()
    # A corpus with fewer blocks than workers is fine: no warning for it.
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
    return ds.map_batches(
        RowScanner,
        fn_constructor_kwargs=scanner_kwargs,
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
        udf_modifying_row_count=False,
    )


def _ray_results(records: Iterable[Record], workers: int, batch_size: int, **scanner_kwargs: Any) -> Iterator[pa.Table]:
    """Scan records on an actor pool: one Arrow block per batch, so every worker gets work and the bar moves."""
    ray = _import_ray()
    refs, block = [], []
    for rec in records:
        block.append(rec)
        if len(block) >= batch_size:
            refs.append(ray.put(records_table(block)))  # the object store spills to disk past its memory
            block = []
    if block:
        refs.append(ray.put(records_table(block)))
    if not refs:
        return
    ds = _map_scan(ray.data.from_arrow_refs(refs), workers, batch_size, **scanner_kwargs)
    yield from ds.iter_batches(batch_size=None, batch_format="pyarrow")


def _local_results(
    records: Iterable[Record], batch_size: int, scan: Callable[[Record], dict[str, Any]]
) -> Iterator[pa.Table]:
    pa = require_pyarrow()
    batch: list[dict[str, Any]] = []
    for rec in records:
        batch.append(scan(rec))
        if len(batch) >= batch_size:
            yield pa.Table.from_pylist(batch, schema=output_schema())
            batch = []
    if batch:
        yield pa.Table.from_pylist(batch, schema=output_schema())


@dataclass
class CorpusReport:
    """What a ``scan_corpus`` run did (``summary`` counts cover the whole output, earlier runs included)."""

    output: Path
    backend: str
    workers: int
    run: int
    scanned: int = 0
    skipped: int = 0
    total_rows: int = 0
    elapsed_s: float = 0.0
    #: seconds until the first results arrived (worker start, scanner load, first batch)
    first_result_s: float | None = None
    interrupted: bool = False
    complete: bool = False
    summary: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.scanned / self.elapsed_s if self.elapsed_s > 0 else 0.0


class _Progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self._bar: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("scanning"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._bar.add_task("scan", total=total, rate="")
            self._t0 = time.perf_counter()
            self._done = 0
            self._bar.start()

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._done += n
            rate = self._done / max(time.perf_counter() - self._t0, 1e-9)
            self._bar.update(self._task, advance=n, rate=f"{rate:,.0f} rows/s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def scan_corpus(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    columns: Columns | None = None,
    profile: str | None = None,
    spec: ScannerSpec | None = None,
    fmt: str | None = None,
    workers: int | None = None,
    use_ray: bool | None = None,
    address: str | None = None,
    batch_size: int = 32,
    chunk_rows: int = 1000,
    flush_rows: int = 1000,
    flush_seconds: float = 10.0,
    max_chars: int = TEXT_LIMIT,
    overwrite: bool = False,
    progress: bool = False,
    notice: Callable[[str], None] | None = None,
) -> CorpusReport:
    """Scan every row of a JSONL(.gz), CSV(.gz) or Parquet file into a directory of Parquet result rows.

    Rows already in ``output`` from an earlier run of the same input and settings are skipped (see
    :mod:`interlock.corpus._io`). ``use_ray``: None uses Ray when installed (``workers`` actors, default one per
    CPU; ``address`` joins an existing cluster), False scans in this process (one worker). A ``KeyboardInterrupt``
    saves the rows scanned so far and returns with ``interrupted`` set.
    """
    say = notice or (lambda msg: log.warning("%s", msg))
    src = Path(input)
    if not src.is_file():
        raise FileNotFoundError(f"no such input file: {src}")
    fmt = detect_format(src, fmt)
    n_workers = workers if workers is not None else (default_workers() if use_ray is not False else 1)
    if n_workers < 1:
        raise ValueError("workers must be at least 1")
    if workers is None and use_ray is None and not ray_available():
        n_workers = 1
    on_ray = _use_ray(n_workers, use_ray, address, say)
    require_pyarrow()
    cols = (columns or Columns()).resolve(input_columns(src, fmt))
    spec = spec or ScannerSpec()
    st = src.stat()
    fingerprint = {
        "path": str(src.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "format": fmt,
        "columns": cols.as_dict(),
        "profile": profile,
        "max_chars": max_chars,
    }
    out = OutputDir(Path(output), fingerprint, overwrite=overwrite)
    report = CorpusReport(output=out.path, backend="ray" if on_ray else "in-process", workers=n_workers, run=out.run)
    report.skipped = len(out.finished)
    total = count_rows(src, fmt)
    t0 = time.perf_counter()
    chunks = iter_chunks(src, fmt, cols, chunk_rows=chunk_rows, max_chars=max_chars, skip=out.finished)
    session = _RaySession(n_workers, address) if on_ray else None
    bar = _Progress(progress, None if total is None else total - report.skipped)
    buffer: list[pa.Table] = []
    pending = 0
    last_flush = time.perf_counter()
    rows_seen = report.skipped

    def counted(chunks: Iterable[list[Record]]) -> Iterator[Record]:
        nonlocal rows_seen
        for chunk in chunks:
            rows_seen += len(chunk)
            yield from chunk

    def flush() -> None:
        nonlocal pending, last_flush
        report.scanned += out.write(buffer)
        buffer.clear()
        pending, last_flush = 0, time.perf_counter()

    def collect(results: Iterable[pa.Table]) -> None:
        nonlocal pending
        for table in results:
            if report.first_result_s is None:
                report.first_result_s = time.perf_counter() - t0
            buffer.append(table)
            pending += table.num_rows
            bar.advance(table.num_rows)
            if pending >= flush_rows or time.perf_counter() - last_flush >= flush_seconds:
                flush()

    try:
        kwargs: dict[str, Any] = {"spec": spec, "profile": profile, "max_chars": max_chars, "run": out.run}
        records = counted(chunks)
        if session is not None:
            # Unscannable rows are written by the driver; the rest go to the workers as Arrow blocks.
            bad: list[Record] = []

            def scannable(records: Iterable[Record]) -> Iterator[Record]:
                for r in records:
                    if r.error is None:
                        yield r
                    else:
                        bad.append(r)

            collect(_ray_results(scannable(records), n_workers, batch_size, **kwargs))
            collect(_local_results(bad, batch_size, functools.partial(error_row, run=out.run)))
        else:
            local = RowScanner(**kwargs)
            try:
                collect(_local_results(records, batch_size, local.scan_record))
            finally:
                local.close()
        flush()
        out.mark_complete(rows_seen)
        report.complete = True
    except KeyboardInterrupt:
        flush()  # everything scanned so far is kept: a rerun resumes after it
        report.interrupted = True
    finally:
        bar.close()
        if session is not None:
            session.close()
    report.elapsed_s = time.perf_counter() - t0
    report.total_rows = len(out.finished) if not report.complete else rows_seen
    report.summary = out.summary()
    return report


def scan_dataframe(
    df: pd.DataFrame,
    *,
    columns: Columns | None = None,
    profile: str | None = None,
    spec: ScannerSpec | None = None,
    scanner: Any = None,
    workers: int = 1,
    use_ray: bool | None = None,
    address: str | None = None,
    batch_size: int = 32,
    max_chars: int = TEXT_LIMIT,
) -> pd.DataFrame:
    """Scan the rows of a pandas DataFrame; one result row per input row, in order, with the input's index.

    In this process with one worker (or with ``scanner``, a ``Scanner`` you built); on Ray with ``workers`` > 1 or
    ``use_ray=True``. ``scores`` holds a dict per row.
    """
    pa = require_pyarrow()
    cols = (columns or Columns()).resolve([str(c) for c in df.columns])
    records = [record_of(values, cols, i, max_chars=max_chars) for i, values in enumerate(df.to_dict(orient="records"))]
    kwargs: dict[str, Any] = {"spec": spec or ScannerSpec(), "profile": profile, "max_chars": max_chars}
    on_ray = scanner is None and _use_ray(workers, use_ray if (workers > 1 or use_ray) else False, address, log.info)
    if on_ray:
        session = _RaySession(workers, address)
        try:
            bad = [r for r in records if r.error is not None]
            tables = list(_local_results(bad, batch_size, error_row))
            tables.extend(_ray_results([r for r in records if r.error is None], workers, batch_size, **kwargs))
        finally:
            session.close()
    else:
        local = RowScanner(**kwargs, scanner=scanner)
        try:
            tables = list(_local_results(records, batch_size, local.scan_record))
        finally:
            if scanner is None:
                local.close()
    table = pa.concat_tables(tables) if tables else output_schema().empty_table()
    result = table.sort_by("row").drop_columns(["run"]).to_pandas()
    result["scores"] = [dict(s) if s is not None else {} for s in result["scores"]]
    result.index = df.index
    return result


def scan_dataset(
    ds: ray.data.Dataset,
    *,
    columns: Columns | None = None,
    profile: str | None = None,
    spec: ScannerSpec | None = None,
    workers: int | None = None,
    batch_size: int = 32,
    max_chars: int = TEXT_LIMIT,
) -> ray.data.Dataset:
    """A lazy Ray Dataset of result rows for ``ds`` (one per input row; ``row`` is null, ``id`` from ``columns.id``).

    ``workers`` actors (default one per CPU of the cluster) each build one scanner.
    """
    ray = _import_ray()
    names: Sequence[str] = ds.columns()
    cols = (columns or Columns()).resolve(list(names))
    n = workers if workers is not None else max(1, int(ray.cluster_resources().get("CPU", 1)))
    return _map_scan(ds, n, batch_size, spec=spec or ScannerSpec(), profile=profile, columns=cols, max_chars=max_chars)
