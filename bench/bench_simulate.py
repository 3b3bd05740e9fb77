"""Benchmark: analysis, simulation and page-block cost per SOP for synthetic 15- and 60-step SOPs.

Run:  python bench/bench_simulate.py [--repeat N]

Prints the best-of-N wall time of each stage and the 60/15 ratio.  The
build-time budget of the analysis block (analysis + 500 isolated cases +
histogram) is ~50 ms for a 15-step SOP.
"""

from __future__ import annotations

import argparse
import time

from sop_plugin.analysis import SimConfig, analyse, simulate
from sop_plugin.model import Corpus
from sop_plugin.parsing import parse_sop
from sop_plugin.render.analysis import analysis_block
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.render.walkthrough import walkthrough_block


def synthetic(n: int):
    """n steps, 4 actors, a decision every 5th step (every other one loops back 3 steps at 20 %)."""
    parts = []
    for i in range(1, n + 1):
        parts.append(f"{i}. Langkah {i}.\n    - pelaksana: Pelaksana {i % 4}\n    - waktu: {10 + i % 7}-{30 + i % 11} menit\n")
        if i % 5 == 0 and i < n:
            target = i - 3 if i % 10 == 0 else min(n, i + 2)
            parts.append(f"    - keputusan: Lanjut?\n        - Ya (80%) -> {i + 1}\n        - Tidak -> {target}\n")
    text = f"---\nid: SOP-BENCH-{n:03d}\ntitle: Bench {n}\nunit: u\nstatus: draft\n---\n\n## Prosedur\n\n" + "".join(parts)
    return parse_sop(f"bench-{n}.md", text)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    stages = {
        "analysis": lambda s, c: analyse(s, c.corpus),
        "isolated 500 cases": lambda s, c: simulate(s, SimConfig(cases=500, seed=1)),
        "page block (analysis)": lambda s, c: analysis_block(s, c),
        "page block (walkthrough)": lambda s, c: walkthrough_block(s, c),
        "queue 1000 cases (SimPy)": lambda s, c: simulate(s, SimConfig(cases=1000, seed=1, arrival="exp", interval=120)),
    }
    results: dict[int, dict[str, float]] = {}
    for n in (15, 60):
        sop = synthetic(n)
        ctx = RenderContext.of(Portal.of(Corpus(root=".", sops=[sop])))
        for fn in stages.values():  # warm up imports and templates
            fn(sop, ctx)
        results[n] = {name: best(lambda: fn(sop, ctx), args.repeat) for name, fn in stages.items()}
    width = max(map(len, stages))
    print(f"{'stage':<{width}}  {'15 steps':>10}  {'60 steps':>10}  {'ratio':>6}")
    for name in stages:
        a, b = results[15][name], results[60][name]
        print(f"{name:<{width}}  {a:8.2f}ms  {b:8.2f}ms  {b / a:6.2f}")
    budget = results[15]["page block (analysis)"] + results[15]["page block (walkthrough)"]
    print(f"\nbuild-time cost per 15-step SOP (both blocks): {budget:.1f} ms (budget ~50 ms)")


if __name__ == "__main__":
    main()
