"""Domain/URL lists: profile allow and block lists, and category feeds loaded from local files.

A :class:`DomainIndex` maps entries to categories. Entries are

* ``example.com`` — the domain and all its subdomains;
* ``*.example.com`` — subdomains only;
* a URL (``http://example.com/path``, ``example.com/path``) — that canonical URL, or any URL under it when the
  entry ends with ``/``;
* an IP address.

Feeds are files on disk — never fetched — in one of two formats (chosen by extension, or ``format``):

* plain text (``.txt``, ``.list``, anything not ``.csv``): one entry per line, ``#`` comments; every entry gets
  the feed's ``category`` (default: the file name without extension, e.g. ``phishing.txt`` -> ``phishing``);
* CSV (``.csv``): ``entry,category[,category...]`` (categories may also be ``;``/``|`` separated in one cell); a
  header row whose first cell is ``domain``/``url``/``host``/``indicator`` is skipped.

Loaded feeds are cached process-wide by ``(path, mtime, size)``: an edited file is re-read on the next scan.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from interlock.detectors.url_filtering.canon import Url, canonicalize
from interlock.errors import DetectorError

__all__ = ["DomainIndex", "FeedCache", "FEEDS", "parse_feed"]

_HEADER = frozenset({"domain", "url", "host", "indicator", "hostname", "entry"})


@dataclass
class DomainIndex:
    """Entries -> categories, matched against canonical URLs (see module doc)."""

    domains: dict[str, set[str]] = field(default_factory=dict)
    wildcards: dict[str, set[str]] = field(default_factory=dict)
    urls: dict[str, set[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.domains) + len(self.wildcards) + len(self.urls)

    def add(self, entry: str, categories: Iterable[str]) -> None:
        """Add one entry (ignored when it is not a domain, wildcard, IP or URL)."""
        e = entry.strip().strip(".")
        cats = {c.strip().lower() for c in categories if c.strip()}
        if not e or e.startswith("#"):
            return
        if e.startswith("*."):
            u = canonicalize(e[2:])
            if u is not None and u.host:
                self.wildcards.setdefault(u.host, set()).update(cats)
            return
        u = canonicalize(e)
        if u is None or not u.host:
            return
        if "/" in e.split("://", 1)[-1] and u.path not in ("", "/"):
            key = _url_key(u)
            self.urls.setdefault(key, set()).update(cats)
        else:
            self.domains.setdefault(u.host, set()).update(cats)

    def match(self, url: Url) -> set[str] | None:
        """Categories of every entry matching ``url``; None when nothing matches."""
        if not url.host:
            return None
        found: set[str] = set()
        hit = False
        labels = url.host.split(".") if url.ip is None else [url.host]
        for i in range(len(labels)):
            d = ".".join(labels[i:])
            if d in self.domains:
                hit = True
                found |= self.domains[d]
            if i > 0 and d in self.wildcards:
                hit = True
                found |= self.wildcards[d]
        if self.urls:
            key = _url_key(url)
            candidates = {key, key.split("?", 1)[0]}
            path = key.split("?", 1)[0]
            while "/" in path:
                path = path.rsplit("/", 1)[0]
                candidates.add(path + "/")
            for c in candidates:
                if c in self.urls:
                    hit = True
                    found |= self.urls[c]
        return found if hit else None


def _url_key(u: Url) -> str:
    port = f":{u.port}" if u.port is not None else ""
    return f"{u.host}{port}{u.path}"


def parse_feed(text: str, *, fmt: str, category: str) -> DomainIndex:
    """Parse a feed's text (``fmt`` is ``csv`` or ``text``)."""
    index = DomainIndex()
    if fmt == "csv":
        for row in csv.reader(io.StringIO(text)):
            if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            if row[0].strip().lower() in _HEADER:
                continue
            cats = [c for cell in row[1:] for c in cell.replace("|", ";").split(";")] or [category]
            index.add(row[0], cats)
    else:
        for line in text.splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry:
                index.add(entry.split()[0], [category])
    return index


class FeedCache:
    """Process-wide cache of parsed feeds keyed by path, refreshed when the file's mtime or size changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str], tuple[int, int, DomainIndex]] = {}

    def get(self, path: str, *, fmt: str = "auto", category: str | None = None) -> DomainIndex:
        """The parsed feed at ``path``.

        Raises:
            DetectorError: the file is missing or unreadable (a scan must not silently lose its feed).
        """
        p = Path(path)
        try:
            st = os.stat(p)
        except OSError as exc:
            raise DetectorError(f"URL category feed {path!r} is not readable: {exc.strerror}") from None
        kind = fmt if fmt != "auto" else ("csv" if p.suffix.lower() == ".csv" else "text")
        cat = (category or p.stem).lower()
        key = (str(p), kind, cat)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
                return cached[2]
            try:
                text = p.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise DetectorError(f"URL category feed {path!r} is not readable: {exc.strerror}") from None
            index = parse_feed(text, fmt=kind, category=cat)
            self._cache[key] = (st.st_mtime_ns, st.st_size, index)
            return index


#: The shared feed cache.
FEEDS = FeedCache()
