"""What changed between two versions of an SOP, step by step and field by field.

Pure data, no I/O and no HTML: :func:`diff_sops` compares two parsed
:class:`~sop_plugin.model.Sop` objects and returns a :class:`SopDiff`.
Text, JSON and HTML views are built from it elsewhere (``sop diff`` and
:mod:`sop_plugin.render.changes`).

How steps are matched
---------------------

Steps have no stable ids, so old and new steps are paired by content:

1. identical steps (everything but the flow equal) pair up first, in order;
2. then steps whose activity text is the same;
3. then the most similar remaining steps (activity text at least 60 % alike,
   or at least four of the eight content fields filled in and equal), best
   pairs first.

Unpaired old steps are *removed*, unpaired new steps *added*.  Among the
pairs, the longest run that kept its relative order stays put; every other
pair is *moved* (it may also have changed fields).  Flow targets are compared
through the pairing, so a step renumbered by an insertion still points at
"the same step" and is not reported; a branch that now leads somewhere else
is.  Old targets are given in the new numbering (``"removed:N"`` for a
target step that no longer exists), so both sides read alike.  Plain sequential flow (no ``next``, no decision on either side) is not
compared: insertions, removals and moves already say it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from ..model import Calendar, Sop, Step, Target
from ..parsing.duration import parse_duration
from ..signing import content_parts

#: step fields in the order they are reported
STEP_FIELDS = ("activity", "details", "actor", "inputs", "duration", "output", "notes", "sop",
               "decision", "branches", "next")
_CONTENT_FIELDS = STEP_FIELDS[:8]  # everything but the flow

#: front-matter fields in the order they are reported (canonical keys)
FRONT_FIELDS = ("id", "title", "unit", "version", "status", "created", "revised", "effective",
                "legal_basis", "qualifications", "related", "equipment", "warnings", "records", "team",
                "approvals", "simulations", "socialization", "review", "monitoring", "revisions",
                "superseded_by", "confidential")

_REF_CALENDAR = Calendar()
_SIMILAR_RATIO = 0.6
_SIMILAR_FIELDS = 4


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs.  Values are JSON-ready (text, numbers, lists, mappings, ``None``)."""

    field: str
    old: Any
    new: Any

    @property
    def added(self) -> list[Any]:
        """For list values: items only in the new value."""
        if isinstance(self.old, list) and isinstance(self.new, list):
            return [x for x in self.new if x not in self.old]
        return []

    @property
    def removed(self) -> list[Any]:
        if isinstance(self.old, list) and isinstance(self.new, list):
            return [x for x in self.old if x not in self.new]
        return []


@dataclass
class StepChange:
    """``kind``: ``added``, ``removed``, ``moved`` (perhaps with changed fields) or ``changed``."""

    kind: str
    old_number: int | None
    new_number: int | None
    activity: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class SectionChange:
    """A free section (Tujuan, Ruang Lingkup, ...): ``added``, ``removed`` or ``changed``; text is plain."""

    kind: str
    heading: str
    old: str | None = None
    new: str | None = None


@dataclass
class Side:
    label: str  # file, git revision or signature the content comes from
    id: str | None
    version: int | None
    status: str | None
    date: str | None = None  # a git revision's date (YYYY-MM-DD)


@dataclass
class SopDiff:
    old: Side
    new: Side
    front_matter: list[FieldChange] = field(default_factory=list)
    steps: list[StepChange] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.front_matter or self.steps or self.sections)

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in ("added", "removed", "moved", "changed")}
        for s in self.steps:
            out[s.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": asdict(self.old),
            "new": asdict(self.new),
            "front_matter": [asdict(c) for c in self.front_matter],
            "steps": [asdict(s) for s in self.steps],
            "sections": [asdict(s) for s in self.sections],
            "summary": {"steps": self.counts(), "front_matter": len(self.front_matter),
                        "sections": len(self.sections)},
        }


# -- values -------------------------------------------------------------------

