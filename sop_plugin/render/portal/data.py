"""Portal queries: pure functions over the published SOPs (no HTML, no MkDocs).

Every view of the portal (home, catalogue, unit / role / document pages,
relationship graph, Monev dashboard) and the JSON export read the same
:class:`PortalIndex`, computed once per render context.  Only *published*
SOPs (see :mod:`sop_plugin.publish`) ever enter the index, so a public
build cannot leak a confidential SOP through a list, a graph or a count.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from ...lifecycle import NOT_SOCIALISED, OVERDUE, UPCOMING, DueItem, due_report, last_change, unanswered_revisions
from ...memo import memo
from ...model import Corpus, Diagnostic, Severity, Sop, Status, Step, actor_unit, sort_key
from ..context import RenderContext

# -- slugs ------------------------------------------------------------------------


def slugify(text: str) -> str:
    """ASCII slug of a name (``Kepala Biro Umum`` -> ``kepala-biro-umum``); never empty."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")
    return slug[:80] or "x"


@memo(65536)  # pure, and the same document names recur across SOPs, steps and views
def normalise_document(name: str) -> str:
    """The grouping key of a document name: case and whitespace do not matter."""
    return " ".join(name.split()).casefold().rstrip(".")


@memo(65536)
def document_name(name: str) -> str:
    """A document name as plain text (inline Markdown marks dropped, spaces collapsed)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", name)
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.split()).rstrip(".")


def actors_and_documents(sop: Sop) -> tuple[list[str], dict[str, str]]:
    """An SOP's actors (first appearance order) and documents (``{key: plain name}``, inputs and outputs).

    What the catalogue and the search filter an SOP by.
    """
    actors: list[str] = []
    documents: dict[str, str] = {}
    for st in sop.steps:
        if st.actor and st.actor not in actors:
            actors.append(st.actor)
        for name in [*st.inputs, *st.outputs]:
            plain = document_name(name)
            key = normalise_document(plain)
            if key:
                documents.setdefault(key, plain)
    return actors, documents


# -- records ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepRef:
    sop: Sop
    step: Step


@dataclass(slots=True)
class Handoff:
    """Control passes from a step of one unit's actor to a step of another unit's actor."""

    sop: Sop
    source: Step
    target: Step
    from_unit: str
    to_unit: str


@dataclass(slots=True)
class Document:
    key: str
    name: str  # the first spelling seen
    slug: str
    needed_by: list[StepRef] = field(default_factory=list)
    produced_by: list[StepRef] = field(default_factory=list)


@dataclass(slots=True)
class ActorRole:
    """An actor (pelaksana) and the steps they perform; not a signer role (:class:`sop_plugin.model.Role`)."""

    name: str
    slug: str
    unit: str | None
    steps: list[StepRef] = field(default_factory=list)

    @property
    def sops(self) -> list[Sop]:
        seen: dict[str, Sop] = {}
        for ref in self.steps:
            seen.setdefault(ref.sop.id or "", ref.sop)
        return list(seen.values())


@dataclass(frozen=True, slots=True)
class Relation:
    kind: str  # related | handover | superseded_by
    source: str
    target: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A Monev finding recommending revision that no newer version has answered."""

    sop: Sop
    date: dt.date | None
    by: str | None
    finding: str | None
    line: int


