"""Build-speed benchmark: the portal against plain mkdocs-material, measured in one run.

    python bench/bench_build.py                    # 300 and 1000 SOPs
    python bench/bench_build.py --sizes 300 1000 5000 --profile

For each size it generates a seeded corpus (bench/corpus.py: effective,
approved SOPs with 5–40 steps, 2–8 actors, decisions, loops, simulations,
grouped by unit) and measures, each in a fresh process:

* plain: mkdocs-material building the same SOP Markdown, one page per SOP,
  grouped by unit, ``navigation.prune`` and its own search (the baseline);
* cold: the portal with an empty cache;
* warm: the portal again after editing one SOP (cache present; with --repeat N,
  N builds, another SOP edited before each, and their median);
* lint: ``sop lint`` against a bare parse (YAML front matter + Markdown body
  of every file, nothing else), once with the cache the builds left and once
  without any cache;
* the author loop: ``mkdocs serve --dirty``, one SOP saved, seconds until the
  server hands out its page with the change, for a sentence added to its purpose
  (the SOP's page and form change) and for words added to its first step (the
  lists that show the step change too); with ``--repeat N``, the medians of N
  saves of each, one after another;
* peak memory (proportional set size summed over the build's processes, so
  forked workers' shared pages count once; sampled every 50 ms, each process
  with the rise of its resident memory since the sample before, so that short
  spikes count too; resident memory is in the JSON), the largest single
  process's resident memory (what ``/usr/bin/time -v`` reports), and the
  site's size.

Ratios are computed within the run (machines are noisy; compare ratios, not
seconds).  ``--repeat N`` builds plain and cold N times each, alternately,
runs lint, lint without a cache and the bare parse N times each, alternately,
and reports the median times (every run's time is in the JSON).  Results go
to ``bench/results/latest.json`` and ``latest.md`` (the README shows the
table).  ``--profile`` adds the slowest functions of a
cold portal build (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
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


# the kernel lists each thread's children (CONFIG_PROC_CHILDREN); without that, /proc is scanned
_CHILDREN_LISTS = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def _children(pid: int, by_parent: dict[int, list[int]] | None) -> list[int]:
    if by_parent is not None:
        return by_parent.get(pid, [])
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # gone
        return found
    for tid in tasks:  # Pagefind is started by a thread of the build
        try:
            found.extend(int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    by_parent: dict[int, list[int]] | None = None
    if not _CHILDREN_LISTS:
        by_parent = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                by_parent.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p, by_parent))
    return found


def _tree_memory_kb(pid: int, base: dict[int, tuple[int, int]], full: bool) -> tuple[int, int, dict[str, int], int]:
    """Memory of ``pid`` and its descendants (kB): (resident, proportional, proportional by program,
    the resident memory of the largest process).

    The proportional set size (PSS) counts a page shared by N processes as 1/N in
    each, so forked workers, which share the parent's pages until they write
    them, are not counted twice; resident memory (RSS) adds them up again.
    Reading it walks the process's pages, which slows the build measured, so it is
    read only when ``full`` (and for a process not seen before) into ``base``; in
    between, each process counts as its last PSS plus how far its resident memory
    has risen since, read from the kernel's high-water mark (``VmHWM``, set back to
    the present size after each reading).  That catches peaks shorter than the time
    between two samples: Pagefind's part of the index holds its peak for about
    0.1 s, plain material's search index is written in the build's last moments.
    """
    rss = pss = largest = 0
    by_program: dict[str, int] = {}
    for p in _descendants(pid):
        try:
            name = Path(f"/proc/{p}/comm").read_text().strip()
            if full or p not in base:
                now = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in
                       Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:]) if k in ("Rss", "Pss")}
                base[p] = now["Pss"], now["Rss"]
            high = next(int(line.split()[1]) for line in Path(f"/proc/{p}/status").read_text().splitlines()
                        if line.startswith("VmHWM:"))
            Path(f"/proc/{p}/clear_refs").write_text("5")  # the high-water mark back to the present size
        except (OSError, ValueError, StopIteration, KeyError):
            continue
        base_pss, base_rss = base[p]
        proportional = base_pss + high - base_rss
        rss += high
        pss += proportional
        largest = max(largest, high)
        by_program[name] = by_program.get(name, 0) + proportional
    return rss, pss, by_program, largest


SAMPLE_S = 0.05  # reads two small files per process; the proportional sizes every FULL_EVERY samples
FULL_EVERY = 5


def run(cmd: list[str], cwd: Path) -> dict:
    """Seconds and peak memory (MB, all processes: proportional and resident) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = peak_rss = peak_one = 0
    at_peak: dict[str, int] = {}
    done = threading.Event()

    def poll() -> None:
        nonlocal peak, peak_rss, peak_one, at_peak
        base: dict[int, tuple[int, int]] = {}
        n = 0
        while not done.is_set():
            rss, pss, by_program, largest = _tree_memory_kb(proc.pid, base, full=n % FULL_EVERY == 0)
            n += 1
            if pss > peak:
                peak, at_peak = pss, by_program
            peak_rss = max(peak_rss, rss)
            peak_one = max(peak_one, largest)
            time.sleep(SAMPLE_S)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # `sop lint` exits 1 on findings
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"seconds": round(seconds, 3), "peak_mb": round(peak / 1024, 1), "peak_rss_mb": round(peak_rss / 1024, 1),
            # the largest single process (resident): what `/usr/bin/time -v` reports as its maximum
            "peak_process_mb": round(peak_one / 1024, 1),
            # which programs held the peak (PSS, MB): the build's Python processes, Pagefind
            "peak_mb_by_program": {k: round(v / 1024, 1) for k, v in sorted(at_peak.items())}}


