"""Deterministic process analysis: paths, loops, cycle times, critical path, hand-offs."""

from __future__ import annotations

import textwrap

import pytest

from sop_plugin import codes
from sop_plugin.analysis import analyse, build_flow
from sop_plugin.analysis.timing import solve
from sop_plugin.model import Corpus, Unit
from sop_plugin.parsing import parse_sop


def sop_from(steps: str, sop_id: str = "SOP-TEST-001"):
    """An SOP whose procedure is ``steps`` (an ordered list in the contract's syntax)."""
    text = (f"---\nid: {sop_id}\ntitle: Uji\nunit: u1\nstatus: draft\n---\n\n## Prosedur\n\n"
            + textwrap.dedent(steps).strip() + "\n")
    sop = parse_sop(f"{sop_id}.md", text)
    problems = [d for d in sop.diagnostics if d.severity.value == "error"]
    assert not problems, problems
    return sop


LINEAR = """
1. Mengisi formulir.
    - pelaksana: A
    - waktu: 15 menit
2. Memeriksa.
    - pelaksana: B
    - waktu: 2 jam
3. Menyetujui.
    - pelaksana: A
    - waktu: 1-3 jam
4. Mengarsipkan.
    - pelaksana: C
    - waktu: 30 menit
"""


def test_linear_chain_cycle_time_is_the_sum():
    a = analyse(sop_from(LINEAR))
    assert a.min_minutes == 15 + 120 + 60 + 30
    assert a.expected_minutes == pytest.approx(15 + 120 + 120 + 30)
    assert a.max_minutes == 15 + 120 + 180 + 30
    assert a.critical_path == [1, 2, 3, 4]
    assert a.decisions == 0
    assert a.loops == []
    assert [p.steps for p in a.paths] == [(1, 2, 3, 4)]
    assert a.visits == pytest.approx({1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})
    assert a.work_per_actor == pytest.approx({"A": 15 + 120, "B": 120, "C": 30})
    assert [(e.step, e.label, e.share) for e in a.ends] == [(4, None, pytest.approx(1.0))]


BRANCHES = """
1. Memeriksa berkas.
    - pelaksana: A
    - waktu: 10 menit
    - keputusan: Lengkap?
        - Ya (70%) -> 2
        - Tidak -> 3
2. Memproses.
    - pelaksana: B
    - waktu: 1 jam
    - lanjut: selesai
3. Mengembalikan berkas.
    - pelaksana: A
    - waktu: 20-40 menit
"""


def test_two_branch_expectation_matches_hand_calculation():
    a = analyse(sop_from(BRANCHES))
    # 10 + 0.7 × 60 + 0.3 × mid(20, 40)
    assert a.expected_minutes == pytest.approx(10 + 0.7 * 60 + 0.3 * 30)
    assert a.min_minutes == 10 + 20
    assert a.min_path == [1, 3]
    assert a.max_minutes == 10 + 60
    assert a.max_path == [1, 2]
    assert a.decisions == 1
    assert {(e.step, e.label): e.share for e in a.ends} == {
        (2, None): pytest.approx(0.7), (3, None): pytest.approx(0.3)}
    assert sorted(p.probability for p in a.paths) == pytest.approx([0.3, 0.7])


@pytest.mark.parametrize("p", [0.25, 0.5, 0.9])
def test_loop_expectation_is_geometric(p):
    sop = sop_from(f"""
    1. Menyusun draf.
        - pelaksana: A
        - waktu: 20 menit
    2. Mereviu draf.
        - pelaksana: B
        - waktu: 30 menit
        - keputusan: Perlu perbaikan?
            - Ya ({p * 100:g}%) -> 1
            - Tidak -> 3
    3. Menetapkan.
        - pelaksana: C
        - waktu: 10 menit
    """)
    a = analyse(sop)
    # steps 1 and 2 are visited 1 / (1 - p) times on average
    assert a.visits[1] == pytest.approx(1 / (1 - p))
    assert a.expected_minutes == pytest.approx((20 + 30) / (1 - p) + 10)
    assert [(lp.source, lp.entry, lp.steps) for lp in a.loops] == [(2, 1, (1, 2))]
    assert a.loops[0].probability == pytest.approx(p)
    # the maximum takes the loop once; the minimum never
    assert a.max_minutes == 2 * (20 + 30) + 10
    assert a.max_path == [1, 2, 1, 2, 3]
    assert a.max_loops == 1
    assert a.min_minutes == 20 + 30 + 10
    # the critical path does not take loops
    assert a.critical_path == [1, 2, 3]
    # paths: straight through, and once around the loop
    assert sorted(x.steps for x in a.paths) == [(1, 2, 1, 2, 3), (1, 2, 3)]
    assert sorted(x.probability for x in a.paths) == pytest.approx(sorted([1 - p, p * (1 - p)]))