def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    out = " ".join(str(text).split())
    return out or None


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _front_value(sop: Sop, key: str) -> Any:
    if key in ("created", "revised", "effective"):
        return _date(getattr(sop, key))
    if key == "status":
        return sop.status.value if sop.status else None
    if key in ("legal_basis", "qualifications", "related", "equipment", "warnings", "records"):
        return [_norm(x) for x in getattr(sop, key)]
    if key == "team":
        t = sop.team
        return {k: _norm(getattr(t, k)) for k in ("writer", "field_executor", "supervisor", "supervisor_superior")
                if getattr(t, k)}
    if key == "approvals":
        return [{"role": a.role.value if a.role else _norm(a.role_text), "name": _norm(a.name),
                 "position": _norm(a.position), "date": _date(a.date), "signed": bool(a.digest)}
                for a in sop.approvals]
    if key == "simulations":
        return [{"date": _date(s.date), "result": s.result, "findings": _norm(s.findings)} for s in sop.simulations]
    if key == "socialization":
        return [{"date": _date(s.date), "audience": [_norm(a) for a in s.audience]} for s in sop.socialization]
    if key == "review":
        return sop.review_interval_months
    if key == "monitoring":
        return [{"date": _date(m.date), "by": _norm(m.by), "finding": _norm(m.finding),
                 "recommendation": m.recommendation} for m in sop.monitoring]
    if key == "revisions":
        return [{"version": r.version, "date": _date(r.date), "summary": _norm(r.summary)} for r in sop.revisions]
    if key == "confidential":
        return bool(sop.confidential)
    value = getattr(sop, key)
    return _norm(value) if isinstance(value, str) else value


def _duration_key(step: Step) -> Any:
    if step.duration_text is None:
        return None
    d = parse_duration(step.duration_text, _REF_CALENDAR)
    return (round(d.low, 6), round(d.high, 6)) if d else _norm(step.duration_text)


def _content(step: Step) -> dict[str, Any]:
    """Display values of the non-flow fields."""
    return {
        "activity": _norm(step.activity),
        "details": [_norm(d) for d in step.details],
        "actor": _norm(step.actor),
        "inputs": [_norm(i) for i in step.inputs],
        "duration": _norm(step.duration_text),
        "output": _norm(step.output),
        "notes": _norm(step.notes),
        "sop": _norm(step.sop),
    }


def _compare_key(step: Step, f: str, shown: Any) -> Any:
    """What decides equality of a content field (durations compare by working minutes)."""
    return _duration_key(step) if f == "duration" else shown


def _target(t: Target | None, mapping: dict[int, int] | None) -> Any:
    """A target as shown (``mapping`` None) or as compared (old numbers mapped to new ones)."""
    if t is None:
        return None
    if t.is_end:
        return "end"
    if t.step is not None:
        if mapping is None:
            return t.step
        return mapping.get(t.step, f"removed:{t.step}")
    return "?" + (_norm(t.raw) or "")


def _flow(step: Step, count: int, mapping: dict[int, int] | None) -> dict[str, Any]:
    """``decision`` (question), ``branches`` and ``next`` of a step; ``explicit`` says if the author wrote any."""
    out: dict[str, Any] = {"decision": None, "branches": None, "next": None,
                           "explicit": step.decision is not None or step.next is not None}
    if step.decision is not None:
        out["decision"] = _norm(step.decision.question)
        out["branches"] = [{"label": _norm(b.label), "probability": b.probability,
                            "target": _target(b.target, mapping)} for b in step.decision.branches]
        if step.next is not None:
            out["next"] = _target(step.next, mapping)
    else:
        succ = step.successors(count)
        out["next"] = _target(succ[0], mapping) if succ else None
    return out


# -- pairing ------------------------------------------------------------------

