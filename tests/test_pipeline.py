"""The one pipeline: one settings factory, analysis as a stage, a thin plugin, docs that stay true."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig

from sop_plugin import pipeline
from sop_plugin.mkdocs import plugin as plugin_module
from sop_plugin.mkdocs.config import SopPluginConfig
from sop_plugin.render import blocks
from sop_plugin.settings import DEFAULTS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sop_plugin"
GUIDE = ROOT / "docs" / "guide"


def _imports(path: Path) -> set[str]:
    """Absolute module names ``path`` imports (relative imports resolved against the package)."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
            elif node.module:
                out.add(node.module)
    return out


def _modules(*exclude: str) -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if not any(p.is_relative_to(PACKAGE / e) for e in exclude)]


def test_nothing_below_the_plugin_imports_mkdocs_and_no_site_layer_imports_the_cli():
    for path in _modules("mkdocs", "cli"):
        bad = {m for m in _imports(path) if m == "mkdocs" or m.startswith("mkdocs.")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    for path in _modules("cli"):
        if path.name == "__main__.py":  # `python -m sop_plugin` is the command line
            continue
        bad = {m for m in _imports(path) if m.startswith("sop_plugin.cli")}
        assert not bad, f"{path.relative_to(ROOT)} imports the CLI: {bad}"


def test_the_export_and_the_pipeline_do_not_import_the_html_layer():
    for name in ("export.py", "pipeline.py", "links.py", "settings.py"):
        bad = {m for m in _imports(PACKAGE / name) if m.startswith("sop_plugin.render")}
        assert not bad, f"{name} imports {bad}"
    for path in (PACKAGE / "analysis").glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("sop_plugin.render", "sop_plugin.pipeline"))}
        assert not bad, f"{path.name} imports {bad}"


def test_every_registered_module_contributes():
    reg = blocks.registry()
    found: dict[str, int] = {}
    for kind in (reg.blocks.values(), reg.directives.values(), reg.page_generators.values()):
        for item in kind:
            fn = getattr(item, "render", item)
            found[fn.__module__] = found.get(fn.__module__, 0) + 1
    for name in blocks.MODULES:
        assert found.get(f"sop_plugin.render.{name}"), f"render/{name} contributes nothing"
    assert {"title", "mermaid", "sopap", "analysis", "audit"} <= set(reg.blocks)


# -- settings ---------------------------------------------------------------------------


