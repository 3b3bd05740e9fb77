"""``sops.json``: every published SOP as data (schema ``sop_plugin/schemas/sops.schema.json``).

Like sphinx-needs' ``needs.json``: other systems (an e-office, a BI
dashboard, a chatbot) read the portal's content without scraping HTML.
The same publication rule as the site applies (:func:`sop_plugin.publish.published`):
a production build exports no draft, a public build no confidential SOP, and
references (related, handovers, successors) to SOPs that are not exported
are left out so that no unpublished id leaks.

Schema version ``"1"``: fields are only ever added within a version; a
renamed or removed field bumps it.  See docs/guide/portal.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import sop_plugin

from . import i18n, publish
from .lifecycle import next_review
from .links import Links
from .model import Role, Sop, Status, Step, Target, actor_unit, sort_key
from .pipeline import Portal
from .signing import DigestError, Verdict, compare

SCHEMA_VERSION = "1"


def schema() -> dict[str, Any]:
    """The JSON Schema of the export (draft 2020-12)."""
    text = (resources.files("sop_plugin") / "schemas" / "sops.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def build_time() -> dt.datetime:
    """Now (UTC, whole seconds), or ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def export(portal: Portal, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """The export document for the portal's published SOPs (sorted by id)."""
    doc = _document(portal, generated_at)
    doc["sops"] = list(doc["sops"])
    return doc


def _document(portal: Portal, generated_at: dt.datetime | None = None, remember: bool = True,
              encoded: bool = False) -> dict[str, Any]:
    """The export document with its ``sops`` still to come: an iterator that makes (and redacts)
    one record at a time (:func:`write_export` writes each and lets go of it).  ``encoded``: each
    record as its JSON text where nothing is redacted (:class:`_Encoded`)."""
    published = portal.published
    sops = sorted(published.values(), key=sort_key)
    generated_at = generated_at or build_time()
    settings = portal.settings
    links = Links(sop_prefix=settings.url_prefix, use_directory_urls=settings.use_directory_urls)
    units = {}
    used_units = {s.unit for s in sops if s.unit}
    for key, u in portal.corpus.units.items():
        units[key] = {"name": u.name, "parent": u.parent, "duties": list(u.duties), "authority": list(u.authority),
                      "roles": list(u.roles), "demand": list(u.demand), "enablers": list(u.enablers),
                      "sops": sum(1 for s in sops if s.unit == key)}
    for key in sorted(used_units - set(units)):
        units[key] = {"name": key, "parent": None, "duties": [], "authority": [], "roles": [], "demand": [],
                      "enablers": [], "sops": sum(1 for s in sops if s.unit == key)}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "generator": {"name": "sop_plugin", "version": sop_plugin.__version__},
        "site": {
            "name": settings.site_name or None,
            "institution": settings.institution.name or None,
            "lang": settings.lang,
            "today": settings.now().isoformat(),
            "public": settings.public,
            "include_drafts": settings.include_drafts,
        },
        "count": len(sops),
        "units": units,
    }
    keys = publish.restricted_keys(portal.corpus, portal.settings)
    records = (_record(s, portal, links, remember, encoded=encoded and not keys) for s in sops)
    if keys:
        redact = publish.redactor(portal.corpus, keys, i18n.t(portal.settings.lang, publish.RESTRICTED_KEY))
        doc = _redacted(doc, redact)
        records = (_redacted(r, redact) for r in records)
    doc["sops"] = records
    return doc


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """Every string in ``value`` without the ids and titles of SOPs this build must not name."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, redact) for v in value]
    return value


# Records by the SOP's cache key, which covers everything a record shows, as built or as JSON text:
# `mkdocs serve` writes sops.json after every save, and only the saved SOP's record changes (writing
# the others' text again was most of the time it took).  Never stale, and read only.
_RECORDS: dict[tuple[str, bool], Any] = {}
_RECORDS_MAX = 20_000


class _Encoded(str):
    """A record already written as JSON: :func:`_pieces` writes it as it is."""


def clear_cache() -> None:
    _RECORDS.clear()


def _record(sop: Sop, portal: Portal, links: Links, remember: bool, *, encoded: bool = False) -> Any:
    key = portal.stamp(sop)
    found = _RECORDS.get((key, encoded)) if key else None
    if found is None:
        found = sop_record(sop, portal, links)
        if encoded:
            found = _Encoded(_json(found))
        if key and remember:
            if len(_RECORDS) >= _RECORDS_MAX:
                _RECORDS.clear()
            _RECORDS[key, encoded] = found
    return found


def sop_record(sop: Sop, portal: Portal, links: Links) -> dict[str, Any]:
    published = portal.published
    unit = portal.corpus.units.get(sop.unit or "")
    unit_of_actor = portal.corpus.unit_of_actor()
    states = portal.approvals(sop)
    steps = sop.steps
    return {
        "id": sop.id,
        "title": sop.title,
        "url": links.page_url(links.sop_page(sop.id or "")),
        "source": sop.path,
        "unit": sop.unit,
        "unit_name": unit.name if unit else None,
        "version": sop.version,
        "status": sop.status.value if sop.status else None,
        "in_force": sop.status is Status.EFFECTIVE,
        "confidential": sop.confidential,
        "dates": {
            "created": _date(sop.created),
            "revised": _date(sop.revised),
            "effective": _date(sop.effective),
            "next_review": _date(next_review(sop, portal.settings)) if sop.status is Status.EFFECTIVE else None,
        },
        "review_interval_months": sop.review_interval_months,
        "legal_basis": list(sop.legal_basis),
        "qualifications": list(sop.qualifications),
        "equipment": list(sop.equipment),
        "warnings": list(sop.warnings),
        "records": list(sop.records),
        "related": [r for r in sop.related if r in published],
        "superseded_by": sop.superseded_by if sop.superseded_by in published else None,
        "team": {
            "writer": sop.team.writer,
            "field_executor": sop.team.field_executor,
            "supervisor": sop.team.supervisor,
            "supervisor_superior": sop.team.supervisor_superior,
        },
        "approvals": [_approval(sop, i, a, states) for i, a in enumerate(sop.approvals)],
        "simulations": [{"date": _date(x.date), "participants": list(x.participants), "result": x.result,
                         "findings": x.findings} for x in sop.simulations],
        "socialization": [{"date": _date(x.date), "audience": list(x.audience), "notes": x.notes}
                          for x in sop.socialization],
        "monitoring": [{"date": _date(x.date), "by": x.by, "finding": x.finding,
                        "recommendation": x.recommendation} for x in sop.monitoring],
        "revisions": [{"version": x.version, "date": _date(x.date), "summary": x.summary} for x in sop.revisions],
        "steps": [_step(sop, s, len(steps), unit_of_actor, published) for s in steps],
        "analysis": _analysis(sop, portal),
    }


def _approval(sop: Sop, index: int, a, states: dict[Role, Verdict]) -> dict[str, Any]:
    bound: bool | None
    try:
        bound = compare(sop, a.digest).matches if a.digest else False
    except DigestError:
        bound = None
    v = states.get(a.role) if a.role else None
    first = v is not None and v.index == index  # the state model judges the first approval of each role
    return {"role": a.role.value if a.role else None, "name": a.name, "position": a.position, "nip": a.nip,
            "date": _date(a.date), "signed": bool(a.digest), "bound": bound,
            "state": v.value if first else None,
            "reason": v.reason.value if first and v.reason else None,
            "key_fingerprint": v.fingerprint if first else None}


def _target(t: Target) -> dict[str, Any]:
    return {"target_step": t.step, "end": t.is_end}


def _step(sop: Sop, s: Step, count: int, unit_of_actor: dict[str, str], published: dict[str, Sop]) -> dict[str, Any]:
    if s.decision is not None:
        flow: dict[str, Any] = {
            "type": "decision",
            "question": s.decision.question,
            "branches": [{"label": b.label, "probability": round(p, 6), "probability_given": b.probability,
                          **_target(b.target)}
                         for b, p in zip(s.decision.branches, s.decision.probabilities())],
        }
    else:
        succ = s.successors(count)
        flow = {"type": "next", **_target(succ[0])} if succ else {"type": "next", "target_step": None, "end": True}
    duration = None
    if s.duration is not None:
        duration = {"text": s.duration.text, "low_minutes": _num(s.duration.low), "high_minutes": _num(s.duration.high)}
    elif s.duration_text:
        duration = {"text": s.duration_text, "low_minutes": None, "high_minutes": None}
    return {
        "number": s.number,
        "anchor": s.anchor,
        "activity": s.activity,
        "details": list(s.details),
        "actor": s.actor,
        "unit": actor_unit(unit_of_actor, sop, s.actor),
        "inputs": list(s.inputs),
        "duration": duration,
        "output": s.output,
        "notes": s.notes,
        "flow": flow,
        "handover": s.sop if s.sop in published else None,
    }


def _analysis(sop: Sop, portal: Portal) -> dict[str, Any] | None:
    """A summary of the analyse stage's result (``None`` without steps)."""
    if not sop.steps:
        return None
    a = portal.derived(sop).analysis
    return {
        "cycle_time_minutes": {"min": _num(a.min_minutes), "expected": _num(a.expected_minutes),
                               "max": _num(a.max_minutes)},
        "critical_path": list(a.critical_path),
        "critical_minutes": _num(a.critical_minutes),
        "decisions": a.decisions,
        "handoffs": {"actors": a.handoffs_actor, "units": a.handoffs_unit},
        "loops": len(a.loops),
        "paths": len(a.paths),
        "paths_truncated": a.paths_truncated,
    }