def _pair(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[int, int]:
    """old index -> new index."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()

    def free_old() -> list[int]:
        return [i for i in range(len(old)) if i not in pairs]

    def free_new() -> list[int]:
        return [j for j in range(len(new)) if j not in taken]

    def key(c: dict[str, Any]) -> str:
        return repr([c[f] for f in _CONTENT_FIELDS])

    for match in (key, lambda c: (c["activity"] or "").casefold()):
        by_key: dict[Any, list[int]] = {}
        for i in free_old():
            by_key.setdefault(match(old[i]), []).append(i)
        for j in free_new():
            cands = by_key.get(match(new[j]))
            if cands:
                i = cands.pop(0)
                pairs[i] = j
                taken.add(j)
    scored = []
    for i in free_old():
        for j in free_new():
            ratio = difflib.SequenceMatcher(a=old[i]["activity"] or "", b=new[j]["activity"] or "",
                                            autojunk=False).ratio()
            same = sum(old[i][f] == new[j][f] and old[i][f] not in (None, []) for f in _CONTENT_FIELDS)
            if ratio >= _SIMILAR_RATIO or same >= _SIMILAR_FIELDS:
                scored.append((ratio + same / len(_CONTENT_FIELDS), -abs(i - j), i, j))
    for _, _, i, j in sorted(scored, reverse=True):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


def _stayed(pairs: dict[int, int]) -> set[int]:
    """Old indices of the longest run of pairs that kept their relative order (the rest moved)."""
    items = sorted(pairs.items())
    n = len(items)
    if not n:
        return set()
    best = [1] * n
    prev = [-1] * n
    for k in range(n):
        for m in range(k):
            if items[m][1] < items[k][1] and best[m] + 1 > best[k]:
                best[k], prev[k] = best[m] + 1, m
    k = max(range(n), key=lambda x: (best[x], -x))
    out: set[int] = set()
    while k != -1:
        out.add(items[k][0])
        k = prev[k]
    return out


# -- the diff -----------------------------------------------------------------

def diff_sops(old: Sop, new: Sop, *, old_label: str | None = None, new_label: str | None = None,
              old_date: str | None = None) -> SopDiff:
    """Every difference between ``old`` and ``new`` that a reviewer needs to see."""
    result = SopDiff(
        old=Side(old_label or old.path, old.id, old.version, old.status.value if old.status else None, old_date),
        new=Side(new_label or new.path, new.id, new.version, new.status.value if new.status else None),
    )
    for key in FRONT_FIELDS:
        a, b = _front_value(old, key), _front_value(new, key)
        if a != b:
            result.front_matter.append(FieldChange(key, a, b))
    result.steps = _diff_steps(old, new)
    result.sections = _diff_sections(old, new)
    return result


def _diff_steps(old: Sop, new: Sop) -> list[StepChange]:
    os_, ns = old.steps, new.steps
    oc, nc = [_content(s) for s in os_], [_content(s) for s in ns]
    pairs = _pair(oc, nc)
    mapping = {i + 1: j + 1 for i, j in pairs.items()}  # old number -> new number
    stayed = _stayed(pairs)
    changes: list[tuple[tuple[float, int], StepChange]] = []
    for i, j in pairs.items():
        o, n = os_[i], ns[j]
        fields = [FieldChange(f, oc[i][f], nc[j][f]) for f in _CONTENT_FIELDS
                  if _compare_key(o, f, oc[i][f]) != _compare_key(n, f, nc[j][f])]
        fo_cmp, fn = _flow(o, len(os_), mapping), _flow(n, len(ns), None)
        for f in ("decision", "branches", "next"):
            if f == "next" and not (fo_cmp["explicit"] or fn["explicit"]):
                continue  # sequential on both sides: order changes are reported as moves
            if fo_cmp[f] != fn[f]:
                fields.append(FieldChange(f, fo_cmp[f], fn[f]))
        moved = i not in stayed
        if moved or fields:
            changes.append(((j + 1, 1), StepChange("moved" if moved else "changed", i + 1, j + 1,
                                                   nc[j]["activity"] or "", fields)))
    for j in range(len(ns)):
        if j not in pairs.values():
            changes.append(((j + 1, 1), StepChange("added", None, j + 1, nc[j]["activity"] or "")))
    for i in range(len(os_)):
        if i in pairs:
            continue
        before = [pairs[k] + 1 for k in range(i) if k in pairs]  # where it was: after the last paired step before it
        changes.append(((max(before) if before else 0, 0 if not before else 2),
                        StepChange("removed", i + 1, None, oc[i]["activity"] or "")))
    changes.sort(key=lambda x: (x[0][0], x[0][1], x[1].old_number or 0))
    return [c for _, c in changes]


def _section_text(content: list[Any]) -> str:
    parts = []
    for item in content:
        if isinstance(item, list) and item:
            if item[0] == "inline":
                parts.append(item[1] or "")
            elif item[0] in ("fence", "code_block"):
                parts.append(item[2])
            elif item[0] == "html":
                parts.append(item[1] or "")
    return "\n".join(p for p in parts if p)


def _diff_sections(old: Sop, new: Sop) -> list[SectionChange]:
    po, pn = content_parts(old), content_parts(new)
    o = {k: c for k, (_, c) in zip(po.section_keys(), po.sections)}
    n = {k: c for k, (_, c) in zip(pn.section_keys(), pn.sections)}
    out: list[SectionChange] = []
    for k, c in n.items():
        if k not in o:
            out.append(SectionChange("added", k, None, _section_text(c)))
        elif o[k] != c:
            out.append(SectionChange("changed", k, _section_text(o[k]), _section_text(c)))
    for k, c in o.items():
        if k not in n:
            out.append(SectionChange("removed", k, _section_text(c), None))
    return out
