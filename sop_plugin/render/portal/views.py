"""Portal views: the directives and generated pages of the site-level pages.

Page paths (Indonesian slugs, relative to ``docs/``)::

    index.md              home (written by the site: ``::: sop-home`` below an intro)
    katalog.md            ::: sop-catalogue      every published SOP, sortable and filterable
    unit/index.md         ::: sop-units          units and the map of hand-offs between them
    unit/<key>.md         ::: sop-unit <key>     one unit: duties, roles, SOPs, hand-offs
    peran/index.md        ::: sop-roles          every actor name
    peran/<slug>.md       ::: sop-role <slug>    every step one actor performs
    dokumen.md            ::: sop-documents      every document named in inputs / outputs
    relasi.md             ::: sop-relations      related SOPs, sub-SOP handovers, successors
    monev.md              ::: sop-monev          reviews due, open findings, problems

A view that fails to render (a bug) is caught where every directive is
expanded, in :meth:`sop_plugin.markdown.SopPreprocessor.expand`: its page says
so and the rest of the portal is still built.
"""

from __future__ import annotations

import html
from typing import Any, Callable

from ... import fmt
from ...cache import key as cache_key
from ...memo import per_sop
from ...model import Severity, Sop, Status
from ...lifecycle import NOT_SOCIALISED, OVERDUE, UPCOMING, next_review
from ...pipeline import front_matter
from ..blocks import GeneratedPage, directive, page_source, pages
from ..context import RenderContext
from .. import mermaid
from ..templating import render
from . import data

CATALOGUE = "katalog.md"
UNITS = "unit/index.md"
ROLES = "peran/index.md"
DOCUMENTS = "dokumen.md"
RELATIONS = "relasi.md"
MONEV = "monev.md"
HOME = "index.md"

# a relationship graph with more nodes than this is drawn per unit
GRAPH_LIMIT = 150
# with more units than this only the units index is in the nav: material renders the whole nav
# on every page, so N unit entries cost N links x every page (O(units x pages) bytes)
NAV_UNIT_LIMIT = 40

# -- helpers shared by the templates ---------------------------------------------------


class View:
    """What every portal template gets: texts, links and small formatters."""

    def __init__(self, ctx: RenderContext):
        self.ctx = ctx
        self.t = ctx.t
        self.idx = data.index(ctx)

    def href(self, src_path: str, anchor: str = "") -> str:
        return self.ctx.links.href(src_path, anchor)

    def sop_href(self, sop_id: str | None, anchor: str = "") -> str | None:
        return self.ctx.sop_href(sop_id, anchor) if sop_id else None

    def step_href(self, sop: Sop, number: int) -> str | None:
        return self.sop_href(sop.id, f"step-{number}")

    def unit_name(self, key: str | None) -> str:
        if not key:
            return self.t("unit.no_unit")
        unit = self.ctx.corpus.units.get(key)
        return unit.name if unit and unit.name else key

    def unit_href(self, key: str | None) -> str | None:
        if key and key in self.idx.units:
            return self.href(unit_page(key))
        return None

    def role_href(self, name: str | None) -> str | None:
        slug = self.idx.role_slugs.get(name or "")
        return self.href(role_page(slug)) if slug else None

    def status(self, sop: Sop) -> str:
        return data.status_of(sop)

    def status_text(self, sop_or_status: Sop | str) -> str:
        s = sop_or_status if isinstance(sop_or_status, str) else data.status_of(sop_or_status)
        return self.t(f"status.{s}")

    def next_review(self, sop: Sop):
        return next_review(sop, self.ctx.settings) if sop.status is Status.EFFECTIVE else None

    def in_repair(self, sop: Sop) -> bool:
        """The SOP file has errors: staff see "sedang diperbaiki" (authors get the diagnostics)."""
        return any(d.severity is Severity.ERROR for d in self.ctx.diagnostics_for(sop))

    def date(self, d) -> str:
        return fmt.date(d, self.ctx.lang) if d else ""

    @property
    def fmt(self) -> "fmt.Formatter":
        return fmt.of(self.ctx)


def unit_page(key: str) -> str:
    return f"unit/{data.slugify(key)}.md"


def role_page(slug: str, n: int = 1) -> str:
    return numbered(f"peran/{slug}.md", n)


# The document and role listings are split into pages so that no page but the catalogue
# passes ~500 kB of HTML at any corpus size: a document reference costs ~0.2 kB, a role's
# step row ~1 kB.  A page holds at most this many (one SOP's steps of a role stay together).
DOCUMENT_REFS_PER_PAGE = 1200
ROLE_STEPS_PER_PAGE = 250


