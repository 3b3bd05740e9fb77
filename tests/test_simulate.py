"""Simulation (SimPy) and the ``sop simulate`` command."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from sop_plugin import codes, i18n
from sop_plugin.analysis import SimConfig, analyse, simulate
from sop_plugin.analysis.simulate import DISTRIBUTIONS, WorkingClock, percentile
from sop_plugin.cli import main
from sop_plugin.corpus import load_corpus
from sop_plugin.parsing import parse_sop


def sop_from(steps: str, sop_id: str = "SOP-TEST-001"):
    text = (f"---\nid: {sop_id}\ntitle: Uji\nunit: u1\nstatus: draft\n---\n\n## Prosedur\n\n"
            + textwrap.dedent(steps).strip() + "\n")
    return parse_sop(f"{sop_id}.md", text)


ONE_STEP = """
1. Melayani.
    - pelaksana: Loket
    - waktu: {minutes} menit
"""

REVIEW = """
1. Menyusun draf.
    - pelaksana: Penyusun
    - waktu: 20-40 menit
2. Mereviu draf.
    - pelaksana: Reviewer
    - waktu: 30 menit
    - keputusan: Perlu perbaikan?
        - Ya (30%) -> 1
        - Tidak -> 3
3. Menetapkan.
    - pelaksana: Pimpinan
    - waktu: 10-20 menit
