"""Read the procedure section of an SOP body into :class:`Step` objects.

markdown-it-py (CommonMark) keeps the source lines of every block, so each
step, field and branch knows its line.  The page renders steps from the
same objects, so the linter and the page always agree on what a step is.
"""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .. import aliases, codes, limits
from ..i18n import msg
from ..model import (
    Branch,
    Calendar,
    Decision,
    FieldLines,
    Diagnostic,
    Procedure,
    Section,
    Step,
    Target,
    document_list,
)
from ..settings import DEFAULT_HEADINGS
from .duration import parse_duration, why_not_duration


# Every pattern here runs on author text of any length: no pattern may backtrack
# over a run of characters more than once (a heading of 100,000 spaces must stay
# linear), and numbers are ASCII digits only ('²' and '①' are digits to \d and
# to str.isdigit, but not to int()).
_ANCHOR_NAME = re.compile(r"#([A-Za-z0-9_.:-]+)")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_ ]*")
_BRANCH = re.compile(
    r"^(?P<label>.*?)\s*(?:\(\s*(?P<p>[0-9]+(?:[.,][0-9]+)?)\s*%\s*\))?\s*(?:->|→|=>)\s*(?P<target>.*?)\s*$",
    re.DOTALL,
)
_UNREAD_PERCENT = re.compile(r"\([^()]*%\s*\)$")  # "(٨٠%)": a probability, but not in digits 0-9
_STEP_WORD = re.compile(r"^(?:langkah|step|no\.?)\s*([0-9]+)$", re.IGNORECASE)

_md = MarkdownIt("commonmark")