def numbered(path: str, n: int) -> str:
    """Page ``n`` of a split listing: ``dokumen.md`` -> ``dokumen/2.md`` (page 1 keeps the path)."""
    return path if n <= 1 else f"{path[:-3]}/{n}.md"


def split(items: list, weight: Callable[[Any], int], limit: int) -> list[list]:
    """``items`` in order, cut into runs whose total ``weight`` stays within ``limit`` (never empty)."""
    out: list[list] = [[]]
    total = 0
    for item in items:
        w = max(1, weight(item))
        if out[-1] and total + w > limit:
            out.append([])
            total = 0
        out[-1].append(item)
        total += w
    return out


def document_pages(ctx: RenderContext) -> list[list[data.Document]]:
    """The document list cut into pages, once per context, as its index (every page of the list and its
    stamp ask)."""
    cut = ctx.memo.get("document_pages")
    if cut is None:
        cut = ctx.memo["document_pages"] = split(data.index(ctx).documents,
                                                 lambda d: 1 + len(d.needed_by) + len(d.produced_by),
                                                 DOCUMENT_REFS_PER_PAGE)
    return cut


def role_groups(role) -> list[list]:
    """A role's step references grouped by SOP (first appearance order)."""
    groups: dict[str, list] = {}
    for ref in role.steps:
        groups.setdefault(ref.sop.id or "", []).append(ref)
    return list(groups.values())


def role_pages(role) -> list[list[list]]:
    return split(role_groups(role), len, ROLE_STEPS_PER_PAGE)


def page_number(text: str, count: int) -> int:
    """The page of a split listing a directive asks for (``::: sop-documents 3``): its number,
    within 1..``count``; 1 when the text is not a number."""
    return min(max(int(text) if text.strip().isdigit() else 1, 1), count)


def pager(v: "View", paths: list[str], current: int, chunks: list[list], name: Callable[[Any], str]) -> list[dict]:
    """Links to the pages of a split listing, each labelled with the ``name`` of its first and last
    item (none when the listing has one page: the only page that can be empty)."""
    if len(paths) <= 1:
        return []
    return [{"n": i, "href": v.href(p), "current": i == current, "label": f"{name(c[0])} – {name(c[-1])}"}
            for i, (p, c) in enumerate(zip(paths, chunks), start=1)]


def _page(title: str, body: str) -> str:
    return page_source(title, body)


# -- generated pages ---------------------------------------------------------------------


@pages("portal")
def portal_pages(ctx: RenderContext) -> list[GeneratedPage]:
    """The portal's pages.  Nav groups: ``views`` (top-level entries) and ``units`` (the Unit section)."""
    t = ctx.t
    idx = data.index(ctx)
    out = [
        GeneratedPage(CATALOGUE, _page(t("portal.catalogue"), "::: sop-catalogue"), t("portal.catalogue"),
                      nav="views", order=10),
        GeneratedPage(UNITS, _page(t("portal.units"), "::: sop-units"), t("portal.units"), nav="units", order=0),
        GeneratedPage(ROLES, _page(t("portal.roles"), "::: sop-roles"), t("portal.roles"), nav="views", order=30),
        GeneratedPage(DOCUMENTS, _page(t("portal.documents"), "::: sop-documents"), t("portal.documents"),
                      nav="views", order=40),
        GeneratedPage(RELATIONS, _page(t("portal.relations"), "::: sop-relations"), t("portal.relations"),
                      nav="views", order=50),
        GeneratedPage(MONEV, _page(t("portal.monev"), "::: sop-monev"), t("portal.monev"), nav="views", order=60),
    ]
    view = View(ctx)
    seen: set[str] = set()
    unit_nav = "units" if sum(1 for k in idx.units if k) <= NAV_UNIT_LIMIT else None
    for i, key in enumerate(idx.units):
        if not key:
            continue
        path = unit_page(key)
        if path in seen:
            continue
        seen.add(path)
        name = view.unit_name(key)
        out.append(GeneratedPage(path, _page(name, f"::: sop-unit {key}"), name, nav=unit_nav, order=i + 1))
    for n in range(2, len(document_pages(ctx)) + 1):
        title = t("pager.title", title=t("portal.documents"), n=n)
        out.append(GeneratedPage(numbered(DOCUMENTS, n), _page(title, f"::: sop-documents {n}"), title, nav=None))
    for role in idx.roles.values():
        out.append(GeneratedPage(role_page(role.slug), _page(role.name, f"::: sop-role {role.slug}"), role.name,
                                 nav=None))
        for n in range(2, len(role_pages(role)) + 1):
            title = t("pager.title", title=role.name, n=n)
            out.append(GeneratedPage(role_page(role.slug, n), _page(title, f"::: sop-role {role.slug} {n}"), title,
                                     nav=None))
    return out


