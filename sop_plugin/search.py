"""Offline full-text search: a Pagefind index of the built site with Indonesian stemming.

The theme override (``overrides/main.html``) marks the pages staff search with
``data-pagefind-body``: everything except pages that ask to stay out
(``search: exclude`` in their front matter: printable forms) and the path
prefixes listed in ``extra.sop_search.exclude`` of ``mkdocs.yml`` (the English
author guide).  As the build writes those pages, :class:`SearchCopies` keeps a
scratch copy of each with only what Pagefind should read
(:func:`~sop_plugin.searchcopy.prepare`) and, on every SOP page, what readers
filter by (unit, status, actor, document).
After the build it runs the Pagefind binary (``pagefind_bin``) over them with
``--force-language id``, so that every page is analysed with Snowball's
Indonesian stemmer, at index and at query time.  The site's HTML is not
changed; the index goes to ``<site>/pagefind/``, with the UI texts
(``sop-search.json``) and a small lookup of SOP numbers (``sop-numbers/``)
beside it.  Pagefind holds about 0.2 MB per indexed SOP page while it runs, so
a large portal is indexed in parts (:func:`partition`, option
``search_pages_per_index``), one Pagefind run after another; the first part
is ``<site>/pagefind/``, the others ``<site>/pagefind/part-N/``, and the
browser merges them (Pagefind's ``mergeIndex``).  Every part also holds one
hidden page with every word of the site (:data:`VOCABULARY`): Pagefind,
finding no word that starts with a query's word in an index, matches the
longest indexed word the query's word starts with instead ("pinjam" would find
"pin" in a part without "pinjam"), so a part must know every word the others do.

Nothing here imports MkDocs.  Only *published* SOPs get filters: a page that
is not built cannot be indexed, so a public build indexes no confidential SOP.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterable

from . import i18n
from .model import Sop
from .parallel import Helper
from .render.context import RenderContext
from .searchcopy import BODY, LANGUAGE, VOCABULARY, body_opening, forget_words, write_copy, write_vocabulary

OUTPUT = "pagefind"
PART = "part-"  # the index of part N (N >= 2) is OUTPUT/part-N/
PART_FILES = ("pagefind-entry.json", "index", "fragment", "filter")  # what a merged part is read from (+ .pf_meta)
# Pagefind's allocator (jemalloc) keeps freed pages for ten seconds, longer than a run lasts: returned
# at once, its peak is about 15 % lower (129 -> 110 MB for 785 SOP pages) for a few percent more time
_ALLOCATOR = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
# the UI texts the browser needs (the theme cannot call the catalogue)
UI_KEYS = (
    "search.placeholder", "search.none", "search.one", "search.other", "search.more", "search.unavailable",
    "search.filters", "search.all",
    "search.facet.unit", "search.facet.status", "search.facet.actor", "search.facet.document",
)
FACETS = ("unit", "status", "actor", "document")
NUMBERS = "sop-numbers"  # folder below the index: {compact number: [[url, title, unit]]}, one file per last 2 chars
HOME_MARK = 'class="sop-portal sop-home"'  # a page with the ::: sop-home view is a listing too


class SearchUnavailable(RuntimeError):
    """Pagefind is not installed or failed; the site is built without a search index."""


@dataclass(frozen=True)
class IndexReport:
    pages: int
    seconds: float
    output: Path
    unordered: str = ""  # why the index could not be put in a stable order (see canonicalise); "" when it was
    parts: int = 1  # Pagefind runs (see partition)


def compact_forms(sop_id: str) -> list[str]:
    """Spellings of an SOP number without separators: ``SOP-UMUM-001`` -> ``sopumum001``, ``umum001``.

    They are the keys of :func:`number_shards`.  The browser turns a query that
    looks like a number into the same compact form and looks it up exactly, so
    ``sop umum 001``, ``SOP/UMUM/001`` and ``sopumum001`` put the SOP's own page
    first (not its Monev form, nor a page that merely mentions the number).
    """
    parts = [p for p in re.split(r"[^0-9a-z]+", sop_id.casefold()) if p]
    out = []
    for start in range(len(parts) - 1):
        joined = "".join(parts[start:])
        if joined not in out:
            out.append(joined)
    if len(parts) == 1:
        out.append(parts[0])
    return out


def number_shards(ctx: RenderContext) -> dict[str, dict[str, list[list[str]]]]:
    """Every published SOP under each compact spelling of its number, in shards by the spelling's last 2 characters.

    A typed number costs one small file (a few hundred bytes at 1,000 SOPs)
    instead of a search through the index.
    """
    shards: dict[str, dict[str, list[list[str]]]] = {}
    for sid, sop in sorted(ctx.published.items()):
        url = ctx.links.page_url(ctx.links.sop_page(sid))
        unit = _unit_name(ctx, sop)
        entry = [url, f"{sid} {sop.title or ''}".strip(), unit or ""]
        for form in compact_forms(sid):
            shards.setdefault(form[-2:], {}).setdefault(form, []).append(entry)
    return shards


def _unit_name(ctx: RenderContext, sop: Sop) -> str | None:
    if not sop.unit:
        return None
    u = ctx.corpus.units.get(sop.unit)
    return u.name if u and u.name else sop.unit


def facets(ctx: RenderContext, sop: Sop) -> dict[str, list[str]]:
    """What one SOP page is filtered by, as readers see it (names, not keys)."""
    from .render.portal import data

    unit = _unit_name(ctx, sop)
    actors, documents = data.actors_and_documents(sop)
    return {
        "unit": [unit] if unit else [],
        "status": [ctx.t(f"status.{data.status_of(sop)}")],
        "actor": actors,
        "document": list(documents.values()),
    }


def annotation(ctx: RenderContext, sop: Sop) -> str:
    """The hidden block added to an SOP page in the scratch copy: what it is filtered by."""
    parts = ['<div data-pagefind-ignore hidden>']
    for key, values in facets(ctx, sop).items():
        for value in values:
            parts.append(f'<span data-pagefind-filter="{key}">{html.escape(value)}</span>')
    parts.append("</div>")
    return "".join(parts)


def page_file(ctx: RenderContext, src_path: str) -> str:
    """The HTML file (relative to the site) of a Markdown page path."""
    url = ctx.links.page_url(src_path)
    return url + "index.html" if url == "" or url.endswith("/") else url


def partition(pages: Iterable[str], per_index: int, max_parts: int = 0) -> list[list[str]]:
    """The pages of each Pagefind index: one index of at most ``per_index`` pages (``0``: no limit)
    or as few as hold them all, but no more than ``max_parts`` (``0``: no limit), which then hold more.
    More than half of ``per_index`` pages make two parts at least: Pagefind's memory for one index
    adds to the build's, which is small for a small portal (at 300 SOPs, 475 pages: 35 MB a part
    instead of 56 MB beside a build process of 60 MB; a first query fetched 23-135 kB instead of 22-90 kB).

    The pages are dealt out in turn from the sorted list, so every part holds every kind of
    page (SOPs, listings) of every unit: the word statistics each index ranks with are then
    those of the whole site, and a query's results merge as one index would order them.
    """
    ordered = sorted(pages)
    n = 1
    if per_index > 0:
        n = -(-len(ordered) // per_index)
        if 2 * len(ordered) > per_index:
            n = max(n, 2)
        n = max(1, min(n, len(ordered)))  # no empty part
    if max_parts > 0:
        n = min(n, max_parts)
    return [ordered[k::n] for k in range(n)]




class SearchCopies:
    """The pages Pagefind indexes, prepared in a scratch folder as the build writes them
    (:func:`~sop_plugin.searchcopy.prepare`).

    The plugin hands every written page to :meth:`add` (``on_post_page``: the page's
    final HTML, so the site is not read back); a helper process, started with the first
    page, prepares and writes the copies while the build goes on
    (:class:`~sop_plugin.parallel.Helper`; in this process with ``workers: 1``).  :meth:`seal` adds the pages the build did not write this time
    (``mkdocs build --dirty``) from the site folder and lets go of the portal;
    :meth:`launch` starts Pagefind in the background; :meth:`wait` waits for it and writes
    the files the search box needs beside the index.
    :meth:`close` removes the scratch folder.
    """

    def __init__(self, ctx: RenderContext, listings: Iterable[str] = (), workers: int = 0,
                 pages_per_index: int = 0, max_parts: int = 0) -> None:
        self.ctx: RenderContext | None = ctx  # None once detached (or sealed)
        # site files (as written below the site folder) of the SOP pages and of the generated listings
        self.sops = {page_file(ctx, ctx.links.sop_page(sid)): sop for sid, sop in ctx.published.items()}
        self.listings = {page_file(ctx, src) for src in listings} - set(self.sops)
        self._tmp = tempfile.TemporaryDirectory(prefix="sop-search-")
        self.scratch = Path(self._tmp.name) / "site"
        self.vocabulary = Path(self._tmp.name) / "vocabulary.html"  # (write_vocabulary)
        forget_words()  # (a build that failed in this process may have left some; a helper process starts empty)
        self.seen: set[str] = set()
        self.copied: list[str] = []  # site files of the copies
        self.pages_per_index = pages_per_index
        self.max_parts = max_parts
        self.seconds = 0.0  # spent handing pages over and indexing
        self._launched = 0.0
        self._workers = workers
        self._helper: Helper | None = None  # started with the first copy (_copier)
        self._proc: subprocess.Popen[bytes] | None = None  # the Pagefind run going on
        self._runner: threading.Thread | None = None  # runs one part's Pagefind after another
        self._lock = threading.Lock()
        self._stopped = False
        self._failed = ""
        self._log: IO[bytes] | None = None
        self._outputs: list[Path] = []  # where each part's index goes, the first part's first
        self._beside: tuple[dict[str, object], dict[str, dict[str, list[list[str]]]]] = ({}, {})
        self._annotations: dict[str, str] = {}  # the SOP pages' annotations, once detached
        self._sealed = False

    def detach(self) -> None:
        """Compute now what the copies still need of the portal (each SOP page's
        :func:`annotation`, what :meth:`wait` writes beside the index) and let go of it:
        the build can drop its SOPs before MkDocs writes the pages."""
        ctx = self.ctx
        if ctx is None:
            return
        self._annotations = {dest: annotation(ctx, sop) for dest, sop in self.sops.items()}
        self._beside = ui_strings(ctx.lang), number_shards(ctx)
        self.ctx, self.sops = None, {}

    def add(self, dest: str, html: str) -> None:
        """Add the page written to ``dest`` (a path below the site folder) if it is marked for search."""
        started = time.perf_counter()
        self.seen.add(dest)
        parts = PurePosixPath(dest).parts
        if not parts or ".." in parts or dest.startswith("/") or parts[0] == OUTPUT:
            return
        if BODY not in html or not body_opening(html):  # (a page may name the attribute in its text)
            return
        sop = self.sops.get(dest)
        if self.ctx is None:
            annotate = self._annotations.pop(dest, "")  # (each page is added once: 4 MB at 1,000 SOPs)
        else:
            annotate = annotation(self.ctx, sop) if sop is not None else ""
        listing = dest in self.listings or HOME_MARK in html
        self._copier().submit(write_copy, str(self.scratch.joinpath(*parts)), html, annotate, listing,
                            self.pages_per_index > 0)
        self.copied.append(dest)
        self.seconds += time.perf_counter() - started

    @property
    def pages(self) -> int:
        return len(self.copied)

    def seal(self, site_dir: Path, *, read_back: bool = True) -> None:
        """Finish the copies: from here on this object holds nothing of the portal.

        With ``read_back``, the pages below ``site_dir`` that were not added are added
        first (``--dirty``: pages not rebuilt are current on disk).  What :meth:`wait`
        writes beside the index (the UI texts, the SOP numbers) is computed now, so the
        build can let go of its SOPs before Pagefind starts.  Raises
        :class:`SearchUnavailable` when a copy could not be written.
        """
        if self._sealed:
            return
        site_dir = Path(site_dir)
        self._launched = time.perf_counter()
        for path in site_dir.rglob("*.html") if read_back else ():
            rel = path.relative_to(site_dir).as_posix()
            if rel not in self.seen:
                try:
                    self.add(rel, path.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
        if self.pages_per_index > 0:  # the words of every copy: a page for each part of the index
            self._copier().submit(write_vocabulary, str(self.vocabulary))
        try:
            if self._helper is not None:
                self._helper.join()
        except (OSError, BrokenProcessPool) as exc:
            raise SearchUnavailable(f"the pages could not be copied for indexing: {exc}") from None
        self.detach()
        self._sealed = True

    def launch(self, site_dir: Path, *, read_back: bool = True, quiet: bool = True) -> bool:
        """Start Pagefind over the copies (:meth:`seal` first), the index going to ``site_dir/pagefind``.

        With more pages than ``pages_per_index``, the copies are moved into one folder per
        part (:func:`partition`) and Pagefind runs over one part after another in the
        background.  ``False`` when no page is marked for search (a theme without the
        portal's override); raises :class:`SearchUnavailable` when Pagefind is missing.
        """
        site_dir = Path(site_dir)
        self.seal(site_dir, read_back=read_back)
        output = site_dir / OUTPUT
        if output.exists():
            shutil.rmtree(output)
        if self.pages == 0:
            return False
        try:
            from pagefind_bin import get_executable

            exe = str(get_executable())
        except (ImportError, FileNotFoundError) as exc:
            raise SearchUnavailable(f"Pagefind is not installed ({exc}); install 'pagefind[bin]'") from None
        parts = partition(self.copied, self.pages_per_index, self.max_parts)
        sites = [self.scratch]
        if len(parts) > 1:
            sites = [self.scratch.parent / "parts" / str(k) for k in range(len(parts))]
            try:
                for folder, part in zip(sites, parts):
                    for dest in part:
                        target = folder.joinpath(*PurePosixPath(dest).parts)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        self.scratch.joinpath(*PurePosixPath(dest).parts).rename(target)
                    (folder / VOCABULARY).mkdir()
                    shutil.copyfile(self.vocabulary, folder / VOCABULARY / "index.html")
            except OSError as exc:
                raise SearchUnavailable(f"the pages could not be divided for indexing: {exc}") from None
        self._outputs = [output] + [output / f"{PART}{k + 1}" for k in range(1, len(parts))]
        cmds = [[exe, "--site", str(site), "--output-path", str(out), "--force-language", LANGUAGE]
                + (["--quiet"] if quiet else []) for site, out in zip(sites, self._outputs)]
        self._log = tempfile.TemporaryFile()  # not a pipe: nobody reads it while the build goes on
        self._runner = threading.Thread(target=self._run, args=(cmds,), name="pagefind", daemon=True)
        self._runner.start()
        return True

    def _run(self, cmds: list[list[str]]) -> None:
        """Pagefind over each part in turn (the runner thread); the first failure ends it."""
        for cmd in cmds:
            with self._lock:
                if self._stopped:
                    return
                try:
                    self._proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                                  env={**_ALLOCATOR, **os.environ})
                except OSError as exc:
                    self._failed = f"Pagefind did not run: {exc}"
                    return
            code = self._proc.wait()
            if code != 0:
                self._failed = f"Pagefind failed ({code})"
                return

    def wait(self) -> IndexReport:
        """Wait for the Pagefind run :meth:`launch` started; raises :class:`SearchUnavailable` if it failed."""
        assert self._runner is not None and self._outputs, "launch() first"
        output = self._outputs[0]
        self._runner.join(timeout=900)
        if self._runner.is_alive():
            self._stop()
            self._failed = "Pagefind did not finish in 15 minutes"
        if self._failed:
            assert self._log is not None
            self._log.seek(0)
            out = self._log.read().decode("utf-8", "replace")
            shutil.rmtree(output, ignore_errors=True)  # no index rather than a part of one
            raise SearchUnavailable(f"{self._failed}: {out[-2000:]}" if out.strip() else self._failed)
        unordered = "; ".join(filter(None, (canonicalise(out) for out in self._outputs)))
        for part in self._outputs[1:]:  # the browser reads a merged part's index, not its scripts
            for path in part.iterdir():
                if path.name in PART_FILES or path.suffix == ".pf_meta":
                    continue
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        ui, shards = self._beside
        hidden = {_vocabulary_page(out) for out in self._outputs} - {""} if len(self._outputs) > 1 else set()
        ui = {**ui, "parts": [f"{out.relative_to(output).as_posix()}/" for out in self._outputs[1:]],
              "hidden": sorted(hidden)}
        (output / "sop-search.json").write_text(json.dumps(ui, ensure_ascii=False), encoding="utf-8")
        (output / NUMBERS).mkdir()
        for key, forms in shards.items():
            (output / NUMBERS / f"{key}.json").write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
        self.seconds += time.perf_counter() - self._launched
        return IndexReport(pages=self.pages, seconds=self.seconds, output=output, unordered=unordered,
                           parts=len(self._outputs))

    def _stop(self) -> None:
        """End the Pagefind runs: no next part, the current run killed."""
        with self._lock:
            self._stopped = True
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
        if self._runner is not None:
            self._runner.join()

    def _copier(self) -> Helper:
        if self._helper is None:
            self._helper = Helper(self._workers)
        return self._helper

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()
        self._stop()
        if self._log is not None:
            self._log.close()
        self._tmp.cleanup()


def _vocabulary_page(output: Path) -> str:
    """The id of the :data:`VOCABULARY` page in one part of the index (the search box leaves it out),
    ``""`` if there is none.

    It is the largest fragment (every word of the site); the others are read only if it is not.
    """
    found = sorted((output / "fragment").glob("*.pf_fragment"), key=lambda f: (-f.stat().st_size, f.name))
    for f in found:
        try:
            if f"/{VOCABULARY}/" in json.loads(_unpack(f.read_bytes())).get("url", ""):
                return f.name.removesuffix(".pf_fragment")
        except (OSError, ValueError):
            continue
    return ""


def canonicalise(output: Path) -> str:
    """Put Pagefind's filter index in a stable order, so the same pages give the same bytes.

    Pagefind 1.x writes the values of each filter, and the list of filters in its
    metadata, in hash-map order (its source says so: "TODO: Change filter indexes to
    BTree to give them a stable hash"), and names each file by a hash of its content;
    two builds of the same site then differ in ``filter/``, the ``.pf_meta`` file and
    ``pagefind-entry.json``.  This sorts the values of every filter and the filters,
    then renames the files by the hash of their new content the way Pagefind names
    them.  Everything else Pagefind writes is already stable.  Returns ``""``, or why
    the index was left as Pagefind wrote it (a format this code does not know): search
    works either way.
    """
    import cbor2

    entry_path = output / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        stale: set[Path] = set()
        fresh: dict[Path, bytes] = {}
        for lang, info in entry["languages"].items():
            meta_path = output / f"pagefind.{info['hash']}.pf_meta"
            meta = cbor2.loads(_unpack(meta_path.read_bytes()))
            filters = meta[3]
            if not all(isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in filters):
                return "unknown metadata layout"
            renamed = []
            for name, old in sorted(filters):
                stale.add(output / "filter" / f"{old}.pf_filter")
                chunk = cbor2.loads(_unpack((output / "filter" / f"{old}.pf_filter").read_bytes()))
                if not (isinstance(chunk, list) and len(chunk) == 2 and isinstance(chunk[1], list)):
                    return "unknown filter layout"
                chunk[1].sort(key=lambda value: value[0])
                data = cbor2.dumps(chunk)
                full, size = f"{lang}_{_pagefind_hash(data)}", len(lang) + 8
                while output / "filter" / f"{full[:size]}.pf_filter" in fresh and size < len(full):
                    size += 1  # two filters' names collide: a longer one, as Pagefind does
                fresh[output / "filter" / f"{full[:size]}.pf_filter"] = _pack(data)
                renamed.append([name, full[:size]])
            meta[3] = renamed
            data = cbor2.dumps(meta)
            info["hash"] = f"{lang}_{_pagefind_hash(data)[:len(lang) + 8]}"
            stale.add(meta_path)
            fresh[output / f"pagefind.{info['hash']}.pf_meta"] = _pack(data)
    except (OSError, ValueError, KeyError, IndexError, TypeError, cbor2.CBORError) as exc:
        return f"{type(exc).__name__}: {exc}"
    for path in stale - fresh.keys():
        path.unlink(missing_ok=True)
    for path, data in fresh.items():
        path.write_bytes(data)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return ""


_PAGEFIND_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the content of each compressed file


def _unpack(raw: bytes) -> bytes:
    data = gzip.decompress(raw)
    if not data.startswith(_PAGEFIND_SIGNATURE):
        raise ValueError("not a Pagefind file")
    return data[len(_PAGEFIND_SIGNATURE):]


def _pack(data: bytes) -> bytes:
    return gzip.compress(_PAGEFIND_SIGNATURE + data, compresslevel=9, mtime=0)


def _pagefind_hash(data: bytes) -> str:
    """Pagefind's name for content: SHA-1, each byte in hex without a leading zero (as it writes them)."""
    return "".join(f"{b:x}" for b in hashlib.sha1(data).digest())


def ui_strings(lang: str) -> dict[str, object]:
    """The search UI's texts in the portal language, and the facet order."""
    return {"lang": lang, "facets": list(FACETS), "numbers": NUMBERS, "t": {k: i18n.t(lang, k) for k in UI_KEYS}}