DIAMOND = """
1. Menerima permohonan.
    - pelaksana: A
    - waktu: 10 menit
    - keputusan: Jenis?
        - Besar (40%) -> 2
        - Kecil -> 3
2. Menilai permohonan besar.
    - pelaksana: B
    - waktu: 1 jam
    - lanjut: 4
3. Menilai permohonan kecil.
    - pelaksana: C
    - waktu: 30-90 menit
4. Memberi jawaban.
    - pelaksana: A
    - waktu: 5 menit
"""


def test_critical_path_on_a_diamond():
    a = analyse(sop_from(DIAMOND))
    # mids: 1→2→4 = 10 + 60 + 5 = 75; 1→3→4 = 10 + 60 + 5 = 75: a tie goes to the branch written first
    assert a.critical_minutes == 75
    assert a.critical_path == [1, 2, 4]
    # highs: via 3 = 10 + 90 + 5 = 105 beats via 2 = 75
    assert a.max_path == [1, 3, 4] and a.max_minutes == 105
    assert a.min_path == [1, 3, 4] and a.min_minutes == 10 + 30 + 5
    assert a.expected_minutes == pytest.approx(10 + 0.4 * 60 + 0.6 * 60 + 5)


def test_critical_path_prefers_the_longer_branch():
    sop = sop_from(DIAMOND.replace("waktu: 1 jam", "waktu: 2 jam"))
    a = analyse(sop)
    assert a.critical_path == [1, 2, 4]
    assert a.critical_minutes == 10 + 120 + 5
    sop = sop_from(DIAMOND.replace("waktu: 1 jam", "waktu: 15 menit"))
    assert analyse(sop).critical_path == [1, 3, 4]


def _corpus(units: dict[str, list[str]]) -> Corpus:
    c = Corpus(root=".")
    for key, roles in units.items():
        c.units[key] = Unit(key=key, name=key, line=1, roles=roles)
    return c


def test_handoffs_between_actors_and_units():
    sop = sop_from(LINEAR)  # A -> B -> A -> C
    a = analyse(sop, _corpus({"u1": ["A", "B"], "u2": ["C"]}))
    assert a.handoffs_actor == 3
    assert a.handoffs_unit == 1
    assert a.expected_handoffs_actor == pytest.approx(3)
    assert a.expected_handoffs_unit == pytest.approx(1)
    # without a corpus the units are unknown
    assert analyse(sop).handoffs_unit is None


def test_expected_handoffs_weight_branches():
    a = analyse(sop_from(DIAMOND), _corpus({"u1": ["A", "B"], "u2": ["C"]}))
    # edges 1→2 (A→B), 1→3 (A→C), 2→4 (B→A), 3→4 (C→A): all four change actor
    assert a.handoffs_actor == 4
    assert a.expected_handoffs_actor == pytest.approx(2.0)
    # unit changes only through C: 1→3 and 3→4, taken with probability 0.6 each
    assert a.handoffs_unit == 2
    assert a.expected_handoffs_unit == pytest.approx(1.2)


def test_steps_without_duration_count_zero_and_are_listed():
    sop = sop_from(LINEAR.replace("    - waktu: 2 jam\n", ""))
    a = analyse(sop)
    assert a.no_duration == [2]
    assert a.expected_minutes == pytest.approx(15 + 120 + 30)
    assert any(d.code == codes.SIM_NO_DURATION.code and d.line == sop.steps[1].line for d in a.diagnostics)


def test_equal_split_without_probabilities_warns():
    sop = sop_from(BRANCHES.replace("Ya (70%)", "Ya"))
    a = analyse(sop)
    assert a.expected_minutes == pytest.approx(10 + 0.5 * 60 + 0.5 * 30)
    warn = [d for d in a.diagnostics if d.code == codes.SIM_EQUAL_SPLIT.code]
    assert len(warn) == 1 and warn[0].line == sop.steps[0].decision.line