def author_loop(project: Path, edited: Path, saves: int = 1, timeout: float = 900.0) -> dict:
    """The author command (``mkdocs serve --dirty``): seconds from saving one SOP until the
    server hands out its page with the change (the browser reloads when that build is done);
    the median of ``saves`` saves, one after another."""
    import socket
    import urllib.error
    import urllib.request

    import yaml

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sop_id = yaml.safe_load(edited.read_text(encoding="utf-8").split("---", 2)[1])["id"]
    url = f"http://127.0.0.1:{port}/sop/{sop_id.lower()}/"

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.read().decode("utf-8")
        except (urllib.error.URLError, OSError):
            return ""

    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                            cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        start = time.perf_counter()
        while not fetch():
            if time.perf_counter() - start > timeout or proc.poll() is not None:
                raise SystemExit("mkdocs serve --dirty did not come up")
            time.sleep(0.2)
        first = time.perf_counter() - start
        text = edited.read_text(encoding="utf-8")
        samples: dict[str, list[float]] = {"text": [], "step": []}
        for i in range(saves):
            for kind in samples:
                time.sleep(2)  # let the watcher settle after the build before
                marker = f"Perubahan uji {kind} {i + 1} {int(time.time())}"
                if kind == "text":  # a sentence in the purpose: the SOP's page and its form
                    changed = text.replace("## Tujuan\n", f"## Tujuan\n\n{marker}\n", 1)
                else:  # the first step's activity: the lists that show the step too (unit, roles)
                    changed = re.sub(r"^(1\. .*)$", lambda m: f"{m.group(1)} {marker}", text, count=1, flags=re.M)
                assert changed != text
                edited.write_text(changed, encoding="utf-8")
                saved = time.perf_counter()
                while marker not in fetch():
                    if time.perf_counter() - saved > timeout:
                        raise SystemExit("the edit never reached the served page")
                    time.sleep(0.1)
                samples[kind].append(round(time.perf_counter() - saved, 2))
        return {"first_build_s": round(first, 2), "save_to_page_s": statistics.median(samples["text"]),
                "samples_s": samples["text"], "save_step_to_page_s": statistics.median(samples["step"]),
                "step_samples_s": samples["step"]}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), sum(1 for p in files if p.suffix == ".html")


def repeated(runs: list[dict]) -> dict:
    """One measurement from runs of the same command: the median time, the highest peak memory
    (with the details of the run that had it), and every run's time."""
    out = dict(max(runs, key=lambda r: r["peak_mb"]))
    out["seconds"] = round(statistics.median(r["seconds"] for r in runs), 3)
    out["samples_s"] = [r["seconds"] for r in runs]
    return out


