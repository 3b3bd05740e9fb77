"""The one way through: read → parse → model → validate → analyse.

Every host calls :func:`build` and renders from the :class:`Portal` it
returns: the MkDocs plugin (pages, nav, logger), the Markdown extension
(directives), and the ``sop`` sub-commands (text, JSON, PDF)::

    settings = Settings.from_options(options)
    portal = pipeline.build(settings, base=project_dir)
    portal.published["SOP-UMUM-001"]      # an SOP a build publishes
    portal.derived(sop).analysis          # computed once, here
    portal.diagnostics                    # parse + validation findings

Analysis (paths, cycle times, hand-offs), the bounded build-time simulation
and the audit trail are computed once per published SOP, in this stage, and
stored with it: pages, portal views, search text and exports read them.  The
portal keeps each SOP's results pickled (:func:`pack`) and loads them when a
host asks (:meth:`Portal.derived`): at 1,000 SOPs the loaded results took
48 MB for the whole build, the pickles 12 MB.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import audit, fmt, parallel
from .analysis import Analysis, Flow, SimConfig, SimResult, analyse, build_flow, simulate
from .audit import AuditEntry, git_head, preload, trail
from .cache import MISSING, NO_CACHE, UNREADABLE, Cache, open_cache, scratch_cache, text_hash
from .cache import key as cache_key
from .checks import validate
from .corpus import load_corpus
from .guard import guarded
from .i18n import msg
from .model import Corpus, Diagnostic, Role, Sop
from .publish import published
from .settings import Settings
from .signing import Verdict, approval_key, signature_status


@dataclass
class Derived:
    """What the analyse stage computed for one SOP."""

    flow: Flow
    analysis: Analysis
    simulation: SimResult | None = None  # None: disabled, or no finite expected cycle time
    audit: list[AuditEntry] = field(default_factory=list)
    approvals: dict[Role, Verdict] | None = None  # the approval state per role (None: the stage failed)


@dataclass
class Portal:
    """A loaded, validated and analysed SOP tree: what every host renders from."""

    settings: Settings
    corpus: Corpus
    diagnostics: list[Diagnostic]
    published: dict[str, Sop]  # by id, in file order
    derived_by_path: dict[str, Derived | bytes] = field(default_factory=dict)  # bytes: pickled (pack)
    extras: dict[str, Any] = field(default_factory=dict)  # per-SOP results of build(extra=...), by path
    analyses: int = 0  # how many SOPs the analyse stage computed in this build (tests count it)
    cache: Cache = field(default=NO_CACHE, repr=False)
    keys: dict[str, str] = field(default_factory=dict, repr=False)  # cache key of each published SOP, by path
    view_keys: dict[str, str] = field(default_factory=dict, repr=False)  # what the views can show of each (_keys)
    broken: dict[str, Diagnostic] = field(default_factory=dict)  # path -> SOP900: a stage failed for it
    _everything: dict[int, tuple[int, str]] = field(default_factory=dict, repr=False)  # stamp() of all, by keys
    _by_file: tuple[Any, dict[str, list[Diagnostic]]] = field(default=(None, {}), repr=False)
    _loaded: dict[str, tuple[bytes, Derived]] = field(default_factory=dict, repr=False)  # the last few (derived)

    @classmethod
    def of(cls, corpus: Corpus, settings: Settings | None = None, diagnostics: list[Diagnostic] | None = None) -> Portal:
        """A portal over an already loaded corpus (validated now unless ``diagnostics`` are given)."""
        settings = settings or Settings()
        broken: dict[str, Diagnostic] = {}
        if diagnostics is None:
            diagnostics, broken = validated(corpus, settings)
        return cls(settings=settings, corpus=corpus, diagnostics=diagnostics,
                   published={s.id: s for s in published(corpus, settings) if s.id}, broken=broken)

    def derived(self, sop: Sop) -> Derived:
        """The analyse stage's results for ``sop`` (computed now for an SOP outside the published set)."""
        found = self.derived_by_path.get(sop.path)
        if isinstance(found, bytes):
            return self._load(sop, found)
        if found is None:
            found, failed = derive_guarded(sop, self.corpus, self.settings)
            if failed is not None:
                self.mark_broken(failed)
            self.derived_by_path[sop.path] = found
            self.analyses += 1
        return found

    def _load(self, sop: Sop, packed: bytes) -> Derived:
        """``sop``'s pickled results, loaded; the last :data:`LOADED` stay loaded (a page asks
        several times in a row).  An entry of the cache folder that does not load (damaged)
        is computed again, and stored again."""
        last = self._loaded.get(sop.path)
        if last is not None and last[0] is packed:
            return last[1]
        try:
            derived = pickle.loads(packed)
            derived.flow.attach(sop)
        except UNREADABLE:
            del self.derived_by_path[sop.path]
            derived = self.derived(sop)
            if sop.path not in self.broken:
                packed = self.derived_by_path[sop.path] = pack(derived)
                self.cache.put_pickled("derived", self.keys.get(sop.path, ""), packed)
        if len(self._loaded) >= LOADED:
            del self._loaded[next(iter(self._loaded))]
        self._loaded[sop.path] = (packed, derived)
        return derived

    def extra(self, sop: Sop) -> Any:
        """The result of ``build(extra=...)`` for ``sop`` (its rendered page), from memory or the
        cache; ``None`` when there is none (the host renders it then)."""
        found = self.extras.get(sop.path)
        if found is None and sop.path in self.keys:
            hit = self.cache.get("page", self.keys[sop.path])
            found = None if hit is MISSING else hit
        return found

    def approvals(self, sop: Sop) -> dict[Role, Verdict]:
        """The approval state of each role, from the analyse stage (computed once per SOP)."""
        found = self.derived(sop).approvals
        return found if found is not None else signature_status(sop, self.corpus.root, self.settings.signers_anchor)

    def stamp(self, sop: Sop | None = None) -> str:
        """What ``sop``'s results depend on (its cache key); without ``sop``, what any SOP's do.
        "" without a cache (:func:`build` gives a portal one for the build)."""
        return self._stamp(self.keys, sop)

    def view_stamp(self, sop: Sop | None = None) -> str:
        """What the portal's views (lists of SOPs, units, roles, documents) can show of ``sop``:
        as :meth:`stamp`, without the free text around its procedure (:func:`listed_text`)."""
        return self._stamp(self.view_keys, sop)

    def _stamp(self, keys: dict[str, str], sop: Sop | None) -> str:
        if sop is not None:
            return keys.get(sop.path, "")
        if not keys:
            return ""
        found = self._everything.get(id(keys))
        if found is None or found[0] != len(keys):  # the keys are set once per build: hash them once
            found = self._everything[id(keys)] = (len(keys), cache_key(sorted(keys.items())))
        return found[1]

    def mark_broken(self, failed: Diagnostic) -> None:
        """A stage failed for one SOP (SOP900): report it; its page becomes an error page."""
        if failed.file not in self.broken:
            self.broken[failed.file] = failed
            self.diagnostics.append(failed)

    def diagnostics_for(self, sop: Sop) -> list[Diagnostic]:
        """``sop``'s findings (pages and views ask for every SOP: an index by file, rebuilt when
        findings were added)."""
        version = (id(self.diagnostics), len(self.diagnostics))
        if self._by_file[0] != version:
            by_file: dict[str, list[Diagnostic]] = {}
            for d in self.diagnostics:
                by_file.setdefault(d.file, []).append(d)
            self._by_file = (version, by_file)
        return list(self._by_file[1].get(sop.path, ()))