@dataclass
class PortalIndex:
    """Roles, documents and hand-offs come from the SOPs in use (published, not retired)."""

    sops: list[Sop]  # published, sorted by id
    units: dict[str, list[Sop]]  # unit key -> its published SOPs (keys of units.yml first)
    roles: dict[str, ActorRole]  # actor name -> role
    role_slugs: dict[str, str]  # actor name -> slug
    documents: list[Document]  # sorted by name
    handoffs: list[Handoff]
    relations: list[Relation]
    unit_of_actor: dict[str, str]

    @cached_property
    def handoffs_from(self) -> dict[str, list[Handoff]]:
        """Hand-offs by the unit they leave (unit pages ask per unit: no scan of all hand-offs each)."""
        return _grouped(self.handoffs, lambda h: h.from_unit)

    @cached_property
    def handoffs_to(self) -> dict[str, list[Handoff]]:
        """Hand-offs by the unit they reach."""
        return _grouped(self.handoffs, lambda h: h.to_unit)

    @cached_property
    def role_by_slug(self) -> dict[str, ActorRole]:
        return {r.slug: r for r in self.roles.values()}

    def handoff_counts(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for h in self.handoffs:
            out[(h.from_unit, h.to_unit)] = out.get((h.from_unit, h.to_unit), 0) + 1
        return out


def _grouped(items: list[Handoff], key: Callable[[Handoff], str]) -> dict[str, list[Handoff]]:
    out: dict[str, list[Handoff]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def build_index(corpus: Corpus, published: list[Sop]) -> PortalIndex:
    sops = sorted(published, key=sort_key)
    ids = {s.id for s in sops}
    unit_of_actor = corpus.unit_of_actor()

    units: dict[str, list[Sop]] = {k: [] for k in corpus.units}
    for s in sops:
        units.setdefault(s.unit or "", []).append(s)
    units = {k: v for k, v in units.items() if k or v}

    roles: dict[str, ActorRole] = {}
    used_slugs: set[str] = set()
    docs: dict[str, Document] = {}
    doc_slugs: set[str] = set()
    handoffs: list[Handoff] = []
    relations: list[Relation] = []

    def doc(name: str) -> Document | None:
        key = normalise_document(name)
        if not key:
            return None
        d = docs.get(key)
        if d is None:
            d = Document(key, " ".join(name.split()).rstrip("."), _unique(slugify(key), doc_slugs))
            docs[key] = d
        return d

    for sop in sops:
        if sop.status is Status.RETIRED:
            # no longer in force: nobody has to do these steps; only its relations are kept
            if sop.superseded_by and sop.superseded_by in ids and sop.superseded_by != sop.id:
                relations.append(Relation("superseded_by", sop.id or "", sop.superseded_by))
            for other in sop.related:
                if other in ids and other != sop.id:
                    relations.append(Relation("related", sop.id or "", other))
            continue
        steps = sop.steps
        n = len(steps)
        for st in steps:
            ref = StepRef(sop, st)  # one per step, in every list that names it
            if st.actor:
                role = roles.get(st.actor)
                if role is None:
                    role = ActorRole(st.actor, _unique(slugify(st.actor), used_slugs), unit_of_actor.get(st.actor))
                    roles[st.actor] = role
                role.steps.append(ref)
            for name in st.inputs:
                d = doc(name)
                if d is not None:
                    d.needed_by.append(ref)
            for name in st.outputs:
                d = doc(name)
                if d is not None:
                    d.produced_by.append(ref)
            src_unit = actor_unit(unit_of_actor, sop, st.actor)
            for target in st.successors(n):
                if target.step is None or not (1 <= target.step <= n):
                    continue
                nxt = steps[target.step - 1]
                dst_unit = actor_unit(unit_of_actor, sop, nxt.actor)
                if src_unit and dst_unit and src_unit != dst_unit:
                    handoffs.append(Handoff(sop, st, nxt, src_unit, dst_unit))
            if st.sop and st.sop in ids and st.sop != sop.id:
                relations.append(Relation("handover", sop.id or "", st.sop, st.number))
        for other in sop.related:
            if other in ids and other != sop.id:
                relations.append(Relation("related", sop.id or "", other))
        if sop.superseded_by and sop.superseded_by in ids and sop.superseded_by != sop.id:
            relations.append(Relation("superseded_by", sop.id or "", sop.superseded_by))

    # related is symmetric: keep one edge per pair
    seen_pairs: set[tuple[str, str]] = set()
    unique_relations = []
    for r in relations:
        if r.kind == "related":
            pair = tuple(sorted((r.source, r.target)))
            if pair in seen_pairs:
                continue
            seen_pairs.add(pair)  # type: ignore[arg-type]
        unique_relations.append(r)

    ordered_roles = dict(sorted(roles.items(), key=lambda kv: kv[0].casefold()))
    return PortalIndex(
        sops=sops,
        units=units,
        roles=ordered_roles,
        role_slugs={name: r.slug for name, r in ordered_roles.items()},
        documents=sorted(docs.values(), key=lambda d: d.key),
        handoffs=handoffs,
        relations=unique_relations,
        unit_of_actor=unit_of_actor,
    )


def _unique(slug: str, used: set[str]) -> str:
    out, i = slug, 2
    while out in used:
        out = f"{slug}-{i}"
        i += 1
    used.add(out)
    return out


def index(ctx: RenderContext) -> PortalIndex:
    """The index of ``ctx``'s published SOPs, computed once per context."""
    cached = ctx.memo.get("portal_index")
    if cached is None:
        cached = ctx.memo["portal_index"] = build_index(ctx.corpus, list(ctx.published.values()))
    return cached


# -- lifecycle views -----------------------------------------------------------------


def unanswered_findings(sops: list[Sop]) -> list[Finding]:
    """Unanswered Monev ``revise`` findings of the SOPs in use (rule: lifecycle.unanswered_revisions)."""
    out: list[Finding] = []
    for sop in sops:
        if sop.status is Status.RETIRED:
            continue
        for i, m in unanswered_revisions(sop):
            out.append(Finding(sop, m.date, m.by, m.finding, sop.line_of(f"monitoring.{i}", m.line)))
    out.sort(key=lambda f: (f.date or dt.date.min, f.sop.id or ""))
    return out


def due_items(ctx: RenderContext) -> list[DueItem]:
    """Overdue / upcoming reviews and unsocialised SOPs, for published SOPs only."""
    published = ctx.published
    return [i for i in due_report(ctx.corpus, ctx.settings) if i.sop_id in published
            and published[i.sop_id].path == i.path]


def recent(sops: list[Sop], today: dt.date, limit: int = 8) -> list[tuple[dt.date, str, Sop]]:
    """Recently effective or revised SOPs (dates not in the future), newest first."""
    out = []
    for s in sops:
        events = []
        if s.effective and s.effective <= today and s.status in (Status.EFFECTIVE, Status.APPROVED):
            events.append((s.effective, "effective"))
        changed = last_change(s)
        if changed and changed <= today:
            events.append((changed, "revised"))
        if events:
            date, kind = max(events)
            out.append((date, kind, s))
    out.sort(key=lambda e: (e[0], e[2].id or ""), reverse=True)
    return out[:limit]


def visible_diagnostics(ctx: RenderContext) -> tuple[list[Diagnostic], int]:
    """Errors and warnings about published SOP files and corpus files (units.yml).

    Findings about files this build does not publish (drafts of a production
    build, any unpublished file of a public build) are only counted: listing
    them would publish their ids and titles.
    """
    published_files = {s.path for s in ctx.published.values()}
    # unpublished SOP files whose findings stay hidden: every one in a public build (a broken
    # file may be a confidential SOP), otherwise those with an id (drafts of a production build);
    # a file without an id is broken beyond identification and its author must see why
    hide = {s.path for s in ctx.corpus.sops
            if s.path not in published_files and (ctx.settings.public or s.id)}
    shown, hidden = [], 0
    for d in ctx.diagnostics:
        if d.severity not in (Severity.ERROR, Severity.WARNING):
            continue
        if d.file not in hide:
            shown.append(d)
        else:
            hidden += 1
    shown.sort(key=lambda d: (d.severity is not Severity.ERROR, d.file, d.line, d.code))
    return shown, hidden


STATUS_ORDER = ("effective", "approved", "review", "draft", "retired", "unknown")


def status_of(sop: Sop) -> str:
    return sop.status.value if sop.status else "unknown"


def counts_by_status(sops: list[Sop]) -> dict[str, int]:
    out = {k: 0 for k in STATUS_ORDER}
    for s in sops:
        out[status_of(s)] += 1
    return {k: v for k, v in out.items() if v}


__all__ = ["PortalIndex", "index", "build_index", "slugify", "normalise_document", "unanswered_findings",
           "due_items", "recent", "visible_diagnostics", "counts_by_status", "status_of", "NOT_SOCIALISED",
           "OVERDUE", "UPCOMING", "last_change"]
