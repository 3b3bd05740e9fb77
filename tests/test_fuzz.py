"""Property-based robustness (issue 11): generated and mutated SOPs never raise.

Mutations of the bundled SOPs (truncations, character flips, line edits,
CRLF / CR / BOM / tabs, hostile field values) and SOPs generated from
scratch go through every stage a user can reach: the parser, the validator,
the analysis and simulation, the signing digest, the ``sop`` command
(lint, json, simulate) and an in-process MkDocs build.  Properties:

* nothing raises (an internal error would be SOP900; that fails too);
* every diagnostic names the file and a line inside it;
* a typed field given a bad value gets an error at that very line;
* JSON output is strict (no Infinity / NaN);
* each input finishes within :data:`PER_INPUT_SECONDS` (a hang guard;
  speed is measured in ``bench/``, not here).

The default profile ("ci") is deterministic and keeps the whole file near
a minute; ``HYPOTHESIS_PROFILE=fuzz`` runs random, longer campaigns.
Inputs that once failed stay as ``@example`` regressions and in
``tests/fuzz_regressions/`` (every file there must lint without raising
and get at least one located diagnostic).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from sop_plugin import codes
from sop_plugin.analysis import SimConfig, analyse, simulate
from sop_plugin.checks import validate
from sop_plugin.cli import main
from sop_plugin.model import Corpus, Severity
from sop_plugin.parsing import parse_sop
from sop_plugin.parsing.units import parse_units
from sop_plugin.render.context import sop_slug
from sop_plugin.settings import Settings
from sop_plugin.signing import compare, content_digest

ROOT = Path(__file__).resolve().parent.parent
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
BUNDLED = {p.relative_to(ROOT / "sops").as_posix(): p.read_text(encoding="utf-8")
           for p in sorted((ROOT / "sops").rglob("*.md"))}
UNITS_TEXT = (ROOT / "sops" / "units.yml").read_text(encoding="utf-8")
UNITS, _ = parse_units(UNITS_TEXT, "sops/units.yml")
SETTINGS = Settings(today=__import__("datetime").date(2026, 6, 1))
PER_INPUT_SECONDS = 30

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz", max_examples=5000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def _examples(n: int) -> int:
    """``n`` examples in the ci profile; the fuzz profile's own (much larger) count otherwise."""
    return n if PROFILE == "ci" else settings.default.max_examples


@contextlib.contextmanager
def time_limit(seconds: float = PER_INPUT_SECONDS):
    """Fail (instead of hanging the suite) when one input takes longer than ``seconds``."""
    def expire(signum, frame):
        raise TimeoutError(f"one input took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- hostile values and mutations -----------------------------------------------------

NINES = "9" * 309
HOSTILE = [
    NINES, "9" * 4400, "-1", "0", "1e309", "inf", "nan", "²", "①", "٣", "４", "9999-12-31", "0001-01-01",
    "2026-02-30", "", "~", "[", "]", "{", "{a: 1}", "[1, [2, [3]]]", "*x", "&x [*x]", "!!python/object:os.system",
    "hr", "2 hr", "1-", "-> ->", "(%)", "{#}", "\t", "\u200b", "\x00", "a: b: c", "'", '"', "|", ">",
    "- - -", "#", "sop:", "SOP-UMUM-004", "selesai", "langkah ²", "#setuju", "PT" + NINES + "H",
]

# a field (both spellings), and bad values for it that must give an error at its line
TYPED = {
    ("waktu", "duration"): ["2 hr", f"{NINES} menit", "99999999 hari", "² jam", "PT" + "9" * 250 + "H", "sebentar", "1-"],
    ("lanjut", "next"): ["²", "①", "langkah ４", "#tidak-ada", "9" * 30, "0"],
    ("tanggal_efektif", "effective"): ["9999-12-31", "2026-13-45", "kemarin", "0001-01-01", NINES],
    ("versi", "version"): ["dua", "-1", "9" * 30, "9" * 4400, "1.5"],
    ("interval_bulan", "interval_months"): ["0", "100000", "9" * 4400, "x", "-3"],
}

_line_edit = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 400), st.just("")),
    st.tuples(st.just("duplicate"), st.integers(0, 400), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 400), st.integers(0, 400).map(str)),
    st.tuples(st.just("insert"), st.integers(0, 400), st.sampled_from(
        ["---", "- x", "    - lanjut: 9", "1. A", "## Prosedur", "  a: [", "    - keputusan: ?",
         "        - Ya (90%) -> 1", "\t", "status: retired", "pengesahan: x", "\ufeff", "nomor: SOP-UMUM-004",
         "    - waktu: " + NINES + " menit", "        - Tidak (" + NINES + "%) -> ①", "reviu: {interval_bulan: 0}",
         "monev: [{tanggal: 9999-12-31}]", "## Tujuan" + " " * 5000 + "x", "    - digest: sha256:" + "a" * 64])),
    st.tuples(st.just("value"), st.integers(0, 400), st.sampled_from(HOSTILE)),
)
_char_edit = st.one_of(
    st.tuples(st.just("cut"), st.integers(0, 20_000), st.integers(1, 400).map(str)),
    st.tuples(st.just("chars"), st.integers(0, 20_000), st.text(max_size=6)),
    st.tuples(st.just("flip"), st.integers(0, 20_000), st.sampled_from(["\x00", "\r", "\t", "²", "①", ":", "-",
                                                                          ">", "{", "#", "*", "&", "'", "\\"])),
    st.tuples(st.just("truncate"), st.integers(0, 20_000), st.just("")),
)
_newline = st.sampled_from(["\n", "\r\n", "\r", "bom", "tabs"])