LOADED = 4  # analyses a portal keeps loaded (Portal.derived)


def pack(derived: Derived) -> bytes:
    """``derived`` as the portal keeps it, the build cache stores it and a worker sends it back:
    pickled, without its SOP (:meth:`~sop_plugin.analysis.Flow.attach` gives it back)."""
    return pickle.dumps(derived, protocol=pickle.HIGHEST_PROTOCOL)


def validated(corpus: Corpus, settings: Settings) -> tuple[list[Diagnostic], dict[str, Diagnostic]]:
    """:func:`~sop_plugin.checks.validate` behind the catch point: ``(diagnostics, broken)``.

    If a check fails on the corpus, each SOP is checked alone to find the one(s)
    that make it fail; those get an ``SOP900`` error (``broken``: path -> it) and
    the rest is checked again without them.  A failure no single SOP causes is
    reported once, on the units file (or the folder), with the parse findings.
    """
    found, failed = guarded(corpus.units_path or corpus.root, 1, msg("diag.guard.stage_checking_sops"), validate, corpus,
                            settings)
    if failed is None:
        return found, {}
    broken: dict[str, Diagnostic] = {}
    for sop in corpus.sops:
        _, alone = guarded(sop.path, 1, msg("diag.guard.stage_checking_sop"), validate, replace(corpus, sops=[sop]), settings)
        if alone is not None:
            broken[sop.path] = alone
    rest = replace(corpus, sops=[s for s in corpus.sops if s.path not in broken])
    found, failed = guarded(corpus.units_path or corpus.root, 1, msg("diag.guard.stage_checking_sops"), validate, rest,
                            settings)
    if failed is not None:
        found = [*rest.all_diagnostics(), failed]
    for sop in corpus.sops:
        if sop.path in broken:
            found.extend([*sop.diagnostics, broken[sop.path]])
    found.sort(key=lambda d: (d.file, d.line, d.column, d.code))
    return found, broken


