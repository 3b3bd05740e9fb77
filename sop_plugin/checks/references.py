"""References between files: ids, units, related SOPs, handovers, successors."""

from __future__ import annotations

import re
import unicodedata

from .. import codes, ids, publish, sanitize
from ..i18n import Msg, msg
from ..memo import per_sop
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
                hint = msg("diag.references.no_units_file_hint")
            else:
                near = _closest(sop.unit, list(corpus.units))
                hint = (msg("diag.did_you_mean", near=near) if near
                        else msg("diag.references.add_unit_hint", path=str(corpus.units_path)))
            out.append(codes.UNKNOWN_UNIT.at(sop.path, sop.line_of("unit"),
                                             msg("diag.references.unknown_unit", unit=sop.unit), hint))
        for i, rel in enumerate(sop.related):
            if rel not in by_id:
                out.append(codes.UNKNOWN_RELATED.at(sop.path, sop.line_of(f"related.{i}", sop.line_of("related")),
                                                    msg("diag.references.unknown_related", id=rel),
                                                    _hint_id(rel, by_id, sop.id)))
        if sop.superseded_by and sop.superseded_by not in by_id:
            out.append(codes.UNKNOWN_SUCCESSOR.at(sop.path, sop.line_of("superseded_by"),
                                                  msg("diag.references.unknown_successor", id=sop.superseded_by),
                                                  _hint_id(sop.superseded_by, by_id, sop.id)))
        for step in sop.steps:
            if step.sop:
                target = by_id.get(step.sop)
                line = step.line_of("sop")
                if target is None:
                    out.append(codes.UNKNOWN_HANDOVER.at(sop.path, line,
                                                         msg("diag.references.unknown_handover", step=step.number,
                                                             id=step.sop),
                                                         _hint_id(step.sop, by_id, sop.id)))
                elif target.status is Status.RETIRED and sop.status is not Status.RETIRED:
                    said = (msg("diag.references.retired_handover_replaced", step=step.number, id=step.sop,
                                successor=target.superseded_by) if target.superseded_by
                            else msg("diag.references.retired_handover", step=step.number, id=step.sop))
                    out.append(codes.RETIRED_REFERENCE.at(sop.path, line, said,
                                                          msg("diag.references.retired_handover_hint")))
            if step.actor and corpus.units and step.actor not in actor_units:
                near = _near_role(step.actor, list(actor_units))
                if near:  # a typo would silently get a role page of its own
                    out.append(codes.UNKNOWN_ACTOR_UNIT.at(
                        sop.path, step.line_of("actor"),
                        msg("diag.references.unknown_actor", actor=step.actor),
                        msg("diag.did_you_mean", near=near),
                        severity=Severity.WARNING))
                else:
                    out.append(codes.UNKNOWN_ACTOR_UNIT.at(sop.path, step.line_of("actor"),
                                                           msg("diag.references.unknown_actor", actor=step.actor)))
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
            out.append(codes.DUPLICATE_ID.at(sop.path, line, msg("diag.references.duplicate_id", id=sop.id,
                                                                 files=", ".join(o.path for o in same))))
        elif not left_out:
            out.append(codes.PAGE_CLASH.at(sop.path, line, msg("diag.references.forms_page_clash", others=names)))
        elif others:
            out.append(codes.PAGE_CLASH.at(sop.path, line, msg("diag.references.page_clash", id=sop.id,
                                                               slug=ids.slug(sop.id or ""), others=names)))
        else:
            out.append(codes.RESERVED_ID.at(sop.path, line, msg("diag.references.reserved_id", id=sop.id,
                                                                slug=ids.slug(sop.id or ""))))
    return out


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]")
_LONGEST = 1000  # an anchor sits on a short line; longer lines are not searched (linear time on any input)
_ATTR_ID = re.compile(r"\{:?[^{}\n]*?#([\w-]+)[^{}\n]*\}")
_FENCE = re.compile(r"^\s*(```+|~~~+)")


@per_sop  # a rebuild reads again only the SOPs it parsed again
def _anchor_clashes(sop: Sop) -> tuple[Diagnostic, ...]:
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
                out.append(codes.ANCHOR_CLASH.at(sop.path, number, msg("diag.references.anchor_of_step", anchor=a,
                                                                       step=taken[a])))
            elif sanitize.reserved_id(a):
                out.append(codes.ANCHOR_CLASH.at(sop.path, number, msg("diag.references.reserved_anchor", anchor=a),
                                                 msg("diag.references.reserved_anchor_hint")))
    return tuple(out)


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


def _hint_id(sop_id: str, by_id: dict, own: str | None = None) -> Msg:
    """A "did you mean" for a near id (a typo), never the SOP's own id nor an unrelated one."""
    import difflib

    options = {k.casefold(): k for k in by_id if k != own}
    m = difflib.get_close_matches(sop_id.casefold(), list(options), n=1, cutoff=0.85)
    if m:
        return msg("diag.did_you_mean", near=options[m[0]])
    return msg("diag.references.check_id_hint")
