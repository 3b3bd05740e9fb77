"""Views of a :class:`~sop_plugin.diff.SopDiff`: plain text, an HTML fragment, and the page section.

The page of a draft or review SOP shows "Perubahan sejak versi N": what
changed since the previous version (found in the git history), so the
reviewer (pemeriksa) judges the changes instead of re-reading the whole SOP.
The site option ``disabled_blocks: [changes]`` leaves the section out, and
so does ``audit_git: false`` (no git is read; the page cache is keyed on the
git commit only when git is read).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from importlib import resources
from typing import Any, Callable

from markupsafe import Markup

from .. import fmt, i18n
from ..diff import FieldChange, Side, SopDiff, StepChange
from ..diff.history import previous_version
from ..model import Sop, Status
from .blocks import block
from .context import RenderContext
from .templating import render

Translate = Callable[..., str]


# -- values -------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: Any, t: Translate) -> Any:
    """An ISO date as the reader's language writes it (``20 November 2026``), with a translator that
    knows its language (:class:`~sop_plugin.i18n.Translator`); anything else as it is."""
    lang = getattr(t, "lang", None)
    if lang is None or not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return value
    try:
        return fmt.date(dt.date.fromisoformat(value), lang)
    except ValueError:
        return value


def _label(side: Side, t: Translate) -> str:
    """Where a side of the diff comes from (``ec2ead6e 20 November 2026``), its date in the reader's language."""
    return f"{side.label} {_date(side.date, t)}" if side.date else side.label


def _target(value: Any, t: Translate) -> str:
    if value == "end":
        return t("flow.end")
    if isinstance(value, int):
        return t("flow.step", n=value)
    if isinstance(value, str) and value.startswith("removed:"):
        return t("changes.removed_step", n=value.split(":", 1)[1])
    if isinstance(value, str) and value.startswith("?"):
        return value[1:]
    return "" if value is None else str(value)


def _record(field: str, item: dict[str, Any], t: Translate) -> str:
    if field == "approvals":
        role = item.get("role")
        who = t(f"role.{role}") if role in ("maker", "reviewer", "leader") else (role or "?")
        bits = [x for x in (item.get("name"), item.get("position"), _date(item.get("date"), t)) if x]
        sign = t("changes.signed") if item.get("signed") else t("changes.unsigned")
        return f"{who}: {', '.join(bits)} ({sign})"
    if field == "simulations":
        res = t(f"changes.result.{item['result']}") if item.get("result") in ("pass", "fail") else ""
        return " ".join(x for x in (_date(item.get("date"), t), res, item.get("findings") and f"— {item['findings']}")
                        if x)
    if field == "socialization":
        return f"{_date(item.get('date'), t) or '?'}: {', '.join(item.get('audience') or [])}"
    if field == "monitoring":
        rec = t(f"changes.rec.{item['recommendation']}") if item.get("recommendation") in ("keep", "revise") else ""
        head = " ".join(x for x in (_date(item.get("date"), t), item.get("by")) if x)
        tail = "; ".join(x for x in (item.get("finding"), rec) if x)
        return f"{head}: {tail}" if tail else head
    if field == "revisions":
        return " ".join(x for x in (f"v{item.get('version')}" if item.get("version") is not None else None,
                                    _date(item.get("date"), t), item.get("summary") and f"— {item['summary']}") if x)
    if field == "branches":
        p = f" ({item['probability']:g}%)" if item.get("probability") is not None else ""
        return f"{item.get('label')}{p} → {_target(item.get('target'), t)}"
    return ", ".join(f"{k}={v}" for k, v in item.items())