def load(settings: Settings, base: Path | None = None, *, root: Path | None = None,
         files: list[Path] | None = None) -> Portal:
    """Read, parse and validate (no analysis): what ``sop lint`` needs.

    ``root``: the SOP folder (default: ``settings.sops_dir`` below ``base``);
    ``base``: the project folder, paths in diagnostics are relative to it
    (default: the current directory).
    """
    base = (base or Path.cwd())
    root = root if root is not None else base / settings.sops_dir
    store = open_cache(settings.cache_dir, base)
    portal = Portal.of(load_corpus(root, settings, files=files, display_base=base, cache=store), settings)
    portal.cache = store
    return portal


PerSop = Callable[[Portal, Sop], Any]


def build(settings: Settings, base: Path | None = None, *, root: Path | None = None,
          extra: PerSop | None = None) -> Portal:
    """Load, validate and analyse every published SOP once.

    ``extra(portal, sop)`` (e.g. rendering the SOP's page) runs beside the
    analysis, in the same worker, and its result is kept in
    ``portal.extras[sop.path]``; both are cached by content hash.  Without the
    persistent cache, ``extra``'s results wait on disk in one for this build
    (:func:`~sop_plugin.cache.scratch_cache`).
    """
    portal = load(settings, base, root=root)
    if extra is not None and portal.cache.folder is None:
        portal.cache = scratch_cache()
    analyse_all(portal, extra)
    fmt.forget_hyphenation()  # the pages are rendered: the views and the host do not hyphenate
    return portal