def test_settings_factory_defaults_and_overrides():
    assert Settings.from_options({}) == DEFAULTS
    s = Settings.from_options({"lang": "en_GB", "hours_per_day": 7.5, "institution": {"name": "Univ"},
                               "simulate": {"cases": 50}, "url_prefix": "/prosedur/", "today": "2026-05-01"},
                              include_drafts=True, public=None)
    assert (s.lang, s.calendar.hours_per_day, s.calendar.days_per_week) == ("en", 7.5, 5.0)
    assert s.institution.name == "Univ" and s.simulate.cases == 50 and s.simulate.seed == 1
    assert s.url_prefix == "prosedur" and s.include_drafts and not s.public and str(s.today) == "2026-05-01"
    for bad, name in (({"review_due_days": "soon"}, "review_due_days"), ({"today": "31.12.2026"}, "today"),
                      ({"institution": "Univ"}, "institution"), ({"public": "yes"}, "public")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_options(bad)


def _documented_options() -> dict[str, str]:
    """Option -> documented default, from the options table of docs/guide/portal.md."""
    text = (GUIDE / "portal.md").read_text(encoding="utf-8")
    table = text[text.index("## Plugin options"):]
    return dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", table, re.M))


def test_every_documented_option_exists_and_validates_in_the_plugin_config(tmp_path):
    documented = _documented_options()
    declared = set(SopPluginConfig().keys())
    assert set(documented) == declared, (set(documented) ^ declared)
    # every documented option, set at once, validates with no error and no warning (as mkdocstrings' tests do)
    values = {
        "sops_dir": "sops", "lang": "en", "include_drafts": True, "public": True, "require_signed": True,
        "id_pattern": r"^SOP-\w+-\d+$", "procedure_headings": ["Prosedur"], "hours_per_day": 7.5,
        "days_per_week": 6, "review_due_days": 14, "today": "2026-05-01", "url_prefix": "prosedur",
        "institution": {"name": "Universitas", "logo": "logo.png"}, "simulate": {"enabled": False, "cases": 10,
                                                                                "seed": 3},
        "disabled_blocks": ["analysis"], "audit_git": False, "sopap_rows_per_page": 12,
        "cache_dir": ".cache/x", "workers": 2, "remote_images": True, "search_pages_per_index": 40,
        "search_max_parts": 3,
        "report_issue_url": "https://git.example.ac.id/sop/issues/new?title={id}%20v{version}%20{step}",
        "require_verified_signatures": True, "signers_anchor": "SHA256:" + "A" * 43,
    }
    missing = declared - set(values)
    assert not missing, f"add a sample value for {missing}"
    conf = SopPluginConfig()
    conf.load_dict(values)
    errors, warnings = conf.validate()
    assert errors == [] and warnings == []
    settings = Settings.from_options({k: (dict(v) if hasattr(v, "keys") else v) for k, v in conf.items()})
    assert settings.simulate.cases == 10 and settings.institution.logo == "logo.png"
    assert settings.sopap_rows_per_page == 12 and not settings.audit_git and settings.search_pages_per_index == 40
    assert settings.search_max_parts == 3
    assert settings.require_verified_signatures and settings.signers_anchor == "SHA256:" + "A" * 43


def test_every_directive_named_in_the_guide_exists():
    names = blocks.directives()
    text = "\n".join(p.read_text(encoding="utf-8") for p in [*GUIDE.rglob("*.md"), ROOT / "docs" / "index.md"])
    named = set(re.findall(r"::: (sop-[a-z-]+)", text))
    assert named and named <= set(names), named - set(names)


# -- analysis is a stage ----------------------------------------------------------------------


def test_one_analysis_per_published_sop_per_build(tmp_path, monkeypatch):
    """A full in-process build of the bundled portal analyses each published SOP exactly once,
    and holds none of them while Pagefind indexes the site: their memory would add to Pagefind's."""
    import gc
    import subprocess

    from mkdocs.commands.build import build

    from sop_plugin.analysis import core
    from sop_plugin.model import Sop

    held: list[int] = []  # SOPs and analyses alive in the build when Pagefind starts
    popen = subprocess.Popen

    def starting(cmd, *args, **kwargs):
        if Path(str(cmd[0])).name.startswith("pagefind"):
            gc.unfreeze()  # a settled object is alive too (the build ends by unsettling anyway)
            gc.collect()
            held.append(sum(type(o) in (Sop, pipeline.Derived) for o in gc.get_objects()))
        return popen(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", starting)

    calls: list[str] = []
    real = core.analyse

    def counting(sop, *args, **kwargs):
        calls.append(sop.path)
        return real(sop, *args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", counting)
    monkeypatch.setattr(core, "analyse", counting)
    built: list[tuple[list[str], int]] = []  # (published SOPs, analyses) of each portal the plugin built

    def building(*args, **kwargs):
        portal = pipeline.build(*args, **kwargs)
        built.append((sorted(s.path for s in portal.published.values()), portal.analyses))
        return portal

    monkeypatch.setattr(plugin_module, "build", building)
    monkeypatch.chdir(ROOT)
    config = MkDocsConfig(config_file_path=str(ROOT / "mkdocs.yml"))
    config.load_file(open(ROOT / "mkdocs.yml", encoding="utf-8"))
    config.load_dict({"site_dir": str(tmp_path / "site")})
    errors, _ = config.validate()
    assert not errors
    config.plugins["sop"].config["cache_dir"] = ""  # count the work, not the cache's hits
    config.plugins["sop"].config["workers"] = 1  # in this process, where the calls are counted
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    [(published, analyses)] = built
    assert sorted(calls) == published
    assert analyses == len(published) > 10
    assert (tmp_path / "site" / "sops.json").is_file()
    assert held == [0]
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").is_file()
    numbers = json.loads(next((tmp_path / "site" / "pagefind" / "sop-numbers").glob("*.json")).read_text("utf-8"))
    assert numbers and all(url for forms in numbers.values() for url, _, _ in forms)


def test_parsed_sops_are_remembered_for_one_tree(tmp_path):
    """`mkdocs serve` reparses only saved files; an edited SOP's old model is not kept for ever."""
    from sop_plugin import corpus as corpus_module
    from conftest import copy_portal

    root = copy_portal(tmp_path / "portal") / "sops"
    files = sorted(root.rglob("*.md"))
    first = corpus_module.load_corpus(root, Settings())
    for round_ in range(3):
        files[0].write_text(files[0].read_text(encoding="utf-8") + f"\n<!-- edit {round_} -->\n", encoding="utf-8")
        again = corpus_module.load_corpus(root, Settings())
        assert len(corpus_module._cache) == len(files)
        # the files not edited were not parsed again
        assert [a is b for a, b in zip(first.sops, again.sops)].count(False) == 1
    corpus_module.clear_cache()


def test_a_rebuild_in_the_same_process_reuses_the_unchanged_analyses(tmp_path):
    """`mkdocs serve`: after one SOP is saved, the rebuild analyses that SOP and takes the others'
    analyses as the last build left them (neither recomputed nor read from the cache folder)."""
    from conftest import copy_portal

    project = copy_portal(tmp_path / "portal")
    settings = Settings.from_options({"cache_dir": ".cache/sop", "workers": 1})
    first = pipeline.build(settings, project)
    again = pipeline.build(settings, project)
    assert again.analyses == 0 and again.cache.hits == 0
    assert all(again.derived_by_path[p] is d for p, d in first.derived_by_path.items() if p not in first.broken)
    edited = next(iter(first.published.values())).path
    path = project / edited
    path.write_text(path.read_text(encoding="utf-8").replace("## Prosedur", "Catatan.\n\n## Prosedur", 1),
                    encoding="utf-8")
    third = pipeline.build(settings, project)
    assert third.analyses == 1
    changed = [p for p, d in third.derived_by_path.items() if d is not again.derived_by_path.get(p)]
    assert changed == [edited]
    pipeline.forget()  # a build that is done with its portal: the next one reads the cache folder
    fourth = pipeline.build(settings, project)
    assert fourth.analyses == 0 and fourth.cache.hits >= len(fourth.published)


def test_a_worker_keeps_nothing_of_the_sops_it_analysed(tmp_path, monkeypatch):
    """Each worker analyses hundreds of SOPs in a 1,000-SOP portal: what it computed goes back
    to the build, and its copy of the portal is left as it was (it grew by every analysis)."""
    from conftest import copy_portal

    project = copy_portal(tmp_path / "portal")
    portal = pipeline.build(Settings.from_options({"workers": 1, "cache_dir": ""}), project)
    sop = next(iter(portal.published.values()))
    del portal.derived_by_path[sop.path]
    rendered = []
    monkeypatch.setattr(pipeline, "_JOB", (portal, lambda p, s: rendered.append(p.derived(s)) or "page"))
    packed, value, failed = pipeline._analyse_job(sop)
    assert failed is None and value == "page" and len(rendered) == 1
    assert pickle.loads(packed).analysis == rendered[0].analysis  # what goes back is what the page saw
    assert sop.path not in portal.derived_by_path


def test_the_portal_keeps_analyses_pickled_and_loads_them_when_asked(tmp_path):
    """At 1,000 SOPs the loaded analyses took 48 MB for the whole build; pickled, 12 MB.  What a
    host gets is the analysis of that SOP, with its steps, whether it was computed by a worker
    in this build or read from the cache folder."""
    from conftest import copy_portal

    project = copy_portal(tmp_path / "portal")
    settings = Settings.from_options({"cache_dir": ".cache/sop", "workers": 2})
    cold = pipeline.build(settings, project)
    pipeline.forget()
    warm = pipeline.build(settings, project)
    assert cold.analyses == len(cold.published) and warm.analyses == 0
    for portal in (cold, warm):
        kept = {p: d for p, d in portal.derived_by_path.items() if p not in portal.broken}
        assert kept and all(isinstance(d, bytes) for d in kept.values())
    for sop in cold.published.values():
        if sop.path in cold.broken:
            continue
        a, b = cold.derived(sop), warm.derived(warm.corpus.by_path()[sop.path])
        assert a.analysis == b.analysis and a.analysis.sop_id == sop.id
        assert a.flow.sop is sop and [s.number for s in a.flow.steps.values()] == [s.number for s in sop.steps]
        assert cold.derived(sop) is a  # asked again in a row: loaded once
    assert warm.analyses == 0


def test_a_host_done_with_its_portal_leaves_no_memo_filled(tmp_path):
    """Formatted quantities, links and rendered step texts are remembered while pages are
    rendered; once the host lets go of the portal (before the search indexer starts) they go too."""
    from conftest import copy_portal
    from sop_plugin import fmt, links, memo
    from sop_plugin.render.page import page_parts

    project = copy_portal(tmp_path / "portal")
    portal = pipeline.build(Settings.from_options({"workers": 1, "cache_dir": ""}), project, extra=page_parts)
    filled = [m for m in memo._MEMOS if m.cache_info().currsize]
    assert {fmt.unit, links._relative} <= set(filled)  # rendering the pages filled them
    # the SOP-AP tables hyphenated their actors, and the patterns went as soon as the pages were rendered
    assert any(fmt.SOFT_HYPHEN in part.text for sop in portal.published.values()
               for part in (portal.extra(sop) or ()))
    assert fmt.hyphenate not in filled and fmt._hyphenator not in filled
    del portal
    pipeline.forget()
    assert all(m.cache_info().currsize == 0 for m in memo._MEMOS)
    assert fmt.unit(2, "day", "id") == "2 hari"  # and they fill again


def test_a_damaged_analysis_in_the_cache_folder_is_computed_again_and_stored_again(tmp_path):
    from conftest import copy_portal

    project = copy_portal(tmp_path / "portal")
    settings = Settings.from_options({"cache_dir": ".cache/sop", "workers": 1})
    first = pipeline.build(settings, project)
    sop = next(s for s in first.published.values() if s.path not in first.broken and s.steps)
    expected = first.derived(sop).analysis
    entry = project / ".cache" / "sop" / "derived" / first.keys[sop.path][:2] / f"{first.keys[sop.path]}.pickle"
    entry.write_bytes(entry.read_bytes()[:40])  # cut short, as by a full disk
    pipeline.forget()
    again = pipeline.build(settings, project)
    assert again.analyses == 0  # read from the folder (damaged or not, it is found out when loaded)
    assert again.derived(again.corpus.by_path()[sop.path]).analysis == expected
    assert again.analyses == 1 and sop.path not in again.broken
    assert pickle.loads(entry.read_bytes()).analysis == expected


def test_without_the_cache_rendered_pages_wait_on_disk_for_the_build_and_are_gone_after(tmp_path):
    """``cache_dir: ""``: at 1,000 SOPs, every rendered page and view held in memory took the
    build from 311 MB to 529 MB.  They wait in a temporary folder instead, which goes with
    the portal; nothing is written to the project."""
    import gc

    from conftest import copy_portal
    from sop_plugin.render.page import page_parts

    project = copy_portal(tmp_path / "portal")
    portal = pipeline.build(Settings.from_options({"workers": 2, "cache_dir": ""}), project, extra=page_parts)
    folder = portal.cache.folder
    assert folder is not None and not portal.cache.persistent and project not in folder.parents
    assert portal.extras == {} and len(list((folder / "page").rglob("*.pickle"))) == len(portal.published)
    assert not (folder / "derived").exists()  # the analyses came back to the build: no later build reads them
    assert all(portal.extra(sop) is not None for sop in portal.published.values())  # read back when asked
    assert portal.analyses == len(portal.published) and portal.cache.hits == len(portal.published)
    assert not (project / ".cache").exists()
    del portal
    pipeline.forget()
    gc.collect()
    assert not folder.exists()


# -- cache and workers never change the output -------------------------------------------------


def _project_copy(dest: Path, **options: object) -> Path:
    import yaml
    from conftest import copy_portal

    copy_portal(dest)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    extra = "".join(f"      {k}: {yaml.safe_dump(v).strip().removesuffix('...').strip()}\n" for k, v in options.items())
    assert "  - sop:\n" in text
    (dest / "mkdocs.yml").write_text(text.replace("  - sop:\n", "  - sop:\n" + extra, 1), encoding="utf-8")
    return dest


def _site_files(site: Path) -> dict[str, bytes]:
    """Every built file's bytes, the search index included."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_output_is_identical_with_one_or_two_workers_and_with_or_without_the_cache(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600", NO_MKDOCS_2_WARNING="1")
    sites = {}
    # the search index in parts, as a large portal's is
    cold = _project_copy(tmp_path / "cached", workers=2, search_pages_per_index=20)
    plain = _project_copy(tmp_path / "plain", workers=1, cache_dir="", search_pages_per_index=20)

    def build(name: str, project: Path) -> tuple[int, int, int]:
        site = tmp_path / f"site-{name}"
        res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(site)], cwd=project,
                             env=env, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        sites[name] = _site_files(site)
        count = re.search(r"(\d+) SOPs published: (\d+) analysed and rendered, (\d+) from the cache", res.stderr)
        assert count, res.stderr[-2000:]
        return tuple(map(int, count.groups()))  # type: ignore[return-value]

    for name, project in (("plain", plain), ("cold", cold), ("warm", cold)):
        published, computed, cached = build(name, project)
        assert (computed, cached) == ((0, published) if name == "warm" else (published, 0)), name
    assert (cold / ".cache" / "sop" / "derived").is_dir() and not (plain / ".cache").exists()
    assert sites["plain"].keys() == sites["cold"].keys() == sites["warm"].keys()
    assert sum(rel.startswith("pagefind/filter/") for rel in sites["plain"]) == 4  # the search index too
    assert "pagefind/part-3/pagefind-entry.json" in sites["plain"]
    for rel in sites["plain"]:
        assert sites["plain"][rel] == sites["cold"][rel] == sites["warm"][rel], rel
    # never stale: after an edit (a sentence; a step now also produces a document listed already;
    # a sentence in an unsigned SOP, whose views come from the cache), the build that reads the
    # cache writes what a build without one writes
    for project in (plain, cold):
        edited = project / "sops" / "biro-umum" / "peminjaman-ruang.md"
        text = edited.read_text(encoding="utf-8")
        assert text.count("- output: Tawaran alternatif\n") == 1
        edited.write_text(text.replace("## Tujuan", "## Tujuan\n\nKalimat baru.", 1)
                          .replace("- output: Tawaran alternatif\n",
                                   "- output: Tawaran alternatif; Jadwal penggunaan ruang\n"), encoding="utf-8")
        unsigned = project / "sops" / "biro-umum" / "permintaan-persediaan-manual.md"
        unsigned.write_text(unsigned.read_text(encoding="utf-8").replace("## Tujuan\n", "## Tujuan\n\nKalimat baru.\n", 1),
                            encoding="utf-8")
    build("edited-plain", plain)
    assert build("edited-warm", cold)[1] == 2  # the edited SOPs, the others from the cache
    assert sites["edited-plain"].keys() == sites["edited-warm"].keys()
    assert sites["edited-warm"]["dokumen/index.html"] != sites["warm"]["dokumen/index.html"]
    for rel in sites["edited-plain"]:
        assert sites["edited-plain"][rel] == sites["edited-warm"][rel], rel


def test_dirty_rebuild_after_one_edit_touches_that_sop_and_the_views_only(tmp_path):
    """The author loop: `mkdocs serve --dirty` (here `build --dirty`) rebuilds what an edit changed."""
    import os
    import subprocess
    import sys

    project = _project_copy(tmp_path / "p")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")

    def build(*flags: str) -> None:
        res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", *flags], cwd=project, env=env,
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]

    build("--dirty")  # as `mkdocs serve --dirty` does from its first build on
    site = project / "site"
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}
    sop_pages = sorted(p for p in pages if p.parent.parent.name == "sop" and not p.parent.name.endswith("-monev"))
    assert len(sop_pages) > 5
    edited = project / "sops" / "biro-umum" / "peminjaman-ruang.md"
    text = edited.read_text(encoding="utf-8")
    first_section = re.search(r"^## .+$", text.split("---", 2)[2], re.M).group(0)
    edited.write_text(text.replace(first_section, first_section + "\n\nKalimat baru untuk uji.", 1), encoding="utf-8")
    build("--dirty")
    changed = {p for p in pages if p.stat().st_mtime_ns != pages[p]}
    mine = [p for p in sop_pages if "Kalimat baru untuk uji." in p.read_text(encoding="utf-8")]
    assert len(mine) == 1 and mine[0] in changed
    untouched = [p for p in sop_pages if p not in changed]
    assert len(untouched) == len(sop_pages) - 1  # every other SOP's page was left as it was
    assert site / "index.html" in changed  # the home page (docs/index.md, ::: sop-home) shows the SOPs
    # views: only those that show the edited SOP (its unit, the roles acting in it) are rebuilt
    for family in ("peran", "unit"):
        views = sorted(p for p in pages if p.parent.parent.name == family)
        rebuilt = [p for p in views if p in changed]
        assert rebuilt and len(rebuilt) < len(views), family
        assert all("SOP-UMUM-004" in p.read_text(encoding="utf-8") for p in rebuilt), family
    # the search index still has every SOP page: the ones not rebuilt are read back from the site
    from test_search import fragments

    indexed = {f["url"]: f["content"] for f in fragments(site)}
    assert {f"/sop/{p.parent.name}/" for p in sop_pages} <= set(indexed)
    assert "Kalimat baru untuk uji." in indexed[f"/sop/{mine[0].parent.name}/"]


def test_a_full_build_deletes_cache_entries_no_build_used_for_a_week(tmp_path):
    """The cache does not grow without end: reading an entry marks it used; `mkdocs build` deletes
    what no build used for KEEP_DAYS (entries of edited SOPs, of older code)."""
    import os
    import subprocess
    import sys
    import time

    from sop_plugin.cache import KEEP_DAYS

    project = _project_copy(tmp_path / "p")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")

    def build() -> str:
        res = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stderr

    build()
    cache = project / ".cache" / "sop"
    used = sorted(cache.glob("*/*/*.pickle"))
    assert {p.parent.parent.name for p in used} == {"parse", "derived", "page", "views"}
    week_ago = time.time() - (KEEP_DAYS + 1) * 86400
    for p in used:  # as if the last build was more than a week ago
        os.utime(p, (week_ago, week_ago))
    stale = cache / "parse" / "ab" / ("ab" + "0" * 62 + ".pickle")  # an entry no build reads any more
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    os.utime(stale, (week_ago, week_ago))
    log = build()
    assert re.search(r"0 analysed and rendered, \d+ from the cache", log), log[-2000:]
    assert not stale.exists() and "deleted 1 cache entries" in log
    assert all(p.is_file() and p.stat().st_mtime > week_ago + 86400 for p in used)  # read, so kept


def test_simulation_runs_only_where_cases_can_differ():
    from sop_plugin.model import Corpus
    from sop_plugin.parsing import parse_sop

    def sop(second: str) -> object:
        text = ("---\nid: SOP-X-001\ntitle: Uji\nunit: u\nstatus: draft\n---\n\n## Prosedur\n\n"
                "1. Menerima berkas.\n    - pelaksana: Staf\n    - waktu: 1 jam\n\n"
                f"2. Memeriksa berkas.\n    - pelaksana: Kepala\n    - waktu: {second}\n")
        return parse_sop("a.md", text)

    fixed, ranged = sop("2 jam"), sop("1-2 jam")
    for s, simulated in ((fixed, False), (ranged, True)):
        d = pipeline.derive(s, Corpus(root=".", sops=[s]), Settings())
        assert d.analysis.expected_minutes is not None
        assert (d.simulation is not None) is simulated
    assert pipeline.derive(fixed, Corpus(root=".", sops=[fixed]), Settings()).analysis.expected_minutes == 180


def test_views_are_rendered_ahead_once_and_again_only_where_an_edit_shows(tmp_path):
    """The portal views come from the cache unless an SOP they read changed (render.prerender)."""
    from conftest import copy_portal

    from sop_plugin.render import prerender as pre
    from sop_plugin.render.context import RenderContext
    from sop_plugin.render.site import generated_pages

    project = copy_portal(tmp_path / "p")
    settings = Settings.from_options({"sops_dir": "sops", "today": "2026-06-01", "audit_git": False})

    def views() -> tuple[RenderContext, list, pre.Prerendered]:
        ctx = RenderContext.of(pipeline.build(settings, project))
        pages = generated_pages(ctx)
        return ctx, pages, pre.prerender(ctx, pages, workers=1)

    ctx, pages, first = views()
    jobs = [(p.src_path, name, arg) for p in pages for name, arg in pre.views_of(p)]
    assert first.rendered == len(jobs) > 20
    # what the host gets equals what the directive renders on that page
    some = next(j for j in jobs if j[1] == "sop-role")
    ctx.links.locate(some[0])
    assert first.take(*some) == blocks.directives()["sop-role"](some[2], ctx)
    assert first.take(*some) is None  # once

    assert views()[2].rendered == 0
    edited = project / "sops" / "biro-umum" / "peminjaman-ruang.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("## Tujuan", "## Tujuan\n\nKalimat baru.", 1),
                      encoding="utf-8")
    _, _, again = views()
    names = {name for _, name, _ in jobs}
    assert {"sop-role", "sop-unit", "sop-monev-form"} <= names
    assert 0 < again.rendered < len(jobs) // 2  # its unit, its roles, its form and the portal-wide views


def _prerendering(tmp_path: Path, monkeypatch):
    """The bundled portal copied to ``tmp_path``, a function that builds it and renders its views
    ahead (``(context, prerendered)``), and the list of the view jobs the last call rendered."""
    from conftest import copy_portal

    from sop_plugin.render import prerender as pre
    from sop_plugin.render.context import RenderContext
    from sop_plugin.render.site import generated_pages

    project = copy_portal(tmp_path / "p")
    settings = Settings.from_options({"sops_dir": "sops", "today": "2026-06-01", "audit_git": False})
    rendered: list[tuple[str, str, str, str]] = []
    job = pre._render_job
    monkeypatch.setattr(pre, "_render_job", lambda j: rendered.append(j) or job(j))

    def views():
        rendered.clear()
        pipeline.forget()
        ctx = RenderContext.of(pipeline.build(settings, project))
        return ctx, pre.prerender(ctx, generated_pages(ctx), workers=1)

    return project, views, rendered


def test_the_document_list_is_rendered_again_only_where_its_rows_change(tmp_path, monkeypatch):
    """A page of the document list is stamped with what it shows, not with the SOPs it names:
    a new sentence in an SOP's purpose renders none of it again; a new document in a step renders
    the page that lists it, and that page is what the directive renders from scratch."""
    project, prerendered, rendered = _prerendering(tmp_path, monkeypatch)

    def views():
        ctx, out = prerendered()
        return ctx, out, [arg for _, name, arg, _ in rendered if name == "sop-documents"]

    _, _, first = views()
    assert first  # every page of the list, once
    edited = project / "sops" / "biro-umum" / "peminjaman-ruang.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("## Tujuan", "## Tujuan\n\nKalimat baru.", 1), encoding="utf-8")
    _, again, documents = views()
    assert again.rendered > 0 and documents == []  # its unit, roles and form, not the document list
    assert "Susunan acara; Denah ruang" not in text
    edited.write_text(text.replace("Susunan acara", "Susunan acara; Denah ruang", 1), encoding="utf-8")
    ctx, third, documents = views()
    assert len(documents) == 1  # the page where "Denah ruang" is listed
    page = next(src for src, name, arg, _ in rendered if name == "sop-documents")
    ctx.links.locate(page)
    shown = third.take(page, "sop-documents", documents[0])
    assert "Denah ruang" in shown and shown == blocks.directives()["sop-documents"](documents[0], ctx)


def test_a_view_is_rendered_again_only_when_what_it_shows_of_an_sop_changes(tmp_path, monkeypatch):
    """Views show an SOP's front matter, procedure and findings, never the free text around the
    procedure: a sentence added to a purpose renders no view again (its cached views are what the
    directives render now); a changed step renders the lists that show it, and the catalogue only
    when what it lists changes (an actor, a document)."""
    project, prerendered, rendered = _prerendering(tmp_path, monkeypatch)

    def views():
        ctx, out = prerendered()
        return ctx, out, {name for _, name, _, _ in rendered}

    _, first, names = views()
    assert {"sop-catalogue", "sop-unit", "sop-monev-form"} <= names
    # retired, so published and listed; unsigned, so an edit changes no approval
    edited = project / "sops" / "biro-umum" / "permintaan-persediaan-manual.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("## Tujuan\n", "## Tujuan\n\nKalimat baru.\n", 1), encoding="utf-8")
    ctx, again, names = views()
    assert again.rendered == 0 and names == set()
    for page, name, arg in (("katalog.md", "sop-catalogue", ""), ("unit/biro-umum.md", "sop-unit", "biro-umum")):
        ctx.links.locate(page)
        assert again.take(page, name, arg) == blocks.directives()[name](arg, ctx)
    edited.write_text(text.replace("3. Memeriksa stok barang di gudang.", "3. Memeriksa stok barang di gudang utama.", 1),
                      encoding="utf-8")
    ctx, third, names = views()
    assert "sop-unit" in names and "sop-catalogue" not in names  # same actors and documents: same catalogue
    units = [arg for _, name, arg, _ in rendered if name == "sop-unit"]
    assert units == ["biro-umum"]  # the unit whose list shows the SOP, not the others
    for page, name, arg in (("katalog.md", "sop-catalogue", ""), ("unit/biro-umum.md", "sop-unit", "biro-umum")):
        ctx.links.locate(page)
        assert third.take(page, name, arg) == blocks.directives()[name](arg, ctx)
    assert "    - pelaksana: Staf Gudang\n" in text
    edited.write_text(text.replace("    - pelaksana: Staf Gudang\n", "    - pelaksana: Kepala Gudang\n", 1),
                      encoding="utf-8")
    ctx, fourth, names = views()
    assert "sop-catalogue" in names  # an actor changed: the catalogue's filters may too
    ctx.links.locate("katalog.md")
    assert fourth.take("katalog.md", "sop-catalogue", "") == blocks.directives()["sop-catalogue"]("", ctx)
    pipeline.forget()


def test_a_pickled_flow_leaves_its_sop_behind_and_gets_it_back():
    import pickle

    from sop_plugin.model import Corpus
    from sop_plugin.parsing import parse_sop

    sop = parse_sop("a.md", "---\nid: SOP-X-001\ntitle: Uji\nunit: u\nstatus: draft\n---\n\n## Prosedur\n\n"
                            "1. Menerima berkas.\n    - pelaksana: Staf\n    - waktu: 1-2 jam\n\n"
                            "2. Memeriksa berkas.\n    - pelaksana: Kepala\n    - waktu: 1 jam\n")
    derived = pipeline.derive(sop, Corpus(root=".", sops=[sop]), Settings())
    data = pickle.dumps(derived)
    assert b"Menerima berkas" not in data  # no second copy of the SOP's text
    back = pickle.loads(data)
    back.flow.attach(sop)
    assert back.flow.sop is sop and back.flow.steps == derived.flow.steps
    assert back.flow.edges == derived.flow.edges and back.analysis == derived.analysis


def test_large_fragments_wait_on_disk_and_the_pages_come_out_the_same(tmp_path, monkeypatch):
    """render.deferred: a page's large fragments leave memory between conversion and writing,
    and the written pages are byte for byte those of a build that kept them in memory."""
    from mkdocs.commands.build import build

    from sop_plugin.render import deferred

    put = deferred.Spool.put
    tokens: list[str] = []

    def counting(self, fragment: str) -> str:
        token = put(self, fragment)
        if token != fragment:
            tokens.append(token)
        return token

    monkeypatch.setattr(deferred.Spool, "put", counting)
    monkeypatch.chdir(ROOT)
    sites = {}
    for name, size in (("deferred", deferred.MIN_SIZE), ("in-memory", 10**12)):
        monkeypatch.setattr(deferred, "MIN_SIZE", size)
        config = MkDocsConfig(config_file_path=str(ROOT / "mkdocs.yml"))
        config.load_file(open(ROOT / "mkdocs.yml", encoding="utf-8"))
        config.load_dict({"site_dir": str(tmp_path / name)})
        assert not config.validate()[0]
        config.plugins["sop"].config["cache_dir"] = ""
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
        sites[name] = {p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                       for p in sorted((tmp_path / name).rglob("*.html"))}
        if name == "deferred":
            assert len(tokens) > 50  # every SOP page defers its tables and flowcharts
    assert sites["deferred"].keys() == sites["in-memory"].keys()
    for rel, data in sites["deferred"].items():
        assert b"sop-deferred-" not in data, rel
        assert data == sites["in-memory"][rel], rel


def test_a_rebuild_checks_again_only_the_sops_it_parsed_again(tmp_path, monkeypatch):
    """`mkdocs serve` re-parses only the saved file and hands the same model back for every other:
    the checks of one SOP alone are not run again for those, and the saved file's new findings show."""
    from conftest import copy_portal
    from sop_plugin import codes, paper
    from sop_plugin.checks import paper as paper_check

    project = copy_portal(tmp_path / "portal")
    settings = Settings.from_options({"workers": 1, "cache_dir": ""})
    measured: list[str] = []
    real = paper.overlong_rows
    monkeypatch.setattr(paper_check, "overlong_rows", lambda sop: measured.append(sop.path) or real(sop))
    first = pipeline.load(settings, project)
    assert sorted(measured) == sorted(s.path for s in first.corpus.sops)
    edited = project / "sops" / "biro-akademik" / "legalisir-ijazah.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("        - Tidak lengkap -> 1\n", "        - Tidak lengkap -> 19\n", 1), encoding="utf-8")
    measured.clear()
    again = pipeline.load(settings, project)
    assert measured == ["sops/biro-akademik/legalisir-ijazah.md"]
    dangling = [d for d in again.diagnostics if d.code == codes.DANGLING_TARGET.code]
    line = 1 + text.splitlines().index("        - Tidak lengkap -> 1")
    assert [(d.file, d.line) for d in dangling] == [("sops/biro-akademik/legalisir-ijazah.md", line)]
    assert not [d for d in first.diagnostics if d.code == codes.DANGLING_TARGET.code]
    # the other SOPs' findings are the ones the first build made
    same = lambda p: sorted((d.file, d.line, d.code) for d in p.diagnostics if d.file != dangling[0].file)
    assert same(first) == same(again)
    pipeline.forget()


def test_a_check_remembered_for_an_sop_goes_with_the_sop():
    import gc
    import weakref

    from sop_plugin.memo import per_sop
    from sop_plugin.model import Sop

    calls: list[str] = []

    @per_sop
    def steps_of(sop: Sop) -> tuple[str, ...]:
        calls.append(sop.path)
        return (sop.path,)

    a, b = Sop(path="a.md", text=""), Sop(path="a.md", text="")  # equal, yet two files' models
    assert steps_of(a) == steps_of(a) == ("a.md",) and calls == ["a.md"]
    assert steps_of(b) == ("a.md",) and calls == ["a.md", "a.md"]
    remembered = steps_of.__closure__  # the results live in the wrapper's closure
    results = next(c.cell_contents for c in remembered if isinstance(c.cell_contents, dict))
    assert len(results) == 2
    kept = weakref.ref(a)
    del a, b
    gc.collect()
    assert kept() is None and results == {}  # the memo kept neither the SOPs nor their results


def test_a_remembered_check_goes_quietly_while_the_interpreter_shuts_down(monkeypatch):
    """At exit Python empties the modules before their last objects die: forgetting an SOP's
    result must not need the memo module (it printed hundreds of "Exception ignored" lines)."""
    import gc
    import sys

    from sop_plugin import memo
    from sop_plugin.model import Sop

    remembered = memo.per_sop(lambda sop: (sop.path,))
    sop = Sop(path="a.md", text="")
    assert remembered(sop) == ("a.md",)
    for name in [n for n in vars(memo) if not n.startswith("__")]:
        monkeypatch.setattr(memo, name, None)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    del sop
    gc.collect()
    assert unraisable == []


def test_a_parsed_sop_holds_its_file_once_and_recurring_words_once():
    """Every process of a build holds the whole corpus (workers get it back pickled): the body
    is a slice of the file's text, and the keys, actors, documents and times that recur across
    steps and SOPs are one string each, also after a worker has sent the SOPs back."""
    import dataclasses
    import gc
    import tracemalloc

    from sop_plugin import corpus, memo
    from sop_plugin.parsing import parse_sop

    def sop(number: str) -> str:
        return (f"---\nid: SOP-X-{number}\ntitle: Uji\nunit: biro-umum\nstatus: draft\n"
                f"approvals:\n  - role: maker\n    name: Siti\n    position: Staf\n---\n\n## Tujuan\n\nUji.\n\n"
                "## Prosedur\n\n1. Menerima surat\n   - pelaksana: Staf Biro Umum\n   - kelengkapan: Surat; Formulir A\n"
                "   - waktu: 15 menit\n   - output: Surat tercatat\n")

    a, b = parse_sop("a.md", sop("001")), parse_sop("b.md", sop("002"))
    assert a.body.startswith("\n## Tujuan") and a.text.endswith(a.body) and "body" not in a.__dict__
    assert a.front_matter == {"id", "title", "unit", "status", "approvals"}
    for x, y in [pickle.loads(pickle.dumps([a, b]))[0:2], (a, b)]:  # one chunk of a worker's results
        sa, sb = x.steps[0], y.steps[0]
        assert sa.actor is sb.actor and sa.inputs[1] is sb.inputs[1] and sa.duration_text is sb.duration_text
        assert sa.output is sb.output and sa.duration is not None and sa.duration.text is sa.duration_text
        assert [k for k in sa.field_lines if k == "actor"][0] is [k for k in sb.field_lines if k == "actor"][0]
        # one Duration per time written, one tuple of field names per order of fields, no empty list per step
        assert sa.duration is sb.duration and sa.field_lines._keys is sb.field_lines._keys
        assert sa.field_lines == {"actor": 19, "inputs": 20, "duration": 21, "output": 22} == sb.field_lines
        assert sa.details == () and sb.details == ()
        assert [k for k in x.field_lines if k == "approvals.0.name"][0] is \
            [k for k in y.field_lines if k == "approvals.0.name"][0]

    # the bundled SOPs, parsed and as a worker sends them back: about 5x their text (was 8.4-8.7x)
    settings = dataclasses.replace(Settings(), workers=1, cache_dir="")
    corpus.load_corpus(ROOT / "sops", settings, display_base=ROOT)  # imports and memos warmed
    corpus.clear_cache()
    memo.forget_all()
    gc.collect()
    tracemalloc.start()
    try:
        loaded = corpus.load_corpus(ROOT / "sops", settings, display_base=ROOT)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        blob = pickle.dumps(loaded.sops)
        tracemalloc.stop()
        tracemalloc.start()
        back = pickle.loads(blob)
        gc.collect()
        sent_back = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    text = sum(len(s.text.encode()) for s in loaded.sops)
    assert len(back) == len(loaded.sops) >= 10
    # about 5.0x and 4.7x their text here since the steps keep their field lines in tuples
    assert held < 5.5 * text and sent_back < 5.5 * text, (held / text, sent_back / text)