def measure(n: int, profile: bool, author: bool = True, seed: int = 7, repeat: int = 1) -> dict:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    with tempfile.TemporaryDirectory(prefix=f"sop-bench-{n}-") as tmp:
        root = Path(tmp)
        write_plain(root / "plain", n, seed)
        files = write_portal(root / "portal", n, seed)
        out: dict = {"sops": n}
        plain, cold = [], []
        for _ in range(repeat):  # alternated: a slow spell of the machine falls on both
            plain.append(run(mkdocs, root / "plain"))
            shutil.rmtree(root / "portal" / ".cache", ignore_errors=True)
            cold.append(run(mkdocs, root / "portal"))
        out["plain"], out["cold"] = repeated(plain), repeated(cold)
        out["plain"]["site_mb"], out["plain"]["pages"] = [round(x / 1e6, 1) if i == 0 else x
                                                          for i, x in enumerate(size_of(root / "plain" / "site"))]
        size, pages = size_of(root / "portal" / "site")
        out["cold"]["site_mb"], out["cold"]["pages"] = round(size / 1e6, 1), pages
        warm = []
        for i in range(repeat):  # each time another SOP edited, on the cache the builds before left
            edited = files[(len(files) // 2 + i) % len(files)]
            edited.write_text(edited.read_text(encoding="utf-8").replace("berjalan tertib", "berjalan tertib dan cepat"),
                              encoding="utf-8")
            warm.append(run(mkdocs, root / "portal"))
        out["warm"] = repeated(warm)
        lint = [sys.executable, "-m", "sop_plugin", "lint", "sops", "--format", "json"]
        cache = root / "portal" / ".cache"
        lint_runs: dict[str, list[dict]] = {"lint": [], "lint_cold": [], "bare_parse": []}
        for _ in range(repeat):  # alternated, as the builds: a few seconds each, easily caught by a slow spell
            lint_runs["lint"].append(run(lint, root / "portal"))  # after the builds: the parse cache is warm
            cache.rename(root / "cache-kept")
            lint_runs["lint_cold"].append(run(lint, root / "portal"))  # no cache: every file parsed
            shutil.rmtree(cache, ignore_errors=True)
            (root / "cache-kept").rename(cache)
            lint_runs["bare_parse"].append(run([sys.executable, "-c", BARE_PARSE, "sops"], root / "portal"))
        out.update({key: repeated(runs) for key, runs in lint_runs.items()})
        if author:
            out["author_loop"] = author_loop(root / "portal", files[len(files) // 3], saves=repeat)
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
        "lint_cold_vs_bare_parse": round(out["lint_cold"]["seconds"] / out["bare_parse"]["seconds"], 2),
        "memory_vs_plain": round(c["peak_mb"] / max(p["peak_mb"], 1), 2),
        "largest_process_vs_plain": round(c["peak_process_mb"] / max(p["peak_process_mb"], 1), 2),
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


def _largest(r: dict) -> str:
    """The largest process's peak, plain / portal (results from before it was measured: a dash)."""
    if "peak_process_mb" not in r["cold"]:
        return "–"
    return (f"{r['plain']['peak_process_mb']:.0f} / {r['cold']['peak_process_mb']:.0f} "
            f"({r['ratios']['largest_process_vs_plain']}×)")


def table(results: list[dict]) -> str:
    lines = ["| SOPs | plain material | portal cold | ratio | warm (1 SOP edited) | warm / plain | "
             "lint / bare parse (cache, none) | save → page (`serve --dirty`; text, step) | "
             "peak MB plain / portal (PSS, all processes; largest process) | "
             "site MB plain / portal |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        loop = r.get("author_loop")
        loop_text = "–"
        if loop:
            loop_text = f"{loop['save_to_page_s']:.1f} s"
            if "save_step_to_page_s" in loop:
                loop_text += f", {loop['save_step_to_page_s']:.1f} s"
        lines.append(
            f"| {r['sops']:,} | {r['plain']['seconds']:.1f} s | {r['cold']['seconds']:.1f} s "
            f"({r['cold']['pages']:,} pages) | {r['ratios']['cold_vs_plain']}× | {r['warm']['seconds']:.1f} s | "
            f"{r['ratios']['warm_vs_plain_cold']}× | {r['ratios']['lint_vs_bare_parse']}×, "
            f"{r['ratios']['lint_cold_vs_bare_parse']}× | "
            f"{loop_text} | "
            f"{r['plain']['peak_mb']:.0f} / {r['cold']['peak_mb']:.0f} ({r['ratios']['memory_vs_plain']}×); "
            f"{_largest(r)} | "
            f"{r['plain']['site_mb']} / {r['cold']['site_mb']} |")
    if len(results) > 1:
        lines.append("")
    for a, b in zip(results, results[1:]):
        lines.append(f"Scaling {b['sops']:,} / {a['sops']:,} SOPs: portal cold × "
                     f"{b['cold']['seconds'] / a['cold']['seconds']:.2f}, plain × "
                     f"{b['plain']['seconds'] / a['plain']['seconds']:.2f}.  ")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    ap.add_argument("--profile", action="store_true", help="add the slowest functions of a cold build")
    ap.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    ap.add_argument("--table-only", action="store_true", help="print the table of the last run, measure nothing")
    ap.add_argument("--no-author-loop", action="store_true", help="skip timing `mkdocs serve --dirty` after an edit")
    ap.add_argument("--repeat", type=int, default=1,
                    help="build plain and cold, and run lint and the bare parse, this many times each, alternately, "
                         "and report the medians (default 1)")
    args = ap.parse_args()
    if args.table_only:  # the Markdown table of the last run again (after a change to this script)
        print((RESULTS / "latest.md").read_text(encoding="utf-8").split("\n\n")[0] + "\n\n" +
              table(json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))["results"]))
        return
    results = []
    for n in args.sizes:
        results.append(measure(n, args.profile, not args.no_author_loop, args.seed, max(1, args.repeat)))
        print(json.dumps(results[-1]["ratios"]), file=sys.stderr)
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": len(os.sched_getaffinity(0)), "date": time.strftime("%Y-%m-%d"), "repeat": max(1, args.repeat)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n",
                                         encoding="utf-8")
    runs = (f", plain and cold builds the median of {machine['repeat']}, alternated, warm builds, lint and the bare "
            f"parse the median of {machine['repeat']}" if machine["repeat"] > 1 else "")
    md = (f"Measured {machine['date']} on {machine['cpus']} cores ({machine['machine']}, Python "
          f"{machine['python']}), one run{runs}:\n\n" + table(results))
    (RESULTS / "latest.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