def _num(x: float | None) -> float | None:
    """A finite number or ``None`` (JSON has no infinity)."""
    return x if x is not None and math.isfinite(x) else None


def dumps(doc: dict[str, Any]) -> str:
    """The document as JSON: one top-level key per line, one SOP per line (small diffs between
    builds); each value compact, written by the json module's C encoder (``indent`` would
    switch it to the pure-Python one, seconds for a thousand SOPs)."""
    return "".join(_pieces(doc))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _pieces(doc: dict[str, Any]) -> Iterator[str]:
    """:func:`dumps`' text in pieces, one SOP's record at a time (a list value may be an iterator)."""
    def enc(value: Any) -> str:
        return value if isinstance(value, _Encoded) else _json(value)

    yield "{\n"
    for n, (key, value) in enumerate(doc.items()):
        yield (",\n " if n else " ") + enc(key) + ": "
        items = iter(value) if isinstance(value, (list, Iterator)) else None
        first = next(items, _END) if items is not None else _END
        if first is _END:
            yield enc([] if items is not None else value)
            continue
        yield "[\n  " + enc(first)
        for item in items:
            yield ",\n  " + enc(item)
        yield "\n ]"
    yield "\n}\n"


_END = object()


def write_export(portal: Portal, path: Path, *, remember: bool = True) -> Path:
    """Write ``sops.json``, one record at a time: the whole text of thousands of SOPs is never
    in memory (at 5,000 SOPs it was 60 MB, held four times over while it was joined and encoded).

    ``remember`` keeps each record for the next build in this process (``mkdocs serve``
    rewrites the file after every save); a one-off build does without.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.writelines(_pieces(_document(portal, remember=remember, encoded=True)))
    return path