def describe(field: str, value: Any, t: Translate) -> str:
    """One value of a :class:`FieldChange`, as a reviewer reads it."""
    if value is None or value == [] or value == {}:
        return t("changes.empty")
    if isinstance(value, bool):
        return t("changes.yes") if value else t("changes.no")
    if field == "next":
        return _target(value, t)
    if field == "status":
        return t(f"status.{value}") if i18n.has(f"status.{value}") else str(value)
    if field == "team" and isinstance(value, dict):
        return "; ".join(f"{t('changes.team.' + k)}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_record(field, x, t) if isinstance(x, dict) else str(x) for x in value)
    return str(_date(value, t))


def word_diff(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The old and the new text as ``(op, piece)`` runs, ``op`` ``same``, ``del`` or ``ins``: only changed words marked."""
    a, b = re.findall(r"^\s+|\S+\s*", old), re.findall(r"^\s+|\S+\s*", new)  # a word with its trailing space
    before: list[tuple[str, str]] = []
    after: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            before.append(("same", "".join(a[a1:a2])))
            after.append(("same", "".join(b[b1:b2])))
            continue
        if a2 > a1:
            before.append(("del", "".join(a[a1:a2])))
        if b2 > b1:
            after.append(("ins", "".join(b[b1:b2])))
    return before, after


def _words(old: Any, new: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | tuple[None, None]:
    """Word runs for two texts that share words; ``(None, None)`` otherwise (shown whole)."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return None, None
    before, after = word_diff(old, new)
    if not any(op == "same" and piece.strip() for op, piece in before):
        return None, None
    return before, after


def field_rows(changes: list[FieldChange], t: Translate) -> list[dict[str, Any]]:
    """Label, old and new text of each change; list fields also name the items added and removed."""
    rows = []
    for c in changes:
        if c.field == "branches" and c.old and c.new:
            rows.extend(_branch_rows(c, t))
            continue
        row = {"field": c.field, "label": t(f"changes.field.{c.field}"),
               "old": describe(c.field, c.old, t), "new": describe(c.field, c.new, t),
               "added": [], "removed": []}
        row["old_words"], row["new_words"] = _words(c.old, c.new)
        if isinstance(c.old, list) and isinstance(c.new, list) and (c.added or c.removed):
            row["added"] = [describe(c.field, [x], t) for x in c.added]
            row["removed"] = [describe(c.field, [x], t) for x in c.removed]
        rows.append(row)
    return rows


def _branch_rows(c: FieldChange, t: Translate) -> list[dict[str, Any]]:
    """One row per decision branch that was added, removed or leads elsewhere, named by its label."""
    old = {b["label"]: b for b in c.old}
    new = {b["label"]: b for b in c.new}
    rows = []
    for label in list(new) + [x for x in old if x not in new]:
        a, b = old.get(label), new.get(label)
        if a == b:
            continue
        rows.append({"field": "branches", "label": f"{t('changes.field.branches')} “{label}”",
                     "old": _branch(a, t), "new": _branch(b, t), "added": [], "removed": [],
                     "old_words": None, "new_words": None})
    if not rows:  # same branches, other order
        rows.append({"field": "branches", "label": t("changes.field.branches"), "old": describe("branches", c.old, t),
                     "new": describe("branches", c.new, t), "added": [], "removed": [],
                     "old_words": None, "new_words": None})
    return rows


def _branch(b: dict[str, Any] | None, t: Translate) -> str:
    if b is None:
        return t("changes.empty")
    p = f" ({b['probability']:g}%)" if b.get("probability") is not None else ""
    return f"{_target(b.get('target'), t)}{p}"


def step_heading(s: StepChange, t: Translate) -> str:
    if s.kind == "added":
        return t("changes.step.added", n=s.new_number)
    if s.kind == "removed":
        return t("changes.step.removed", n=s.old_number)
    if s.kind == "moved":
        return t("changes.step.moved", old=s.old_number, n=s.new_number)
    if s.old_number != s.new_number:
        return t("changes.step.renumbered", old=s.old_number, n=s.new_number)
    return t("changes.step.changed", n=s.new_number)


def _section_name(name: str, t: Translate) -> str:
    return name or t("changes.section.preamble")


def summary(diff: SopDiff, t: Translate) -> str:
    c = diff.counts()
    return t("changes.summary", added=c["added"], removed=c["removed"], moved=c["moved"], changed=c["changed"],
             fields=len(diff.front_matter), sections=len(diff.sections))


def _side(side: Side, t: Translate) -> str:
    return t("changes.side", v=side.version if side.version is not None else "?", label=_label(side, t))


# -- text ---------------------------------------------------------------------

def text_report(diff: SopDiff, t: Translate) -> str:
    """The diff as plain text (``sop diff``)."""
    out = [f"{diff.new.id or diff.old.id or ''}: " + t("changes.between", old=_side(diff.old, t), new=_side(diff.new, t))]
    if diff.empty:
        out.append(t("changes.none"))
        return "\n".join(out) + "\n"
    out.append(summary(diff, t))

    def fields(rows: list[dict[str, Any]], indent: str) -> None:
        for r in rows:
            if r["added"] or r["removed"]:
                out.append(f"{indent}{r['label']}:")
                out.extend(f"{indent}  - {x}" for x in r["removed"])
                out.extend(f"{indent}  + {x}" for x in r["added"])
            elif "→" in r["old"] + r["new"] or len(r["old"]) + len(r["new"]) > 70:
                out.append(f"{indent}{r['label']}:")
                out.append(f"{indent}  {t('changes.col.old')}: {r['old']}")
                out.append(f"{indent}  {t('changes.col.new')}: {r['new']}")
            else:
                out.append(f"{indent}{r['label']}: {r['old']} → {r['new']}")

    if diff.front_matter:
        out += ["", t("changes.front_matter") + ":"]
        fields(field_rows(diff.front_matter, t), "  ")
    if diff.steps:
        out += ["", t("changes.steps") + ":"]
        mark = {"added": "+", "removed": "-", "moved": "↕", "changed": "~"}
        for s in diff.steps:
            out.append(f"  {mark[s.kind]} {step_heading(s, t)}: {s.activity}")
            fields(field_rows(s.fields, t), "      ")
    if diff.sections:
        out += ["", t("changes.sections") + ":"]
        mark = {"added": "+", "removed": "-", "changed": "~"}
        for sec in diff.sections:
            out.append(f"  {mark[sec.kind]} " + t(f"changes.section.{sec.kind}", name=_section_name(sec.heading, t)))
            a, b = (sec.old or "").splitlines(), (sec.new or "").splitlines()
            out.extend(f"      - {x}" for x in a if x not in b)
            out.extend(f"      + {x}" for x in b if x not in a)
    return "\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------

def html_fragment(diff: SopDiff, t: Translate, *, title: str | None = None, intro: str | None = None,
                  note: str | None = None) -> str:
    """The diff as an HTML ``<section>`` (escaped; page section and ``sop diff --format html``)."""
    steps = [{"kind": s.kind, "heading": step_heading(s, t), "activity": s.activity,
              "rows": field_rows(s.fields, t)} for s in diff.steps]
    sections = []
    for s in diff.sections:
        old_words, new_words = _words(s.old, s.new)
        sections.append({"kind": s.kind, "heading": t(f"changes.section.{s.kind}", name=_section_name(s.heading, t)),
                         "old": s.old, "new": s.new, "old_words": old_words, "new_words": new_words})
    return render("changes.html", t=t, title=title or t("changes.title_plain"), intro=intro, note=note,
                  empty=diff.empty, summary=summary(diff, t), front=field_rows(diff.front_matter, t),
                  steps=steps, sections=sections)


def html_document(diff: SopDiff, t: Translate, lang: str, *, title: str | None = None) -> str:
    """A self-contained HTML page (no external resources) for ``sop diff --format html``."""
    heading = title or f"{diff.new.id or diff.old.id or ''}: " + t(
        "changes.between", old=_side(diff.old, t), new=_side(diff.new, t))
    return render("changes_document.html", lang=lang, heading=heading, css=Markup(_css()),
                  body=Markup(html_fragment(diff, t, title=heading)))


def _css() -> str:
    return (resources.files("sop_plugin") / "assets" / "sop-changes.css").read_text(encoding="utf-8")


def html_note(message: str, t: Translate, lang: str) -> str:
    """A self-contained page holding one message (``sop diff --since-signed`` without the signed text)."""
    body = render("changes.html", t=t, title=t("changes.title_signed"), intro=None, note=message, empty=False,
                  summary="", front=[], steps=[], sections=[])
    return render("changes_document.html", lang=lang, heading=t("changes.title_signed"), css=Markup(_css()),
                  body=Markup(body))


# -- the page section -----------------------------------------------------------

@block("changes", slot="header", order=15)  # right under the title: the reviewer starts here
def changes_block(sop: Sop, ctx: RenderContext) -> str | None:
    """"Perubahan sejak versi N" on the page of a draft or review version."""
    if sop.status not in (Status.DRAFT, Status.REVIEW) or not ctx.settings.audit_git:
        return None
    found = previous_version(sop, ctx.corpus.root, ctx.settings)
    if found is None:
        return None
    diff, base = found
    v = base.version if base.version is not None else "?"
    t = i18n.Translator(ctx.lang)
    return html_fragment(diff, t, title=t("changes.title", v=v), intro=t("changes.intro", v=v, label=_label(diff.old, t)))
