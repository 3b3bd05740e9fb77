"""References between files: ids, units, related SOPs, handovers, successors."""

from __future__ import annotations

import re
import unicodedata

from .. import codes, ids, publish, sanitize
from ..model import Corpus, Diagnostic, Severity, Sop, Status
from ..settings import Settings


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out.extend(_clashes(corpus))
    by_id = corpus.by_id()
    actor_units = corpus.unit_of_actor()
    for sop in corpus.sops:
        if sop.unit and sop.unit not in corpus.units:
            if corpus.units_path is None:
                hint = "create units.yml in the SOP folder and describe the unit there"
            else:
                near = _closest(sop.unit, list(corpus.units))
                hint = f"did you mean '{near}'?" if near else f"add the unit to {corpus.units_path}"
            out.append(codes.UNKNOWN_UNIT.at(sop.path, sop.line_of("unit"),
                                             f"unit '{sop.unit}' is not described in units.yml", hint))
        for i, rel in enumerate(sop.related):
            if rel not in by_id:
                out.append(codes.UNKNOWN_RELATED.at(sop.path, sop.line_of(f"related.{i}", sop.line_of("related")),
                                                    f"related SOP '{rel}' does not exist", _hint_id(rel, by_id, sop.id)))
        if sop.superseded_by and sop.superseded_by not in by_id:
            out.append(codes.UNKNOWN_SUCCESSOR.at(sop.path, sop.line_of("superseded_by"),
                                                  f"superseded_by names '{sop.superseded_by}', which does not exist",
                                                  _hint_id(sop.superseded_by, by_id, sop.id)))
        for step in sop.steps:
            if step.sop:
                target = by_id.get(step.sop)
                line = step.line_of("sop")
                if target is None:
                    out.append(codes.UNKNOWN_HANDOVER.at(sop.path, line,
                                                         f"step {step.number} hands over to '{step.sop}', which does not exist",
                                                         _hint_id(step.sop, by_id, sop.id)))
                elif target.status is Status.RETIRED and sop.status is not Status.RETIRED:
                    succ = f"; it is replaced by {target.superseded_by}" if target.superseded_by else ""
                    out.append(codes.RETIRED_REFERENCE.at(sop.path, line,
                                                          f"step {step.number} hands over to the retired SOP '{step.sop}'{succ}",
                                                          "hand over to the SOP in force instead"))
            if step.actor and corpus.units and step.actor not in actor_units:
                near = _near_role(step.actor, list(actor_units))
                if near:  # a typo would silently get a role page of its own
                    out.append(codes.UNKNOWN_ACTOR_UNIT.at(
                        sop.path, step.line_of("actor"),
                        f"actor '{step.actor}' is not listed in any unit's roles", f"did you mean '{near}'?",
                        severity=Severity.WARNING))
                else:
                    out.append(codes.UNKNOWN_ACTOR_UNIT.at(sop.path, step.line_of("actor"),
                                                           f"actor '{step.actor}' is not listed in any unit's roles"))
        out.extend(_anchor_clashes(sop))
    return out


def _clashes(corpus: Corpus) -> list[Diagnostic]:
    """Duplicate ids, shared slugs, Monev page and reserved-name clashes: an error on every file involved."""
    out: list[Diagnostic] = []
    clashes = publish.clashes(corpus)
    for sop in corpus.sops:
        if sop.path not in clashes:
            continue
        others, left_out = clashes[sop.path]
        line = sop.line_of("id")
        names = ", ".join(f"{o.path} ('{o.id}')" for o in others)
        same = [o for o in others if o.id == sop.id]
        if same:
            out.append(codes.DUPLICATE_ID.at(sop.path, line, f"SOP id '{sop.id}' is also used by "
                                             + ", ".join(o.path for o in same) + "; none of them is published"))
        elif not left_out:
            out.append(codes.PAGE_CLASH.at(sop.path, line, f"the page of {names} would be this SOP's Monev forms "
                                           "page; that SOP is not published, this one is"))
        elif others:
            out.append(codes.PAGE_CLASH.at(sop.path, line, f"SOP id '{sop.id}' would share a page "
                                           f"(sop/{ids.slug(sop.id or '')}) with {names}; it is not published"))
        else:
            out.append(codes.RESERVED_ID.at(sop.path, line, f"SOP id '{sop.id}' becomes '{ids.slug(sop.id or '')}', "
                                            "a page or anchor the portal uses itself; the SOP is not published"))
    return out


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]")
_LONGEST = 1000  # an anchor sits on a short line; longer lines are not searched (linear time on any input)
_ATTR_ID = re.compile(r"\{:?[^{}\n]*?#([\w-]+)[^{}\n]*\}")
_FENCE = re.compile(r"^\s*(```+|~~~+)")


def _anchor_clashes(sop: Sop) -> list[Diagnostic]:
    """Headings (or ``{: #id }`` lists) of the free text whose anchor is a step's or the page's own."""
    taken = {f"step-{s.number}": s.number for s in sop.steps}
    taken.update({s.anchor.casefold(): s.number for s in sop.steps if s.anchor})
    out: list[Diagnostic] = []
    steps_lines = {s.line for s in sop.steps}
    fence = None
    for i, line in enumerate(sop.body.splitlines()):
        number = sop.body_line + i
        m = _FENCE.match(line)
        if fence or m:
            if m and (fence is None or m.group(1)[0] == fence[0]):
                fence = None if fence else m.group(1)
            continue
        if number in steps_lines:
            continue  # a step's own '{#anchor}'
        if len(line) > _LONGEST:
            continue
        anchors = [a.casefold() for a in _ATTR_ID.findall(line)]
        h = _HEADING.match(line)
        if h and not anchors:
            anchors = [_toc_slug(_ATTR_ID.sub("", line[h.end():]).strip().rstrip("#").strip())]
        for a in anchors:
            if a in taken:
                out.append(codes.ANCHOR_CLASH.at(sop.path, number, f"the anchor '#{a}' is also the anchor of "
                                                 f"step {taken[a]}; a link to the step would land here"))
            elif sanitize.reserved_id(a):
                out.append(codes.ANCHOR_CLASH.at(sop.path, number, f"the anchor '#{a}' is reserved for the page's "
                                                 "own elements; it is removed from the page",
                                                 "choose another anchor (not step-N, sop-title, md-... or _...)"))
    return out


def _toc_slug(text: str) -> str:
    """Python-Markdown's default heading anchor for ``text``."""
    text = re.sub(r"<[^>]*>", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _near_role(actor: str, roles: list[str]) -> str | None:
    """A unit role a small edit away from ``actor`` (a typo such as 'Staf Rumah Tanga')."""
    import difflib

    folded = {r.casefold(): r for r in roles}
    m = difflib.get_close_matches(actor.casefold(), list(folded), n=1, cutoff=0.85)
    return folded[m[0]] if m else None


def _closest(word: str, options: list[str]) -> str | None:
    import difflib

    m = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return m[0] if m else None


def _hint_id(sop_id: str, by_id: dict, own: str | None = None) -> str:
    """A "did you mean" for a near id (a typo), never the SOP's own id nor an unrelated one."""
    import difflib

    options = {k.casefold(): k for k in by_id if k != own}
    m = difflib.get_close_matches(sop_id.casefold(), list(options), n=1, cutoff=0.85)
    if m:
        return f"did you mean '{options[m[0]]}'?"
    return "check the SOP number; it must be the id of an SOP in this portal"
