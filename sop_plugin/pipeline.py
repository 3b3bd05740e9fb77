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
stored with it: pages, portal views, search text and exports read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Analysis, Flow, SimConfig, SimResult, analyse, build_flow, simulate
from .audit import AuditEntry, trail
from .checks import validate
from .corpus import load_corpus
from .model import Corpus, Diagnostic, Sop
from .publish import published
from .settings import Settings


@dataclass
class Derived:
    """What the analyse stage computed for one SOP."""

    flow: Flow
    analysis: Analysis
    simulation: SimResult | None = None  # None: disabled, or no finite expected cycle time
    audit: list[AuditEntry] = field(default_factory=list)


@dataclass
class Portal:
    """A loaded, validated and analysed SOP tree: what every host renders from."""

    settings: Settings
    corpus: Corpus
    diagnostics: list[Diagnostic]
    published: dict[str, Sop]  # by id, in file order
    derived_by_path: dict[str, Derived] = field(default_factory=dict)
    analyses: int = 0  # how many SOPs the analyse stage ran for (tests count it)

    @classmethod
    def of(cls, corpus: Corpus, settings: Settings | None = None, diagnostics: list[Diagnostic] | None = None) -> Portal:
        """A portal over an already loaded corpus (validated now unless ``diagnostics`` are given)."""
        settings = settings or Settings()
        if diagnostics is None:
            diagnostics = validate(corpus, settings)
        return cls(settings=settings, corpus=corpus, diagnostics=diagnostics,
                   published={s.id: s for s in published(corpus, settings) if s.id})

    def derived(self, sop: Sop) -> Derived:
        """The analyse stage's results for ``sop`` (computed now for an SOP outside the published set)."""
        found = self.derived_by_path.get(sop.path)
        if found is None:
            found = self.derived_by_path[sop.path] = derive(sop, self.corpus, self.settings)
            self.analyses += 1
        return found

    def diagnostics_for(self, sop: Sop) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.file == sop.path]


def load(settings: Settings, base: Path | None = None, *, root: Path | None = None,
         files: list[Path] | None = None) -> Portal:
    """Read, parse and validate (no analysis): what ``sop lint`` needs.

    ``root``: the SOP folder (default: ``settings.sops_dir`` below ``base``);
    ``base``: the project folder, paths in diagnostics are relative to it
    (default: the current directory).
    """
    base = (base or Path.cwd())
    root = root if root is not None else base / settings.sops_dir
    return Portal.of(load_corpus(root, settings, files=files, display_base=base), settings)


def build(settings: Settings, base: Path | None = None, *, root: Path | None = None) -> Portal:
    """Load, validate and analyse every published SOP once."""
    portal = load(settings, base, root=root)
    for sop in portal.published.values():
        portal.derived(sop)
    return portal


def derive(sop: Sop, corpus: Corpus, settings: Settings) -> Derived:
    """The analyse stage for one SOP: analysis, bounded simulation, audit trail."""
    flow = build_flow(sop)
    a = analyse(sop, corpus, settings, flow=flow)
    sim = None
    opts = settings.simulate
    if opts.enabled and sop.steps and a.expected_minutes is not None:
        sim = simulate(sop, SimConfig(cases=opts.cases, seed=opts.seed), corpus, flow=flow)
    audit = trail(sop, corpus.root, use_git=settings.audit_git)
    return Derived(flow=flow, analysis=a, simulation=sim, audit=audit)