def analyse_all(portal: Portal, extra: PerSop | None = None) -> None:
    """The analyse stage for every published SOP: from the cache, else on all cores.

    With the cache on, each worker stores what it computed itself, and the
    results of ``extra`` (rendered pages, the bulk) stay on disk until a host
    asks for them (:meth:`Portal.extra`): a portal of thousands of SOPs does
    not hold every page in memory at once.
    """
    global _JOB
    settings = portal.settings
    portal.keys, portal.view_keys = _keys(portal, extra is not None)
    keys = portal.keys
    todo: list[Sop] = []
    kept: dict[str, tuple[Sop, bytes]] = {}
    for sop in portal.published.values():
        if sop.path in portal.broken:  # its check failed: an error page, no analysis
            portal.derived_by_path[sop.path] = _nothing_derived(sop)
            continue
        key = keys.get(sop.path, "")
        last = _derived.get(key) if key else None
        if last is not None and last[0] is sop:  # the parse memo handed back the same SOP
            hit = last[1]
        else:
            hit = portal.cache.get_pickled("derived", key)  # loaded when asked for (Portal.derived)
            if hit is MISSING:
                todo.append(sop)
                continue
        portal.derived_by_path[sop.path] = hit
        if key:
            kept[key] = (sop, hit)
    if todo and settings.audit_git and portal.corpus.root:
        preload(portal.corpus.root)  # one git log for the folder, inherited by the workers
    _JOB = (portal, extra)
    try:
        results = parallel.run(_analyse_job, todo, settings.workers)
    finally:
        _JOB = None
    for sop, (packed, value, failed) in zip(todo, results):
        portal.derived_by_path[sop.path] = packed
        portal.analyses += 1
        if failed is not None:  # not cached: the next build tries again
            portal.mark_broken(failed)
            continue
        if value is not None:
            portal.extras[sop.path] = value
        if keys.get(sop.path):
            kept[keys[sop.path]] = (sop, packed)
    _derived.clear()
    _derived.update(kept)


# the analyses of the last build (pickled: pack) by cache key, with the SOP each belongs to: a rebuild in
# the same process (`mkdocs serve`) takes them as they are for the SOPs the parse memo handed back
# (an unchanged file), instead of reading every SOP's analysis from the cache folder again
_derived: dict[str, tuple[Sop, bytes]] = {}


def forget() -> None:
    """Forget the SOPs this process remembers between builds, and give their memory back.

    A server rebuilds in one process and reads again only what changed, thanks to these
    memos (parsed files, analyses, git histories, covered contents, ``sops.json`` records,
    formatted quantities and links: :mod:`sop_plugin.memo`).  A host
    that has used its portal for the last time in a build (``mkdocs build``, once every
    page is converted, before the search indexer starts) drops its own references and
    calls this: the SOPs' memory goes back to the system (:func:`parallel.release`) instead
    of adding to the indexer's.
    """
    from . import corpus, export, memo
    from .diff import history
    from .signing import digest

    _derived.clear()
    memo.forget_all()
    corpus.clear_cache()
    audit.clear_cache()
    history.clear_cache()
    digest.clear_cache()
    export.clear_cache()
    parallel.release()


_JOB: tuple[Portal, PerSop | None] | None = None  # what the workers of analyse_all read (fork)


def _analyse_job(sop: Sop) -> tuple[bytes, Any, Diagnostic | None]:
    """Analyse (and with ``extra``, render) one SOP; a failure is returned as SOP900, never raised.

    The analysis is returned pickled (:func:`pack`).  What could be stored in the cache is
    stored here, and ``extra``'s result is then not returned (``None``): the host reads it
    from the cache when it needs it.
    """
    assert _JOB is not None
    portal, extra = _JOB
    derived, failed = derive_guarded(sop, portal.corpus, portal.settings)
    portal.derived_by_path[sop.path] = derived
    value = None
    if extra is not None and failed is None:
        value, failed = guarded(sop.path, 1, msg("diag.guard.stage_rendering_page"), extra, portal, sop)
    del portal.derived_by_path[sop.path]  # extra has read it: a worker keeps none of its analyses
    key = portal.keys.get(sop.path, "")
    store = portal.cache
    packed = pack(derived)
    # a scratch cache is for this build's pages: the analysis goes back to the build anyway
    if failed is None and (not store.persistent or store.put_pickled("derived", key, packed)):
        if extra is not None and store.put("page", key, value):
            value = None
    return packed, value, failed


def derive_guarded(sop: Sop, corpus: Corpus, settings: Settings) -> tuple[Derived, Diagnostic | None]:
    """:func:`derive` behind the catch point: on a failure, an empty result and its SOP900."""
    derived, failed = guarded(sop.path, sop.procedure.line if sop.procedure else 1, msg("diag.guard.stage_analysing"),
                              derive, sop, corpus, settings)
    return (derived, None) if failed is None else (_nothing_derived(sop), failed)