def test_loop_never_left_is_reported_not_raised():
    text = ("---\nid: SOP-TEST-002\ntitle: Uji\nunit: u1\nstatus: draft\n---\n\n## Prosedur\n\n"
            "1. Satu.\n    - pelaksana: A\n    - waktu: 5 menit\n"
            "2. Dua.\n    - pelaksana: B\n    - waktu: 5 menit\n    - lanjut: 1\n")
    sop = parse_sop("x.md", text)
    a = analyse(sop)
    assert a.expected_minutes is None
    assert a.min_minutes is None and a.max_minutes is None
    assert [d.code for d in a.diagnostics if d.code == codes.SIM_ENDLESS_LOOP.code] == ["SOP601"]


def test_empty_and_broken_procedures_do_not_raise():
    sop = parse_sop("x.md", "---\nid: SOP-X-001\n---\n\nno procedure here\n")
    a = analyse(sop)
    assert a.steps == 0 and a.expected_minutes is None
    assert [d.code for d in a.diagnostics] == [codes.SIM_NOTHING.code]
    # a dangling target is left out: the remaining branch carries the whole probability
    text = ("---\nid: SOP-X-002\nstatus: draft\n---\n\n## Prosedur\n\n"
            "1. Satu.\n    - pelaksana: A\n    - waktu: 5 menit\n    - keputusan: Lanjut?\n"
            "        - Ya (50%) -> 9\n        - Tidak -> 2\n"
            "2. Dua.\n    - pelaksana: B\n    - waktu: 10 menit\n")
    a = analyse(parse_sop("y.md", text))
    assert a.expected_minutes == pytest.approx(15)
    assert any(d.code == codes.SIM_RESCALED.code for d in a.diagnostics)


def test_two_loops():
    sop = sop_from("""
    1. Satu.
        - pelaksana: A
        - waktu: 10 menit
    2. Dua.
        - pelaksana: A
        - waktu: 10 menit
        - keputusan: Ulang?
            - Ya (50%) -> 1
            - Tidak -> 3
    3. Tiga.
        - pelaksana: A
        - waktu: 10 menit
        - keputusan: Ulang dari awal?
            - Ya (20%) -> 1
            - Tidak -> selesai
    """)
    a = analyse(sop)
    flow = build_flow(sop)
    assert flow.back_edges == {(2, 1), (3, 1)}
    # visits: v1 = 1 + 0.5 v2 + 0.2 v3, v2 = v1, v3 = 0.5 v2  =>  v1 = 1 / (1 - 0.5 - 0.1) = 2.5
    assert a.visits[1] == pytest.approx(2.5)
    assert a.visits[3] == pytest.approx(1.25)
    assert a.expected_minutes == pytest.approx(10 * (2.5 + 2.5 + 1.25))
    # every back edge at most once: the longest walk takes both loops
    assert a.max_loops == 2
    assert a.max_path == [1, 2, 1, 2, 3, 1, 2, 3]
    assert a.max_minutes == 10 * 8


def test_path_enumeration_is_bounded():
    # 12 decisions in a row, each with two branches to the next step: 2**12 paths
    steps = []
    for i in range(1, 13):
        steps.append(f"{i}. Langkah {i}.\n    - pelaksana: A\n    - waktu: 1 menit\n"
                     f"    - keputusan: Cepat?\n        - Ya (50%) -> {i + 1}\n        - Tidak -> {i + 1}\n")
    steps.append("13. Akhir.\n    - pelaksana: A\n    - waktu: 1 menit\n")
    a = analyse(sop_from("".join(steps)))
    assert a.paths_truncated and len(a.paths) == 200
    assert any(d.code == codes.SIM_PATHS_TRUNCATED.code for d in a.diagnostics)
    assert a.expected_minutes == pytest.approx(13)


def test_solve_matches_a_hand_solved_system():
    # 2x + y = 5, x - y = 1  ->  x = 2, y = 1
    assert solve([[2.0, 1.0], [1.0, -1.0]], [5.0, 1.0]) == pytest.approx([2.0, 1.0])
    assert solve([[1.0, 1.0], [2.0, 2.0]], [1.0, 2.0]) is None


def test_as_dict_keys_are_stable():
    d = analyse(sop_from(BRANCHES)).as_dict()
    assert set(d) == {"sop", "steps", "decisions", "cycle_time", "min_path", "max_path", "max_path_loops",
                      "critical_path", "critical_minutes", "visits", "work_per_actor", "handoffs",
                      "no_duration", "loops", "paths", "paths_truncated", "ends", "diagnostics"}
    assert set(d["cycle_time"]) == {"min", "expected", "max"}