@dataclass
class ParsedBody:
    procedure: Procedure | None
    sections: list[Section] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _norm_heading(text: str) -> str:
    """``Prosedur:`` and ``prosedur  `` both name the procedure heading."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] == ":"):
        end -= 1
    return text[:end].strip().casefold()


def split_anchor(text: str) -> tuple[str, str | None]:
    """``"Memeriksa berkas. {#cek}"`` -> ``("Memeriksa berkas.", "cek")``; no anchor: ``(text, None)``."""
    stripped = text.rstrip()
    if not stripped.endswith("}"):
        return text, None
    start = stripped.rfind("{")
    m = _ANCHOR_NAME.fullmatch(stripped[start + 1:-1].strip()) if start >= 0 else None
    if m is None:
        return text, None
    return stripped[:start].rstrip(), m.group(1)


def split_field(raw: str) -> tuple[str, str] | None:
    """``"pelaksana: Pemohon"`` -> ``("pelaksana", "Pemohon")``; ``None`` unless it reads ``key: value``."""
    key, colon, value = raw.partition(":")
    key = key.strip()
    if not colon or not _KEY.fullmatch(key):
        return None
    return key, value


def parse_body(
    body: str,
    body_line: int,
    path: str,
    *,
    headings: tuple[str, ...] = DEFAULT_HEADINGS,
    calendar: Calendar | None = None,
) -> ParsedBody:
    """Find the procedure section of ``body`` and read its steps."""
    cal = calendar or Calendar()
    lines = body.splitlines()
    root = SyntaxTreeNode(_md.parse(body))
    wanted = {_norm_heading(h) for h in headings}
    out = ParsedBody(procedure=None)
    blocks = list(root.children)

    proc_starts: list[int] = []
    for i, node in enumerate(blocks):
        if node.type == "heading" and node.map:
            text = node.children[0].content if node.children else ""
            text, _ = split_anchor(text)
            level = int(node.tag[1])
            out.sections.append(Section(heading=text.strip(), level=level, line=node.map[0] + body_line))
            if _norm_heading(text) in wanted:
                proc_starts.append(i)

    if not proc_starts:
        return out
    for extra in proc_starts[1:]:
        node = blocks[extra]
        out.diagnostics.append(codes.MANY_PROCEDURES.at(
            path, node.map[0] + body_line,
            msg("diag.procedure.second_section", heading=node.children[0].content,
                line=blocks[proc_starts[0]].map[0] + body_line)))

    start = proc_starts[0]
    head = blocks[start]
    level = int(head.tag[1])
    end = len(blocks)
    for j in range(start + 1, len(blocks)):
        if blocks[j].type == "heading" and int(blocks[j].tag[1]) <= level:
            end = j
            break
    end_line = (blocks[end].map[0] if end < len(blocks) else len(lines)) + body_line
    proc = Procedure(heading=head.children[0].content.strip(), line=head.map[0] + body_line, end_line=end_line)
    out.procedure = proc

    olist = next((b for b in blocks[start + 1:end] if b.type == "ordered_list"), None)
    if olist is None:
        out.diagnostics.append(codes.EMPTY_PROCEDURE.at(
            path, proc.line, msg("diag.procedure.no_list", heading=proc.heading)))
        return out

    reader = _StepReader(path, body_line, lines, cal, out.diagnostics)
    written: list[int] = []
    for number, item in enumerate(olist.children, start=1):
        if number > limits.MAX_STEPS:
            out.diagnostics.append(codes.TOO_MANY_STEPS.at(
                path, reader.at(item), msg("diag.procedure.too_many_steps", count=len(olist.children),
                                           limit=limits.MAX_STEPS, step=number)))
            break
        proc.steps.append(reader.step(number, item))
        try:
            written.append(int(item.info))
        except (TypeError, ValueError):
            written.append(number)
    if len(set(written)) > 1 and written != list(range(written[0], written[0] + len(written))):
        bad = next(i for i, w in enumerate(written) if w != written[0] + i)
        out.diagnostics.append(codes.NUMBERING.at(
            path, proc.steps[bad].line,
            msg("diag.procedure.numbering", step=bad + 1, written=written[bad])))
    elif written and written[0] != 1 and len(set(written)) > 1:
        out.diagnostics.append(codes.NUMBERING.at(
            path, proc.steps[0].line, msg("diag.procedure.numbering_start", start=written[0])))
    _resolve(proc, path, out.diagnostics)
    return out


class _StepReader:
    def __init__(self, path: str, body_line: int, lines: list[str], cal: Calendar, diags: list[Diagnostic]):
        self.path = path
        self.body_line = body_line
        self.lines = lines
        self.cal = cal
        self.diags = diags

    def at(self, node: SyntaxTreeNode) -> int:
        return (node.map[0] if node.map else 0) + self.body_line

    def source(self, node: SyntaxTreeNode) -> str:
        a, b = node.map if node.map else (0, 0)
        return textwrap.dedent("\n".join(self.lines[a:b])).strip()

    def step(self, number: int, item: SyntaxTreeNode) -> Step:
        line = self.at(item)
        children = list(item.children)
        activity = ""
        anchor = None
        if children and children[0].type == "paragraph":
            activity = " ".join(children[0].children[0].content.split()) if children[0].children else ""
            children = children[1:]
        activity, anchor = split_anchor(activity)
        step = Step(number=number, activity=activity, line=line, anchor=anchor)
        fields_done = False
        lines: dict[str, int] = {}
        details: list[str] = []
        for child in children:
            if child.type == "bullet_list" and not fields_done:
                fields_done = True
                for field_item in child.children:
                    self.field(step, field_item, lines)
            else:
                text = self.source(child)
                if text:
                    details.append(text)
        step.field_lines = FieldLines(lines)
        if details:
            step.details = details
        if not activity:
            self.diags.append(codes.MISSING_FIELD.at(
                self.path, line, msg("diag.procedure.no_activity", step=number),
                msg("diag.procedure.no_activity_hint")))
        return step

    def field(self, step: Step, item: SyntaxTreeNode, lines: dict[str, int]) -> None:
        """Read one field of ``step``; ``lines``: the line of each field read so far."""
        line = self.at(item)
        kids = list(item.children)
        first = kids[0] if kids else None
        raw = first.children[0].content if first is not None and first.type == "paragraph" and first.children else ""
        kv = split_field(raw)
        if kv is None:
            self.diags.append(codes.BAD_STEP_ITEM.at(
                self.path, line, msg("diag.procedure.not_a_field", step=step.number, text=_short(raw))))
            return
        key, value = kv[0], " ".join(kv[1].split())
        canon = aliases.canonical("step", key)
        if canon is None:
            self.diags.append(codes.UNKNOWN_STEP_FIELD.at(
                self.path, line, msg("diag.procedure.unknown_field", step=step.number, key=key),
                aliases.key_hint("step", key)))
            return
        if canon in lines:
            self.diags.append(codes.DUPLICATE_STEP_FIELD.at(
                self.path, line,
                msg("diag.procedure.repeated_field", step=step.number, key=key,
                    same=aliases.display_key("step", canon), line=lines[canon]),
                msg("diag.keep_one")))
            return
        lines[canon] = line
        nested = next((k for k in kids[1:] if k.type == "bullet_list"), None)
        if canon == "decision":
            step.decision = self.decision(step, value, line, nested)
            return
        if nested is not None:
            self.diags.append(codes.BAD_STEP_ITEM.at(
                self.path, self.at(nested),
                msg("diag.procedure.nested_list", step=step.number),
                msg("diag.procedure.nested_list_hint")))
        if not value:
            self.diags.append(codes.EMPTY_FIELD.at(
                self.path, line, msg("diag.procedure.empty_field", step=step.number, key=key),
                msg("diag.procedure.empty_field_hint", key=key)))
            return
        # names and times recur across steps and SOPs: interned, a portal holds each spelling once
        if canon == "actor":
            step.actor = sys.intern(value)
        elif canon == "inputs":
            step.inputs = [sys.intern(name) for name in document_list(value)]
        elif canon == "duration":
            value = step.duration_text = sys.intern(value)
            step.duration = parse_duration(value, self.cal)
            if step.duration is None:
                problem, hint = why_not_duration(value, self.cal)
                self.diags.append(codes.BAD_DURATION.at(
                    self.path, line, msg("diag.procedure.bad_duration", step=step.number, problem=problem), hint))
        elif canon == "output":
            step.output = sys.intern(value)
        elif canon == "notes":
            step.notes = value
        elif canon == "next":
            step.next = Target(raw=value, line=line)
        elif canon == "sop":
            step.sop = value

    def decision(self, step: Step, question: str, line: int, nested: SyntaxTreeNode | None) -> Decision:
        dec = Decision(question=question, line=line)
        if nested is None:
            return dec
        for b in nested.children:
            bline = self.at(b)
            para = b.children[0] if b.children and b.children[0].type == "paragraph" else None
            raw = " ".join(para.children[0].content.split()) if para and para.children else ""
            m = _BRANCH.match(raw)
            if not m or not m.group("target"):
                self.diags.append(codes.BAD_BRANCH.at(
                    self.path, bline, msg("diag.procedure.bad_branch", step=step.number, text=_short(raw))))
                continue
            p = m.group("p")
            if p is None and _UNREAD_PERCENT.search(m.group("label")):
                self.diags.append(codes.BAD_BRANCH.at(
                    self.path, bline, msg("diag.procedure.bad_probability_digits", step=step.number, text=_short(raw)),
                    msg("diag.procedure.bad_probability_digits_hint")))
                continue
            probability = float(p.replace(",", ".")) if p else None
            if probability is not None and not 0 <= probability <= 100:  # also 309 nines: float infinity
                self.diags.append(codes.BAD_PROBABILITY.at(
                    self.path, bline, msg("diag.procedure.probability_over_100", step=step.number, p=_short(p, 20)),
                    msg("diag.procedure.probability_over_100_hint")))
                probability = None
            dec.branches.append(Branch(
                label=m.group("label").strip(),
                target=Target(raw=m.group("target").strip(), line=bline),
                line=bline,
                probability=probability,
            ))
        return dec


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _resolve(proc: Procedure, path: str, diags: list[Diagnostic]) -> None:
    """Point every target at its step; report duplicate anchors."""
    anchors: dict[str, int] = {}
    for s in proc.steps:
        if not s.anchor:
            continue
        key = s.anchor.casefold()
        if key in anchors:
            diags.append(codes.DUPLICATE_ANCHOR.at(
                path, s.line, msg("diag.procedure.duplicate_anchor", step=s.number, anchor=s.anchor,
                                  other=anchors[key]),
                msg("diag.procedure.duplicate_anchor_hint")))
        else:
            anchors[key] = s.number
    count = len(proc.steps)
    for s in proc.steps:
        targets = [s.next] if s.next else []
        if s.decision:
            targets += [b.target for b in s.decision.branches]
        for t in targets:
            resolve_target(t, anchors, count)


def resolve_target(t: Target, anchors: dict[str, int], count: int) -> None:
    raw = t.raw.strip().strip("`").strip()
    word = raw.casefold()
    if word in aliases.END_WORDS:
        t.is_end = True
        return
    m = _STEP_WORD.match(raw)
    digits = m.group(1) if m else raw
    if digits.isascii() and digits.isdigit():
        # a number of any length is a step number; one longer than any step count is dangling
        n = int(digits) if len(digits) <= limits.MAX_NUMBER_DIGITS else 0
        t.step = n if 1 <= n <= count else None
        return
    name = word.lstrip("#")
    if name in anchors:
        t.step = anchors[name]