def _nothing_derived(sop: Sop) -> Derived:
    """What views see of an SOP whose analysis failed: no steps analysed."""
    return Derived(flow=Flow(sop=sop, steps={}, edges={}, reachable=[]), analysis=Analysis(sop_id=sop.id, steps=0))


def _keys(portal: Portal, with_extra: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Cache keys of the analyse stage (and, ``with_extra``, of the rendered page) per published SOP,
    and the keys of what the portal's views can show of each (:meth:`Portal.view_stamp`).

    A key covers everything the result depends on: the SOP's text and its own
    findings, the settings that change output, ``units.yml``, the id, title,
    status and unit of every SOP (links, hand-offs, placeholders), the date
    (review judgements), the git commit the audit trail reads, and the
    approval states (signatures files, signers registry, trust anchor).  A view
    key has the same, with only the part of the text a view can show (:func:`listed_text`).
    """
    if portal.cache.folder is None:
        return {}, {}
    settings = portal.settings
    corpus = portal.corpus
    shared = cache_key(
        settings.output_key(), settings.now().isoformat(), with_extra,
        sorted(corpus.units.items()),
        [(s.path, s.id, s.title, s.status, s.unit, s.confidential, s.version) for s in corpus.sops],
        git_head(corpus.root) if settings.audit_git else "")
    found: dict[str, list[Diagnostic]] = {}
    for d in portal.diagnostics:
        found.setdefault(d.file, []).append(d)
    keys: dict[str, str] = {}
    view_keys: dict[str, str] = {}
    for sop in portal.published.values():
        own = (sop.path, sop.source, found.get(sop.path, []), approval_key(sop, corpus.root, settings.signers_anchor))
        keys[sop.path] = cache_key(shared, text_hash(sop.text), *own)
        view_keys[sop.path] = cache_key(shared, "views", text_hash(listed_text(sop)), *own)
    return keys, view_keys


def listed_text(sop: Sop) -> str:
    """What of an SOP's file the portal's views can show: its front matter and its procedure, not
    the free text around them (purpose, scope, definitions, references), which only its own page
    shows.  A sentence added to a purpose, the most common edit, then renders no list again.
    The findings (which a list shows as "in repair") and the titles are in the keys apart."""
    proc = sop.procedure
    steps = sop.text.splitlines()[proc.line - 1: proc.end_line] if proc is not None else []
    return "\n".join([front_matter(sop), "\x00", *steps])


def front_matter(sop: Sop) -> str:
    """The part of an SOP's file before its body (its front matter, as written)."""
    return sop.text[: max(sop.body_start, 0)]


def varies(flow: Flow) -> bool:
    """Whether cases of this procedure can take different times (a branch or a duration range):
    otherwise the exact analysis says everything and a simulation would add one spike."""
    for n in flow.reachable:
        step = flow.steps[n]
        if len(flow.edges.get(n, ())) > 1 or (step.duration is not None and step.duration.high > step.duration.low):
            return True
    return False


def derive(sop: Sop, corpus: Corpus, settings: Settings) -> Derived:
    """The analyse stage for one SOP: analysis, bounded simulation, audit trail."""
    flow = build_flow(sop)
    a = analyse(sop, corpus, settings, flow=flow)
    sim = None
    opts = settings.simulate
    if opts.enabled and sop.steps and a.expected_minutes is not None and varies(flow):
        sim = simulate(sop, SimConfig(cases=opts.cases, seed=opts.seed), corpus, flow=flow)
    approvals = signature_status(sop, corpus.root, settings.signers_anchor)
    audit = trail(sop, corpus.root, use_git=settings.audit_git, states=approvals)
    return Derived(flow=flow, analysis=a, simulation=sim, audit=audit, approvals=approvals)