def _apply(text: str, edit: tuple[str, int, str]) -> str:
    kind, pos, arg = edit
    lines = text.split("\n")
    i = pos % max(1, len(lines))
    if kind == "delete":
        return "\n".join(lines[:i] + lines[i + 1:])
    if kind == "duplicate":
        return "\n".join(lines[:i + 1] + lines[i:])
    if kind == "swap":
        j = int(arg) % max(1, len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if kind == "insert":
        return "\n".join(lines[:i] + [arg] + lines[i:])
    if kind == "value":  # replace what follows the first ': ' on a line
        head, sep, _ = lines[i].partition(": ")
        lines[i] = head + ": " + arg if sep else lines[i] + arg
        return "\n".join(lines)
    p = pos % max(1, len(text) + 1)
    if kind == "cut":
        return text[:p] + text[p + int(arg):]
    if kind == "flip":
        return text[:p] + arg + text[p + 1:]
    if kind == "truncate":
        return text[:p]
    return text[:p] + arg + text[p:]


def _newlines(text: str, style: str) -> str:
    if style == "bom":
        return "\ufeff" + text
    if style == "tabs":
        return text.replace("    ", "\t")
    return text.replace("\n", style)


mutated = st.builds(
    lambda name, edits, style: (name, _newlines(_apply_all(BUNDLED[name], edits), style)),
    st.sampled_from(sorted(BUNDLED)),
    st.lists(st.one_of(_line_edit, _char_edit), min_size=1, max_size=5),
    _newline,
)


def _apply_all(text: str, edits) -> str:
    for e in edits:
        text = _apply(text, e)
    return text


# SOPs written from scratch: random keys (known and not), values, steps and flow
_key = st.sampled_from(["nomor", "id", "judul", "unit_kerja", "versi", "status", "tanggal_efektif", "pengesahan",
                        "simulasi", "monev", "reviu", "rahasia", "keterkaitan", "tim", "bogus", "riwayat_revisi"])
_scalar = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12), st.integers(-10**6, 10**6).map(str),
                    st.dates().map(str))
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.dictionaries(_key, inner, max_size=3).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"),
), max_leaves=6)
_step_field = st.tuples(st.sampled_from(["pelaksana", "waktu", "lanjut", "keputusan", "sop", "kelengkapan", "output",
                                         "keterangan", "hasil", "actor", "duration"]), _scalar)
_branch = st.tuples(st.text(max_size=6), st.one_of(st.none(), st.sampled_from(["80", "20", NINES, "٨٠", "120", "0"])),
                    st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["selesai", "#a", "②", "end"])))