# -- directives ------------------------------------------------------------------------------


@directive("sop-home")
def home(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    idx = v.idx
    items = data.due_items(ctx)
    findings = data.unanswered_findings(idx.sops)
    due = {
        OVERDUE: [i for i in items if i.kind == OVERDUE],
        UPCOMING: [i for i in items if i.kind == UPCOMING],
        NOT_SOCIALISED: [i for i in items if i.kind == NOT_SOCIALISED],
    }
    units = [(key, len(sops)) for key, sops in idx.units.items() if sops]
    return render("portal_home.html", v=v, t=ctx.t, counts=data.counts_by_status(idx.sops), total=len(idx.sops),
                  units=units, recent=data.recent(idx.sops, ctx.settings.now()), due=due, findings=findings,
                  window=ctx.settings.review_due_days, today=ctx.settings.now(),
                  catalogue=v.href(CATALOGUE), monev=v.href(MONEV),
                  links=[(ctx.t("portal.catalogue"), v.href(CATALOGUE)), (ctx.t("portal.units"), v.href(UNITS)),
                         (ctx.t("portal.roles"), v.href(ROLES)), (ctx.t("portal.documents"), v.href(DOCUMENTS)),
                         (ctx.t("portal.relations"), v.href(RELATIONS)), (ctx.t("portal.monev"), v.href(MONEV))])


def _catalogue_depends(arg: str, ctx: RenderContext) -> tuple[list[Sop], object]:
    """What the catalogue shows, as its token: each listed SOP's front matter (id, title, unit,
    status, version, dates, review interval, successor) and title, the actors and documents of its
    steps (the filters), whether it has errors ("in repair"), in the list's order; the units
    (names, links); the date (next reviews) and the settings, language and link settings.  No SOP
    is named: an edit of a step that keeps its actor and documents renders the catalogue not again
    (0.5 s of every such save at 1,000 SOPs)."""
    v = View(ctx)
    rows = [(_catalogue_row(s), v.in_repair(s)) for s in v.idx.sops]
    return [], (_written_as(ctx), ctx.settings.now().isoformat(), sorted(ctx.corpus.units.items()), rows)


def _written_as(ctx: RenderContext) -> tuple[Any, ...]:
    """What a view's words and links follow besides its rows (part of a token: see ``directive``):
    the settings, the language and the link settings."""
    links = ctx.links
    return ctx.settings.output_key(), ctx.lang, (links.sop_prefix, links.use_directory_urls, links.source_relative)


@per_sop  # a save stamps the catalogue again: the other 999 rows are as they were
def _catalogue_row(sop: Sop) -> str:
    """A hash of what the catalogue shows of ``sop`` (the row itself, kept for every SOP while
    the portal lives, held 4 MB at 1,000 SOPs)."""
    actors, documents = data.actors_and_documents(sop)
    return cache_key(sop.path, sop.title, front_matter(sop), tuple(actors), tuple(documents.items()))


@directive("sop-catalogue", depends=_catalogue_depends)
def catalogue(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    sops = v.idx.sops
    current = [s for s in sops if s.status is not Status.RETIRED]
    retired = [s for s in sops if s.status is Status.RETIRED]
    statuses = [s for s in data.STATUS_ORDER if any(data.status_of(x) == s for x in current)]
    units = sorted({s.unit or "" for s in current}, key=lambda k: v.unit_name(k).casefold())
    people = {s.id: data.actors_and_documents(s) for s in current}
    actors = sorted({a for acts, _ in people.values() for a in acts}, key=str.casefold)
    documents: dict[str, str] = {}
    for _, docs in people.values():
        for key, name in docs.items():
            documents.setdefault(key, name)
    return render("portal_catalogue.html", v=v, t=ctx.t, current=current, retired=retired, statuses=statuses,
                  units=units, preview=ctx.settings.include_drafts, people=people, actors=actors,
                  documents=sorted(documents.items()))


@directive("sop-units")
def units_index(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    idx = v.idx
    rows = []
    for key, sops in idx.units.items():
        if not key:
            continue
        unit = ctx.corpus.units.get(key)
        out_n = len(idx.handoffs_from.get(key, []))
        in_n = len(idx.handoffs_to.get(key, []))
        rows.append({"key": key, "unit": unit, "sops": len(sops), "roles": len(unit.roles) if unit else 0,
                     "out": out_n, "in": in_n})
    return render("portal_units.html", v=v, t=ctx.t, rows=rows, map=units_map(v))


def units_map(v: View) -> str:
    """Mermaid source of the map of hand-offs between units."""
    return mermaid.units_graph([k for k in v.idx.units if k], v.idx.handoff_counts(), v.unit_name, v.unit_href)


def _unit_depends(arg: str, ctx: RenderContext) -> list[Sop]:
    """A unit page reads its own SOPs, the SOPs with a hand-off from or to it, and every SOP its roles act in."""
    idx = data.index(ctx)
    key = arg.strip()
    unit = ctx.corpus.units.get(key)
    out = list(idx.units.get(key, []))
    out += [h.sop for h in (*idx.handoffs_from.get(key, []), *idx.handoffs_to.get(key, []))]
    for name in unit.roles if unit else []:
        role = idx.roles.get(name)
        out += role.sops if role else []
    return out


@directive("sop-unit", depends=_unit_depends)
def unit_view(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    idx = v.idx
    key = arg.strip()
    unit = ctx.corpus.units.get(key)
    if unit is None and key not in idx.units:
        return f'<div class="sop-banner sop-banner-problems">{html.escape(ctx.t("unit.unknown", unit=key))}</div>'

    def grouped(items, other):
        groups: dict[str, list] = {}
        for h in items:
            groups.setdefault(other(h), []).append(h)
        return sorted(groups.items(), key=lambda kv: (-len(kv[1]), v.unit_name(kv[0]).casefold()))

    outgoing = grouped(idx.handoffs_from.get(key, []), lambda h: h.to_unit)
    incoming = grouped(idx.handoffs_to.get(key, []), lambda h: h.from_unit)
    children = [k for k, u in ctx.corpus.units.items() if u.parent == key]
    roles = list(unit.roles) if unit else []
    own = idx.units.get(key, [])
    own_ids = {s.id for s in own}
    elsewhere: dict[str, list] = {}
    for name in roles:
        role = idx.roles.get(name)
        if role:
            for ref in role.steps:
                if ref.sop.id not in own_ids:
                    elsewhere.setdefault(ref.sop.id or "", []).append(ref)
    return render("portal_unit.html", v=v, t=ctx.t, key=key, unit=unit, sops=own, outgoing=outgoing,
                  incoming=incoming, children=children, roles=roles, elsewhere=elsewhere)


@directive("sop-roles")
def roles_index(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    return render("portal_roles.html", v=v, t=ctx.t, roles=list(v.idx.roles.values()))


def _role_depends(arg: str, ctx: RenderContext) -> list[Sop]:
    """Every page of a role reads the SOPs the role acts in (the pages split them by weight)."""
    slug = arg.strip().partition(" ")[0]
    role = data.index(ctx).role_by_slug.get(slug)
    return role.sops if role else []


@directive("sop-role", depends=_role_depends)
def role_view(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    slug, _, number = arg.strip().partition(" ")
    role = v.idx.role_by_slug.get(slug)
    if role is None:
        return f'<div class="sop-banner sop-banner-problems">{html.escape(ctx.t("role.unknown"))}</div>'
    chunks = role_pages(role)
    current = page_number(number, len(chunks))
    rows = []
    for refs in chunks[current - 1]:
        sop = refs[0].sop
        n = len(sop.steps)
        preds: dict[int, list] = {}
        for st in sop.steps:
            for tgt in st.successors(n):
                if tgt.step is not None:
                    preds.setdefault(tgt.step, []).append(st)
        entries = []
        for ref in refs:
            st = ref.step
            before = [p for p in preds.get(st.number, []) if p.number != st.number]
            after = []
            for tgt in st.successors(n):
                if tgt.is_end:
                    after.append({"text": ctx.t("flow.end"), "href": None})
                elif tgt.step is not None and 1 <= tgt.step <= n:
                    other = sop.steps[tgt.step - 1]
                    after.append({"text": f"{tgt.step}. {other.actor or ''}".strip(),
                                  "href": v.step_href(sop, tgt.step)})
            entries.append({"step": st, "before": [{"text": f"{p.number}. {p.actor or ''}".strip(),
                                                    "href": v.step_href(sop, p.number)} for p in before],
                            "first": st.number == 1, "after": after})
        rows.append({"sop": sop, "entries": entries})
    pages_ = pager(v, [role_page(role.slug, i) for i in range(1, len(chunks) + 1)], current, chunks,
                   lambda group: group[0].sop.id)
    return render("portal_role.html", v=v, t=ctx.t, role=role, groups=rows, pages=pages_)


def _documents_depends(arg: str, ctx: RenderContext) -> tuple[list[Sop], object]:
    """What a page of the document list shows, as its token: each document (key, name, anchor),
    the steps that need or produce it (SOP, whether it has a page, step number), the cut into
    pages (every page's pager names the first and last document of each), and the settings,
    language and link settings the text and links follow.  No SOP is named: an edit that
    changes no row (a purpose, a duration, an approval) renders no page of the list again;
    at 1,000 SOPs one save rendered 22 of them, over a third of the rebuild."""
    chunks = document_pages(ctx)
    current = page_number(arg, len(chunks))

    published = ctx.published

    def refs(found: list[data.StepRef]) -> list[tuple[str | None, bool, int]]:
        return [(r.sop.id, (r.sop.id or "") in published, r.step.number) for r in found]

    shown = [(d.key, d.name, d.slug, refs(d.needed_by), refs(d.produced_by)) for d in chunks[current - 1]]
    cut = [(c[0].name, c[-1].name, len(c)) if c else () for c in chunks]
    return [], (_written_as(ctx), cut, shown)


@directive("sop-documents", depends=_documents_depends)
def documents_view(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    chunks = document_pages(v.ctx)
    current = page_number(arg, len(chunks))
    pages_ = pager(v, [numbered(DOCUMENTS, i) for i in range(1, len(chunks) + 1)], current, chunks,
                   lambda document: document.name)
    return render("portal_documents.html", v=v, t=ctx.t, documents=chunks[current - 1], pages=pages_)


@directive("sop-relations")
def relations_view(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    rels = v.idx.relations
    graphs = relation_graphs(v)
    return render("portal_relations.html", v=v, t=ctx.t, relations=rels, graphs=graphs,
                  by_id=ctx.published)


def relation_graphs(v: View) -> list[tuple[str | None, str]]:
    """``[(unit key or None, mermaid source)]``: one graph, or one per unit when it would be too big."""
    rels = v.idx.relations
    if not rels:
        return []
    nodes = {x for r in rels for x in (r.source, r.target)}
    if len(nodes) <= GRAPH_LIMIT:
        return [(None, _relation_graph(v, rels))]
    published = v.ctx.published
    by_unit: dict[str, list] = {}
    for r in rels:
        by_unit.setdefault(published[r.source].unit or "", []).append(r)
    return [(k, _relation_graph(v, by_unit[k])) for k in sorted(by_unit, key=lambda k: v.unit_name(k).casefold())]


def _relation_graph(v: View, rels: list) -> str:
    return mermaid.relations_graph(rels, v.ctx.published, v.t, v.sop_href)


MONEV_PROBLEMS = 200  # rows of the dashboard's problem list: keeps the page light at thousands of SOPs


@directive("sop-monev")
def monev_view(arg: str, ctx: RenderContext) -> str:
    v = View(ctx)
    items = data.due_items(ctx)
    problems, hidden = data.visible_diagnostics(ctx)
    from ...model import Severity

    # the page lists the first MONEV_PROBLEMS (errors first); `sop lint` prints them all
    shown = [d.in_lang(ctx.lang) for d in problems[:MONEV_PROBLEMS]]
    return render("portal_monev.html", v=v, t=ctx.t, lang=ctx.lang, today=ctx.settings.now(), window=ctx.settings.review_due_days,
                  overdue=[i for i in items if i.kind == OVERDUE],
                  upcoming=[i for i in items if i.kind == UPCOMING],
                  unsocialised=[i for i in items if i.kind == NOT_SOCIALISED],
                  findings=data.unanswered_findings(v.idx.sops), problems=shown, hidden=hidden,
                  more=len(problems) - len(shown), total=len(problems),
                  errors=sum(1 for d in problems if d.severity is Severity.ERROR),
                  warnings=sum(1 for d in problems if d.severity is Severity.WARNING))