"""


def test_mm1_queue_matches_theory():
    # λ = 1/10 per minute, μ = 1/5: ρ = 0.5, Wq = ρ / (μ - λ) = 5 minutes
    lam, mu = 1 / 10, 1 / 5
    rho = lam / mu
    wq = rho / (mu - lam)
    sop = sop_from(ONE_STEP.format(minutes=5))
    r = simulate(sop, SimConfig(cases=40000, seed=7, arrival="exp", interval=10, distribution="exponential"))
    assert r.mode == "queue" and r.completed == 40000 and r.in_progress == 0
    assert r.utilisation["Loket"] == pytest.approx(rho, rel=0.03)
    assert r.waiting_per_step[1] == pytest.approx(wq, rel=0.08)
    # the mean time in system W = Wq + 1/μ
    assert r.cycle_time.mean == pytest.approx(wq + 1 / mu, rel=0.05)
    assert r.bottleneck == "Loket"


def test_fixed_queue_by_hand():
    # one server, 10-minute service, a case every 5 minutes: the k-th case waits 5k minutes
    sop = sop_from(ONE_STEP.format(minutes=10))
    r = simulate(sop, SimConfig(cases=4, arrival="fixed", interval=5))
    assert r.waiting_per_step[1] == pytest.approx((0 + 5 + 10 + 15) / 4)
    assert sorted(r.samples) == pytest.approx([10, 15, 20, 25])
    assert r.simulated_minutes == 40
    assert r.utilisation == {"Loket": pytest.approx(40 / 40)}
    # two servers: nobody waits; busy 40 of 2 × 25 server-minutes
    r2 = simulate(sop, SimConfig(cases=4, arrival="fixed", interval=5, capacity={"Loket": 2}))
    assert r2.waiting_per_step[1] == 0
    assert r2.utilisation["Loket"] == pytest.approx(40 / (2 * 25))
    assert r2.capacity == {"Loket": 2}


def test_horizon_counts_unfinished_cases():
    sop = sop_from(ONE_STEP.format(minutes=10))
    r = simulate(sop, SimConfig(cases=10, arrival="fixed", interval=5, horizon=22))
    # arrivals at 0, 5, 10, 15, 20; finishes at 10 and 20; the third is busy from 20 to 30
    assert r.cases == 5 and r.completed == 2 and r.in_progress == 3
    assert r.utilisation["Loket"] == pytest.approx((10 + 10 + 2) / 22)
    assert r.simulated_minutes == 22


def test_capacity_from_units_and_unknown_override(tmp_path):
    (tmp_path / "units.yml").write_text("u1:\n  name: U1\n  roles: [Loket]\n  capacity: {Loket: 3}\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("---\nid: SOP-TEST-001\ntitle: Uji\nunit: u1\nstatus: draft\n---\n\n## Prosedur\n\n"
                                   + textwrap.dedent(ONE_STEP.format(minutes=10)).strip() + "\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    sop = corpus.sops[0]
    r = simulate(sop, SimConfig(cases=6, arrival="fixed", interval=1), corpus)
    assert r.capacity == {"Loket": 3}
    # three servers: cases at 0, 1, 2 start at once; 3, 4, 5 wait for 10, 11, 12 -> 7 minutes each
    assert r.waiting_per_step[1] == pytest.approx(3 * 7 / 6)
    r = simulate(sop, SimConfig(cases=2, arrival="fixed", interval=1, capacity={"Kasir": 2}), corpus)
    assert [d.code for d in r.diagnostics] == [codes.SIM_UNKNOWN_ACTOR.code]


def test_isolated_monte_carlo_agrees_with_the_markov_expectation():
    sop = sop_from(REVIEW)
    a = analyse(sop)
    # (mid 30 + 30) / (1 - 0.3) + mid 15
    assert a.expected_minutes == pytest.approx(60 / 0.7 + 15)
    r = simulate(sop, SimConfig(cases=20000, seed=3))
    assert r.mode == "isolated" and r.utilisation == {}
    assert r.cycle_time.mean == pytest.approx(a.expected_minutes, rel=0.02)
    assert r.cycle_time.min >= a.min_minutes
    assert r.visits_per_step[1] / r.completed == pytest.approx(1 / 0.7, rel=0.02)
    assert [(e.step, e.label, e.count) for e in r.ends] == [(3, None, 20000)]


def test_same_seed_same_numbers_other_seed_different():
    sop = sop_from(REVIEW)
    cfg = dict(cases=300, arrival="exp", interval=40)
    one = simulate(sop, SimConfig(seed=11, **cfg)).as_dict()
    two = simulate(sop, SimConfig(seed=11, **cfg)).as_dict()
    three = simulate(sop, SimConfig(seed=12, **cfg)).as_dict()
    assert one == two
    assert one["cycle_time"] != three["cycle_time"]
    iso = [simulate(sop, SimConfig(cases=200, seed=s)).samples for s in (5, 5, 6)]
    assert iso[0] == iso[1] != iso[2]


def test_distributions():
    sop = sop_from(ONE_STEP.format(minutes="10-30"))
    for dist, lo, hi, mean in (("triangular", 10, 30, 20), ("uniform", 10, 30, 20)):
        r = simulate(sop, SimConfig(cases=4000, distribution=dist))
        assert lo <= r.cycle_time.min and r.cycle_time.max <= hi
        assert r.cycle_time.mean == pytest.approx(mean, rel=0.02)
    r = simulate(sop, SimConfig(cases=50, distribution="fixed"))
    assert set(r.samples) == {20}
    with pytest.raises(ValueError):
        simulate(sop, SimConfig(distribution="normal"))


def test_step_limit_stops_endless_cases():
    sop = sop_from("""
    1. Mencoba.
        - pelaksana: A
        - waktu: 1 menit
        - keputusan: Berhasil?
            - Ya (10%) -> selesai
            - Tidak -> 1
    """)
    r = simulate(sop, SimConfig(cases=500, seed=2, max_steps=3))
    # a case stops when it needs a fourth try: probability 0.9 ** 3
    assert r.stopped + r.completed == 500
    assert r.stopped / 500 == pytest.approx(0.9 ** 3, abs=0.06)
    assert any(d.code == codes.SIM_STEP_LIMIT.code for d in r.diagnostics)


def test_working_calendar():
    clock = WorkingClock(hours_per_day=8, days_per_week=5)
    assert clock.calendar(480, finishing=True) == 480  # the evening of day 1
    assert clock.calendar(480) == 1440  # a start at that moment is the next morning
    assert clock.calendar(600, finishing=True) == 1440 + 120
    assert clock.calendar(5 * 480, finishing=True) == 4 * 1440 + 480  # Friday evening
    assert clock.calendar(5 * 480 + 1) == 7 * 1440 + 1  # Monday morning
    sop = sop_from(ONE_STEP.format(minutes=600))  # 10 working hours
    r = simulate(sop, SimConfig(cases=3, hours_per_day=8))
    assert r.cycle_time.mean == 600
    assert r.cycle_time_calendar.mean == 1440 + 120


def test_percentile_by_hand():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)
    assert percentile([7], 0.9) == 7


def test_broken_procedure_does_not_raise():
    sop = parse_sop("x.md", "---\nid: SOP-X-001\n---\n\nno steps\n")
    r = simulate(sop, SimConfig(cases=10))
    assert r.completed == 0 and r.cycle_time is None
    assert [d.code for d in r.diagnostics] == [codes.SIM_NOTHING.code]


# -- the command ------------------------------------------------------------

@pytest.fixture
def tree(tmp_path, monkeypatch):
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "units.yml").write_text("u1:\n  name: U1\n  roles: [Penyusun, Reviewer, Pimpinan]\n", encoding="utf-8")
    (sops / "review.md").write_text("---\nid: SOP-TEST-001\ntitle: Uji\nunit: u1\nstatus: draft\n---\n\n"
                                    "## Prosedur\n\n" + textwrap.dedent(REVIEW).strip() + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return sops


def test_cli_json(tree, capsys):
    rc = main(["simulate", "SOP-TEST-001", "--cases", "200", "--seed", "4", "--arrival", "exp:60",
               "--capacity", "Reviewer=2", "--format", "json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"analysis", "simulation"}
    assert out["analysis"]["cycle_time"]["expected"] == pytest.approx(60 / 0.7 + 15)
    sim = out["simulation"]
    assert sim["cases"] == 200 and sim["mode"] == "queue"
    assert sim["config"]["arrival"] == "exp" and sim["config"]["interval"] == 60
    assert sim["capacity"] == {"Penyusun": 1, "Pimpinan": 1, "Reviewer": 2}
    assert set(sim["cycle_time"]) == {"mean", "p50", "p90", "min", "max"}
    assert sim["bottleneck"] in sim["utilisation"]
    # the same command again gives the same numbers
    rc = main(["simulate", str(tree / "review.md"), "--cases", "200", "--seed", "4", "--arrival", "exp:60",
               "--capacity", "Reviewer=2", "--format", "json"])
    assert rc == 0 and json.loads(capsys.readouterr().out)["simulation"] == sim


def test_cli_text(tree, capsys):
    rc = main(["simulate", "sop-test-001", "--cases", "100", "--hours-per-day", "8", "--lang", "en"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "expected" in out and "critical path  1 -> 2 -> 3 -> end" in out
    assert "calendar" in out
    assert "  maximum   2 hours 40 minutes (160 min)  via 1 -> 2 -> 1 -> 2 -> 3 -> end, 1 loop taken once" in out
    assert "  loop: step 2 back to 1 (30%, 'Ya'): steps 1, 2" in out
    assert "cases run alone (no queues)" in out


def test_cli_text_queue_in_english(tree, capsys):
    rc = main(["simulate", "SOP-TEST-001", "--cases", "200", "--seed", "4", "--arrival", "exp:60",
               "--capacity", "Reviewer=2", "--lang", "en"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Simulation: 200 cases, seed 4, triangular, Poisson arrivals every 60 min" in out
    assert "  utilisation:" in out and "<- bottleneck" in out and "(capacity 2)" in out
    assert re.search(r"\n    Reviewer  +\d+\.\d%  \(capacity 2\)", out)


def test_cli_text_speaks_indonesian_by_default(tree, capsys):
    """The site's language (Indonesian unless configured): the labels, and numbers as Indonesian writes them."""
    rc = main(["simulate", "SOP-TEST-001", "--cases", "200", "--seed", "4", "--arrival", "exp:60",
               "--capacity", "Reviewer=2", "--hours-per-day", "8"])
    out = capsys.readouterr().out
    assert rc == 0
    for said in ("  langkah 3, keputusan 1, perulangan 1, jalur 2", "Analisis (waktu kerja)",
                 "  minimum    1 jam (60 mnt)  melalui 1 -> 2 -> 3 -> selesai",
                 "  rata-rata  1 jam 41 menit (101 mnt)",
                 "1 perulangan dilalui satu kali", "  jalur kritis  1 -> 2 -> 3 -> selesai  (1 jam 15 menit (75 mnt))",
                 "serah terima antarpelaksana 3", "rata-rata 2,86 per kasus",
                 "  perulangan: langkah 2 kembali ke 1 (30%, 'Ya'): langkah 1, 2",
                 "  beban kerja per kasus menurut pelaksana:", "  berakhir: setelah langkah 3 100%",
                 "Simulasi: 200 kasus, benih 4, distribusi segitiga, kedatangan Poisson rata-rata setiap 60 mnt",
                 "  selesai 200,", "  waktu siklus  rata-rata ", ", p50 ", ", p90 ", ", maksimum ",
                 "  kalender      rata-rata ", "  utilisasi:", "<- hambatan", "(kapasitas 2)"):
        assert said in out, said
    assert re.search(r"\n    Reviewer  +\d+,\d%  \(kapasitas 2\)", out)  # a decimal comma
    assert re.search(r"kalender .* \d+,\d jam", out)
    assert not re.search(r"\d\.\d+(%| jam| per)", out)  # no decimal point
    for english in ("Analysis", "Simulation", "steps", "expected", "maximum", "via", "critical", "hand-off",
                    "per case", "work", "ends", "after step", "cases", "seed", "triangular", "arrivals",
                    "completed", "cycle time", "calendar", "mean", "max ", "wait", "utilisation", "capacity",
                    "bottleneck", "min)", "hour", "minute", "-> end"):
        assert english not in out, english
    rc = main(["simulate", "SOP-TEST-001", "--cases", "1000", "--seed", "4", "--distribution", "uniform"])
    out = capsys.readouterr().out
    assert "Simulasi: 1.000 kasus, benih 4, distribusi seragam, setiap kasus berjalan sendiri (tanpa antrean)" in out


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_every_distribution_has_a_name_in_the_report(distribution):
    assert i18n.has(f"cli.simulate.distribution.{distribution}")


