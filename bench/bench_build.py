"""Build-speed benchmark: the portal against plain mkdocs-material, measured in one run.

    python bench/bench_build.py                    # 300 and 1000 SOPs
    python bench/bench_build.py --sizes 300 1000 5000 --profile

For each size it generates a seeded corpus (bench/corpus.py: effective,
approved SOPs with 5–40 steps, 2–8 actors, decisions, loops, simulations,
grouped by unit) and measures, each in a fresh process:

* plain: mkdocs-material building the same SOP Markdown, one page per SOP,
  grouped by unit, ``navigation.prune`` and its own search (the baseline);
* cold: the portal with an empty cache;
* warm: the portal again after editing one SOP (cache present);
* lint: ``sop lint`` against a bare parse (YAML front matter + Markdown body
  of every file, nothing else);
* peak memory (the sum over the build's processes) and the site's size.

Ratios are computed within the run (machines are noisy; compare ratios, not
seconds).  Results go to ``bench/results/latest.json`` and ``latest.md``
(the README shows the table).  ``--profile`` adds the slowest functions of a
cold portal build (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_plain, write_portal  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1767225600")

BARE_PARSE = r"""
import sys, pathlib, yaml
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark")
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
    text = p.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    yaml.safe_load(front)
    md.parse(body)
"""


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (kB)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def run(cmd: list[str], cwd: Path) -> dict:
    """Seconds and peak memory (MB, all processes) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # `sop lint` exits 1 on findings
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"seconds": round(seconds, 3), "peak_mb": round(peak / 1024, 1)}


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), sum(1 for p in files if p.suffix == ".html")


def measure(n: int, profile: bool) -> dict:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    with tempfile.TemporaryDirectory(prefix=f"sop-bench-{n}-") as tmp:
        root = Path(tmp)
        write_plain(root / "plain", n)
        files = write_portal(root / "portal", n)
        out: dict = {"sops": n}
        out["plain"] = run(mkdocs, root / "plain")
        out["plain"]["site_mb"], out["plain"]["pages"] = [round(x / 1e6, 1) if i == 0 else x
                                                          for i, x in enumerate(size_of(root / "plain" / "site"))]
        shutil.rmtree(root / "portal" / ".cache", ignore_errors=True)
        out["cold"] = run(mkdocs, root / "portal")
        size, pages = size_of(root / "portal" / "site")
        out["cold"]["site_mb"], out["cold"]["pages"] = round(size / 1e6, 1), pages
        edited = files[len(files) // 2]
        edited.write_text(edited.read_text(encoding="utf-8").replace("berjalan tertib", "berjalan tertib dan cepat"),
                          encoding="utf-8")
        out["warm"] = run(mkdocs, root / "portal")
        out["lint"] = run([sys.executable, "-m", "sop_plugin", "lint", "sops", "--format", "json"], root / "portal")
        out["bare_parse"] = run([sys.executable, "-c", BARE_PARSE, "sops"], root / "portal")
        if profile:
            shutil.rmtree(root / "portal" / ".cache", ignore_errors=True)
            prof = root / "build.prof"
            subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "mkdocs", "build", "-q"],
                           cwd=root / "portal", env=dict(ENV), check=True, capture_output=True)
            out["slowest"] = slowest(prof)
    p, c = out["plain"], out["cold"]
    out["ratios"] = {
        "cold_vs_plain": round(c["seconds"] / p["seconds"], 2),
        "warm_vs_plain_cold": round(out["warm"]["seconds"] / p["seconds"], 2),
        "lint_vs_bare_parse": round(out["lint"]["seconds"] / out["bare_parse"]["seconds"], 2),
        "memory_vs_plain": round(c["peak_mb"] / max(p["peak_mb"], 1), 2),
    }
    return out


def slowest(prof: Path, limit: int = 15) -> list[dict]:
    import pstats

    stats = pstats.Stats(str(prof))
    rows = []
    for (file, line, fn), (_, _, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "sop_plugin" in file or "material" in file or "mkdocs" in file or "markdown" in file:
            rows.append({"function": f"{Path(file).name}:{line}({fn})", "cumulative_s": round(ct, 2),
                         "own_s": round(tt, 2)})
    rows.sort(key=lambda r: -r["cumulative_s"])
    return rows[:limit]


def table(results: list[dict]) -> str:
    lines = ["| SOPs | plain material | portal cold | ratio | warm (1 SOP edited) | warm / plain | "
             "lint / bare parse | peak MB plain / portal | site MB plain / portal |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['sops']:,} | {r['plain']['seconds']:.1f} s | {r['cold']['seconds']:.1f} s "
            f"({r['cold']['pages']:,} pages) | {r['ratios']['cold_vs_plain']}× | {r['warm']['seconds']:.1f} s | "
            f"{r['ratios']['warm_vs_plain_cold']}× | {r['ratios']['lint_vs_bare_parse']}× | "
            f"{r['plain']['peak_mb']:.0f} / {r['cold']['peak_mb']:.0f} | "
            f"{r['plain']['site_mb']} / {r['cold']['site_mb']} |")
    if len(results) > 1:
        a, b = results[0], results[-1]
        lines.append("")
        lines.append(f"Scaling {b['sops']:,} / {a['sops']:,} SOPs: portal cold × "
                     f"{b['cold']['seconds'] / a['cold']['seconds']:.2f}, plain × "
                     f"{b['plain']['seconds'] / a['plain']['seconds']:.2f}.")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    ap.add_argument("--profile", action="store_true", help="add the slowest functions of a cold build")
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        results.append(measure(n, args.profile))
        print(json.dumps(results[-1]["ratios"]), file=sys.stderr)
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": len(os.sched_getaffinity(0)), "date": time.strftime("%Y-%m-%d")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n",
                                         encoding="utf-8")
    md = (f"Measured {machine['date']} on {machine['cpus']} cores ({machine['machine']}, Python "
          f"{machine['python']}), one run:\n\n" + table(results))
    (RESULTS / "latest.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