# -- the page blocks ---------------------------------------------------------

def _ctx(sop, **options):
    from sop_plugin.pipeline import Portal
    from sop_plugin.render.context import RenderContext
    from sop_plugin.settings import Settings

    corpus = Corpus(root=".", sops=[sop])
    return RenderContext.of(Portal.of(corpus, Settings.from_options(options)))


def test_analysis_block_shows_the_numbers_and_a_histogram():
    import re

    from sop_plugin.render.analysis import analysis_block

    sop = sop_from(LINEAR)
    html = analysis_block(sop, _ctx(sop))
    # 225 / 285 / 345 minutes in an 8-hour day
    assert "3 jam 45 menit" in html and "4 jam 45 menit" in html and "5 jam 45 menit" in html
    assert "1 → 2 → 3 → 4 → selesai" in html
    assert "<svg" in html
    counts = [int(c) for c in re.findall(r"<rect [^>]*><title>(\d+)</title>", html)]
    assert sum(counts) == 500  # the default number of simulated cases
    off = analysis_block(sop, _ctx(sop, simulate={"enabled": False}))
    assert "<svg" not in off and "3 jam 45 menit" in off
    few = analysis_block(sop, _ctx(sop, simulate={"cases": 40, "seed": 3}))
    assert sum(int(c) for c in re.findall(r"<rect [^>]*><title>(\d+)</title>", few)) == 40
    # an unset value keeps its default; a nonsense value is refused, naming the option
    unset = analysis_block(sop, _ctx(sop, simulate={"seed": None}))
    assert sum(int(c) for c in re.findall(r"<rect [^>]*><title>(\d+)</title>", unset)) == 500
    from sop_plugin.settings import SettingsError

    for bad, name in (({"cases": "many"}, "simulate.cases"), ({"enabled": "yes"}, "simulate.enabled"),
                      ({"cases": 0}, "simulate.cases")):
        with pytest.raises(SettingsError, match=name):
            _ctx(sop, simulate=bad)


def test_analysis_block_escapes_actor_names():
    from sop_plugin.render.analysis import analysis_block

    sop = sop_from(LINEAR.replace("pelaksana: C", "pelaksana: <b>C</b>"))
    html = analysis_block(sop, _ctx(sop))
    assert "<b>C</b>" not in html and "&lt;b&gt;C&lt;/b&gt;" in html


def test_analysis_block_is_fast_for_a_15_step_sop():
    from sop_plugin.render.analysis import analysis_block

    lines = []
    for i in range(1, 16):
        lines.append(f"{i}. Langkah {i}.\n    - pelaksana: P{i % 4}\n    - waktu: {i}-{2 * i} jam\n")
        if i in (5, 10):
            lines.append(f"    - keputusan: Ulang?\n        - Ya (20%) -> {i - 2}\n        - Tidak -> {i + 1}\n")
    sop = sop_from("".join(lines))
    ctx = _ctx(sop)
    analysis_block(sop, ctx)  # warm up imports and templates
    best = min(_timed(lambda: analysis_block(sop, ctx)) for _ in range(3))
    assert best < 0.25, f"{best * 1000:.0f} ms"  # typically ~10 ms; see bench/bench_simulate.py


def _timed(fn) -> float:
    import time

    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_walkthrough_json_cannot_close_its_script_element():
    import json as _json

    from sop_plugin.render.walkthrough import walkthrough_block

    sop = sop_from(LINEAR.replace("Mengisi formulir.", "Mengisi </script><script>alert(1)</script> & <!-- formulir"))
    html = walkthrough_block(sop, _ctx(sop))
    body = html.split('<script type="application/json" class="sop-walkthrough-data">', 1)[1]
    payload, rest = body.split("</script>", 1)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    data = _json.loads(payload)
    assert data["steps"][0]["activity"] == "Mengisi </script><script>alert(1)</script> & <!-- formulir"
    assert data["steps"][1]["duration"] == {"text": "2 jam", "low": 120.0, "high": 120.0, "mid": 120.0}
    assert data["steps"][3]["next"] == [{"label": None, "step": None, "end": True, "probability": None}]
    assert "</section>" in rest