@st.composite
def generated(draw) -> str:
    fm = draw(st.lists(st.tuples(_key, _value), max_size=8))
    steps = draw(st.lists(st.tuples(st.text(max_size=15), st.lists(_step_field, max_size=4),
                                    st.lists(_branch, max_size=3)), max_size=7))
    out = ["---", *(f"{k}: {v}" for k, v in fm), "---", "", "## Prosedur", ""]
    for n, (activity, fields, branches) in enumerate(steps, start=1):
        out.append(f"{n}. {activity} {{#a}}" if n == 2 else f"{n}. {activity}")
        out.extend(f"    - {k}: {v}" for k, v in fields)
        if branches:
            out.append("    - keputusan: Lanjut?")
            out.extend(f"        - {label}{f' ({p}%)' if p else ''} -> {t}" for label, p, t in branches)
        out.append("")
    return "\n".join(out)


# -- checks every property shares -------------------------------------------------------

def _located(diags, path: str, text: str) -> None:
    last = max(1, len(text.splitlines()) + 1)
    for d in diags:
        assert d.code in codes.REGISTRY, d
        assert d.code != "SOP900", d.format()  # an internal error is a bug, even when caught
        if d.file == path:
            assert 1 <= d.line <= last, (d.format(), last)


def _strict_json(value) -> str:
    return json.dumps(value, allow_nan=False)  # raises on inf / nan


def _whole_pipeline(path: str, text: str) -> list:
    sop = parse_sop(path, text, SETTINGS)
    corpus = Corpus(root="sops", sops=[sop], units=UNITS, units_path="sops/units.yml")
    diags = validate(corpus, SETTINGS)
    _located(diags, path, text)
    a = analyse(sop, corpus, SETTINGS)
    _strict_json(a.as_dict())
    if sop.steps and a.expected_minutes is not None:
        res = simulate(sop, SimConfig(cases=20, seed=1), corpus)
        _strict_json(res.as_dict())
    digest = content_digest(sop)
    assert compare(sop, digest).matches
    for ap in sop.approvals:
        if ap.digest:
            with contextlib.suppress(ValueError):  # DigestError: reported as SOP409
                compare(sop, ap.digest)
    return diags


# -- the properties ---------------------------------------------------------------------

@settings(max_examples=_examples(120))
@given(mutated)
@example(("biro-umum/peminjaman-ruang.md", BUNDLED["biro-umum/peminjaman-ruang.md"].replace(
    "- Tidak -> 3", "- Tidak -> ①")))
def test_mutated_bundled_sops_never_raise(case):
    name, text = case
    with time_limit():
        _whole_pipeline(f"sops/{name}", text)


@settings(max_examples=_examples(80))
@given(generated())
def test_generated_sops_never_raise(text):
    with time_limit():
        _whole_pipeline("sops/x/gen.md", text)


@settings(max_examples=_examples(60))
@given(st.sampled_from(sorted(BUNDLED)), st.sampled_from(sorted(TYPED)), st.data())
def test_a_bad_value_in_a_typed_field_is_an_error_at_its_line(name, field, data):
    text = BUNDLED[name]
    lines = text.split("\n")
    where = [i for i, line in enumerate(lines)
             if line.lstrip().startswith(tuple(p + f + ":" for f in field for p in ("- ", "")))]
    if not where:
        where = _add_field(lines, field[0])
        if not where:
            return
    i = data.draw(st.sampled_from(where))
    bad = data.draw(st.sampled_from(TYPED[field]))
    head = lines[i].partition(":")[0]
    lines[i] = f"{head}: {bad}"
    text = "\n".join(lines)
    path = f"sops/{name}"
    with time_limit():
        diags = _whole_pipeline(path, text)
    assert any(d.file == path and d.line == i + 1 and d.severity is Severity.ERROR for d in diags), (
        field, bad, [d.format() for d in diags if d.file == path][:8])


def _add_field(lines: list[str], field: str) -> list[int]:
    """Put ``field`` where it belongs when the SOP does not have it; the indexes of the new line."""
    if field == "lanjut":
        steps = [i for i, line in enumerate(lines) if line.lstrip().startswith("- pelaksana:")]
        if steps:
            lines.insert(steps[0] + 1, "    - lanjut: 1")
            return [steps[0] + 1]
    if field in ("tanggal_efektif", "versi"):
        lines.insert(1, f"{field}: 1")
        return [1]
    if field == "interval_bulan" and not any(line.startswith(("reviu:", "review:")) for line in lines):
        lines[1:1] = ["reviu:", "  interval_bulan: 12"]
        return [2]
    return []


