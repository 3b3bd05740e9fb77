"""Benchmark: build time and HTML size of the portal for a synthetic corpus.

    python bench/bench_portal.py                 # 100 and 1000 SOPs
    python bench/bench_portal.py --sizes 100 2000 --simulate

Generates a corpus in a temporary folder (10 SOPs per unit, 7 steps each
with a decision, cross-unit actors, shared documents, related SOPs and
sub-SOP handovers), builds it with MkDocs + material + the sop plugin, and
prints seconds, pages, total HTML bytes, bytes per page, the size of the
biggest pages and the ratios against the smallest size.  Build-time
simulation is off unless ``--simulate`` is given (it is measured by the
simulation's own benchmark).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import yaml

APPROVALS = [
    {"role": "maker", "name": "Pembuat Satu", "position": "Analis", "date": "2025-04-01"},
    {"role": "reviewer", "name": "Pemeriksa Dua", "position": "Kepala Subbagian", "date": "2025-04-02"},
    {"role": "leader", "name": "Pimpinan Tiga", "position": "Kepala Biro", "date": "2025-04-03"},
]
STATUSES = ["effective"] * 8 + ["approved", "retired"]


def make_corpus(root: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    units_n = max(2, n // 10)
    units = {}
    for u in range(units_n):
        units[f"unit-{u:03d}"] = {
            "name": f"Unit Kerja {u:03d}", "duties": [f"Tugas {u} A", f"Tugas {u} B"],
            "authority": [f"Wewenang {u}"], "parent": "unit-000" if u else None,
            "roles": [f"Kepala Unit {u:03d}", f"Staf Unit {u:03d}", f"Operator Unit {u:03d}"],
            "demand": [f"Layanan {u}"], "enablers": ["Aplikasi Terpadu"],
        }
    (root / "sops").mkdir(parents=True)
    (root / "sops" / "units.yml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    docs = [f"Dokumen {k:04d}" for k in range(max(20, n // 2))]
    for i in range(n):
        u = i // 10 % units_n
        unit = f"unit-{u:03d}"
        other = f"{rng.randrange(units_n):03d}"
        sid = f"SOP-U{u:03d}-{i:04d}"
        status = STATUSES[i % len(STATUSES)]
        front = {
            "id": sid, "title": f"Prosedur Layanan Nomor {i}", "unit": unit, "version": 1 + i % 3,
            "status": status, "created": "2025-03-01", "effective": "2025-05-01",
            "related": [f"SOP-U{(i + 1) // 10 % units_n:03d}-{(i + 1) % n:04d}"] if i % 7 == 0 and n > 1 else [],
            "approvals": APPROVALS,
            "simulations": [{"date": "2025-03-20", "participants": ["Tim"], "result": "pass"}],
            "socialization": [{"date": "2025-05-05", "audience": [unit]}],
            "review": {"interval_months": 12 + i % 13},
        }
        if status == "retired":
            front["superseded_by"] = f"SOP-U{u:03d}-{(i - 1) % n:04d}" if i else None
        lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).strip(), "---", "",
                 "## Tujuan", "", f"Menjamin layanan nomor {i} berjalan tertib.", "", "## Prosedur", ""]
        actors = [f"Staf Unit {u:03d}", f"Kepala Unit {u:03d}", f"Operator Unit {other}", f"Staf Unit {other}"]
        for s in range(1, 8):
            lines.append(f"{s}. Melaksanakan kegiatan {s} layanan {i}.")
            lines.append(f"    - pelaksana: {actors[(s + i) % len(actors)]}")
            lines.append(f"    - kelengkapan: {rng.choice(docs)}; {rng.choice(docs)}")
            lines.append(f"    - waktu: {rng.choice(['15 menit', '1 jam', '1-2 jam', '1 hari'])}")
            lines.append(f"    - output: {rng.choice(docs)}")
            if s == 3:
                lines.append("    - keputusan: Lengkap?")
                lines.append("        - Ya (85%) -> 4")
                lines.append("        - Tidak -> 1")
            if s == 6 and i % 5 == 0 and n > 1:
                lines.append(f"    - sop: SOP-U{(i + 3) // 10 % units_n:03d}-{(i + 3) % n:04d}")
            lines.append("")
        path = root / "sops" / unit / f"sop-{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Portal\n\n::: sop-home\n", encoding="utf-8")
    config = {
        "site_name": "Bench", "docs_dir": "docs",
        "theme": {"name": "material", "language": "id", "font": False, "features": ["navigation.tabs"]},
        "plugins": ["search", {"sop": {"sops_dir": "sops", "today": "2026-06-01",
                                       "simulate": {"enabled": False}}}],
        "markdown_extensions": ["attr_list", "tables", "toc"],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def measure(n: int, simulate: bool) -> dict:
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_corpus(root, n)
        if simulate:
            cfg = yaml.safe_load((root / "mkdocs.yml").read_text())
            cfg["plugins"][1]["sop"]["simulate"] = {"enabled": True}
            (root / "mkdocs.yml").write_text(yaml.safe_dump(cfg))
        start = time.perf_counter()
        build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site")))
        seconds = time.perf_counter() - start
        pages = list((root / "site").rglob("*.html"))
        sizes = sorted(((p.stat().st_size, str(p.relative_to(root / "site"))) for p in pages), reverse=True)
        total = sum(s for s, _ in sizes)
        index = (root / "site" / "search" / "search_index.json").stat().st_size
        export = (root / "site" / "sops.json").stat().st_size
    return {"sops": n, "seconds": seconds, "pages": len(pages), "html_bytes": total,
            "bytes_per_page": total / len(pages), "search_index_bytes": index, "sops_json_bytes": export,
            "biggest": sizes[:3]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--simulate", action="store_true", help="keep build-time simulation on")
    args = ap.parse_args()
    results = [measure(n, args.simulate) for n in args.sizes]
    base = results[0]
    for r in results:
        print(f"{r['sops']:>6} SOPs: {r['seconds']:7.2f} s, {r['pages']:>6} pages, "
              f"{r['html_bytes'] / 1e6:8.2f} MB HTML, {r['bytes_per_page'] / 1e3:7.1f} kB/page, "
              f"search index {r['search_index_bytes'] / 1e6:.2f} MB, sops.json {r['sops_json_bytes'] / 1e6:.2f} MB")
        print("        biggest pages: " + ", ".join(f"{p} {s / 1e3:.0f} kB" for s, p in r["biggest"]))
        if r is not base:
            k = r["sops"] / base["sops"]
            print(f"        x{k:g} SOPs -> time x{r['seconds'] / base['seconds']:.2f}, "
                  f"HTML x{r['html_bytes'] / base['html_bytes']:.2f}, "
                  f"bytes/page x{r['bytes_per_page'] / base['bytes_per_page']:.2f}")


if __name__ == "__main__":
    main()
