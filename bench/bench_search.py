"""Benchmark: the portal's search at scale: index time, bytes one query fetches, biggest pages.

    python bench/bench_search.py                  # 1000 SOPs
    python bench/bench_search.py --sizes 300 1000
    python bench/bench_search.py --per-index 0    # the index in one part (search_pages_per_index)

Generates the synthetic corpus of bench/corpus.py (as bench_build.py does), builds
it with the portal's theme overrides (no lunr; the Pagefind index is built after
the site), then
opens the home page in Chromium once per query in a fresh browser context
(nothing cached: a visitor's *first* query), types the query into the header's
search box and records every response below ``pagefind/``:

* index data: ``pagefind-entry.json``, ``*.pf_meta``, ``*.pf_index``,
  ``*.pf_fragment``, ``*.pf_filter`` and ``sop-search.json`` (target: <= 300 kB);
* engine: ``pagefind.js``, ``pagefind-worker.js``, ``wasm.*.pagefind``
  (fetched once, then cached), reported separately.

Also prints the biggest HTML pages other than the catalogue (target: <= 500 kB).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from corpus import write_portal  # noqa: E402

QUERIES = ["layanan", "melaksanakan kegiatan", "Dokumen 0042", "SOP-U010-0105", "sop u010 0105", "Staf Unit 007"]
ENGINE = ("pagefind.js", "pagefind-worker.js", ".pagefind")


def build(root: Path, n: int, per_index: int | None) -> tuple[Path, float]:
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.CRITICAL)
    write_portal(root, n, **({} if per_index is None else {"search_pages_per_index": per_index}))
    start = time.perf_counter()
    mkdocs_build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site")))
    return root / "site", time.perf_counter() - start


def query_bytes(site: Path, query: str) -> dict:
    from browserkit import Watch, browser, open_page, serve

    fetched: dict[str, int] = {}
    with serve(site) as base, browser() as ctx:
        page = open_page(ctx, base, Watch())
        page.on("response", lambda r: fetched.__setitem__(r.url, len(r.body())) if "/pagefind/" in r.url else None)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.click("[data-sop-search-input]")
        page.keyboard.type(query)
        page.wait_for_function(
            "q => { const r = document.querySelector('[data-sop-search]');"
            " return r.dataset.sopSearchState === 'done' && r.dataset.sopSearchQuery === q; }",
            arg=query, timeout=60000)
        page.wait_for_selector("[data-sop-search-facets]:not([hidden])", timeout=60000)
        page.wait_for_timeout(300)
        first = page.eval_on_selector(".md-search-result__link", "e => e.getAttribute('href')")
        page.close()
    engine = sum(v for k, v in fetched.items() if k.endswith(ENGINE))
    data = sum(v for k, v in fetched.items() if not k.endswith(ENGINE))
    kinds: dict[str, int] = {}
    for k, v in fetched.items():
        if not k.endswith(ENGINE):
            kind = k.rsplit(".", 1)[-1]
            kinds[kind] = kinds.get(kind, 0) + v
    return {"query": query, "index_bytes": data, "engine_bytes": engine, "files": len(fetched), "first": first,
            "kinds": kinds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--keep", type=Path, help="build below this folder and keep it (one size)")
    ap.add_argument("--per-index", type=int, help="the plugin's search_pages_per_index (default: its default)")
    args = ap.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            where = Path(tmp)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=False)
                where = args.keep
            site, seconds = build(where, n, args.per_index)
            index = site / "pagefind"
            total = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
            parts = 1 + len(list(index.glob("part-*")))
            pages = sorted(((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")),
                           reverse=True)
            others = [(s, p) for s, p in pages if not p.startswith("katalog/")]
            print(f"{n} SOPs: build {seconds:.1f} s (with the index), {len(pages)} pages, "
                  f"index folder {total / 1e6:.2f} MB in {parts} part(s)")
            print("  biggest pages except the catalogue: "
                  + ", ".join(f"{p} {s / 1e3:.0f} kB" for s, p in others[:4]))
            catalogue = next((s for s, p in pages if p.startswith("katalog/")), 0)
            print(f"  catalogue: {catalogue / 1e3:.0f} kB")
            for q in QUERIES:
                r = query_bytes(site, q)
                print(f"  first query {r['query']!r}: index data {r['index_bytes'] / 1e3:.0f} kB in {r['files']} files, "
                      f"engine {r['engine_bytes'] / 1e3:.0f} kB (cached once); top hit {r['first']}")
                print("    " + ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in sorted(r["kinds"].items())))


if __name__ == "__main__":
    main()
