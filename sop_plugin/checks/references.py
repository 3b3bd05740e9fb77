"""References between files: ids, units, related SOPs, handovers, successors."""

from __future__ import annotations

from .. import codes
from ..model import Corpus, Diagnostic, Status
from ..settings import Settings


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, str] = {}
    for sop in corpus.sops:
        if not sop.id:
            continue
        if sop.id in first:
            out.append(codes.DUPLICATE_ID.at(sop.path, sop.line_of("id"),
                                             f"SOP id '{sop.id}' is already used by {first[sop.id]}"))
        else:
            first[sop.id] = sop.path
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
                out.append(codes.UNKNOWN_ACTOR_UNIT.at(sop.path, step.line_of("actor"),
                                                       f"actor '{step.actor}' is not listed in any unit's roles"))
    return out


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