def test_cli_json_does_not_depend_on_the_language(tree, capsys):
    argv = ["simulate", "SOP-TEST-001", "--cases", "50", "--arrival", "exp:60", "--hours-per-day", "8",
            "--format", "json"]
    assert main([*argv, "--lang", "id"]) == 0
    indonesian = capsys.readouterr().out
    assert main([*argv, "--lang", "en"]) == 0
    assert capsys.readouterr().out == indonesian


def test_cli_unknown_id_is_a_usage_error(tree, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "SOP-TEST-01"])
    assert exc.value.code == 2
    assert "did you mean SOP-TEST-001" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--arrival", "poisson:5"], ["--arrival", "exp:0"], ["--cases", "0"],
                                  ["--capacity", "Reviewer"], ["--hours-per-day", "30"]])
def test_cli_bad_options_exit_2(tree, capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "SOP-TEST-001", *args])
    assert exc.value.code == 2


def test_cli_sop_without_steps_exits_1(tree, capsys):
    (tree / "empty.md").write_text("---\nid: SOP-TEST-002\ntitle: Kosong\nunit: u1\nstatus: draft\n---\n\nTeks.\n",
                                   encoding="utf-8")
    assert main(["simulate", "SOP-TEST-002", "--cases", "5"]) == 1
    assert "SOP607" in capsys.readouterr().err