@settings(max_examples=_examples(15))
@given(st.lists(mutated, min_size=1, max_size=3))
def test_the_cli_never_crashes_and_json_stays_strict(cases):
    with tempfile.TemporaryDirectory() as tmp, _cwd(tmp), time_limit():
        root = Path(tmp) / "sops"
        root.mkdir()
        (root / "units.yml").write_text(UNITS_TEXT, encoding="utf-8")
        for k, (name, text) in enumerate(cases):
            (root / f"f{k}").mkdir()
            (root / f"f{k}" / Path(name).name).write_text(text, encoding="utf-8", newline="")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert main(["lint", "--today", "2026-06-01", "--format", "json", "--show-info"]) in (0, 1)
        found = json.loads(out.getvalue())
        _located_json(found, root)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert main(["json", "--include-drafts", "--today", "2026-06-01"]) == 0
        doc = json.loads(out.getvalue(), parse_constant=_no_constant)
        for sop in doc["sops"][:1]:
            with contextlib.redirect_stdout(io.StringIO()) as so, contextlib.redirect_stderr(io.StringIO()):
                assert main(["simulate", "--today", "2026-06-01", "--cases", "10", "--format", "json",
                             sop["id"]]) in (0, 1)
            if so.getvalue().strip():
                json.loads(so.getvalue(), parse_constant=_no_constant)


def _located_json(found: list[dict], root: Path) -> None:
    for d in found:
        assert d["code"] in codes.REGISTRY and d["code"] != "SOP900", d
        f = Path(d["file"])
        if f.suffix == ".md" and f.is_file():
            assert 1 <= d["line"] <= len(f.read_text(encoding="utf-8", errors="replace").splitlines()) + 1, d


def _no_constant(name: str):
    raise AssertionError(f"{name} in JSON output")


@contextlib.contextmanager
def _cwd(path: str):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@settings(max_examples=_examples(2))
@given(mutated)
def test_an_in_process_site_build_never_raises(case):
    """A mutated SOP among good ones: the build finishes and publishes the good ones."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    name, text = case
    good = {n: BUNDLED[n] for n in ("biro-umum/peminjaman-ruang.md", "bpm/penyusunan-sop.md")}
    with tempfile.TemporaryDirectory() as tmp, time_limit(120):
        project = Path(tmp)
        (project / "sops" / "rusak").mkdir(parents=True)
        (project / "sops" / "units.yml").write_text(UNITS_TEXT, encoding="utf-8")
        for n, t in good.items():
            (project / "sops" / n).parent.mkdir(parents=True, exist_ok=True)
            (project / "sops" / n).write_text(t, encoding="utf-8")
        (project / "sops" / "rusak" / "x.md").write_text(text, encoding="utf-8", newline="")
        (project / "docs").mkdir()
        (project / "docs" / "index.md").write_text("# Beranda\n\n::: sop-catalogue\n", encoding="utf-8")
        (project / "mkdocs.yml").write_text(
            "site_name: Uji\ntheme:\n  name: material\n  language: id\n  font: false\n"
            "plugins:\n  - sop:\n      today: '2026-06-01'\n      workers: 1\n      cache_dir: ''\n", encoding="utf-8")
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
        for n in good:
            sop = parse_sop(n, good[n], SETTINGS)
            assert (project / "site" / "sop" / sop_slug(sop.id) / "index.html").is_file(), sop.id
        json.loads((project / "site" / "sops.json").read_text(encoding="utf-8"), parse_constant=_no_constant)


# -- regressions: inputs that once failed ---------------------------------------------------

@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.md")), ids=lambda p: p.name)
def test_regression_inputs_lint_with_a_located_diagnostic(path: Path):
    text = path.read_text(encoding="utf-8")
    with time_limit():
        diags = _whole_pipeline(f"sops/{path.name}", text)
    assert any(d.file == f"sops/{path.name}" for d in diags), path.name
