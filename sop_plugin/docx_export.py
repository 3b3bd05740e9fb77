"""The SOP-AP document as a Word file (``sop export ID --docx OUT.docx``).

Offices edit and file Word documents.  The document holds, on A4 landscape
pages, in the page language:

1. the identity table (institution, unit, number, dates, approver, legal
   basis, qualifications, related SOPs, equipment, warnings, records);
2. the lembar pengesahan: one column per approver (pembuat, pemeriksa,
   pimpinan) with an empty box for a wet signature;
3. the procedure as a native Word table: No, Kegiatan, Pelaksana, Mutu Baku
   (Kelengkapan, Waktu, Output) and Keterangan, its header repeated on every
   page;
4. the SOP-AP flowchart as high-resolution PNG images (one per printed
   chunk), rendered by the Chromium that prints the PDF (see
   :mod:`sop_plugin.cli.export_docx`).

This module only arranges the document from the model; it never runs a
browser.  Author text goes into Word runs as plain text (python-docx
escapes it); inline Markdown is reduced to its text.
"""

from __future__ import annotations

import html
import io
import re
import struct
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

from .model import ROLE_ORDER, Role, Sop, Step
from .render.context import RenderContext
from .render.identity import format_date, unit_names
from .render.templating import inline_markdown

PAGE_W, PAGE_H = Cm(29.7), Cm(21.0)
MARGIN = Cm(1.5)
# column widths of the procedure table (cm): No, Kegiatan, Pelaksana, Kelengkapan, Waktu, Output, Keterangan
PROCEDURE_WIDTHS = (1.1, 7.4, 3.6, 4.4, 2.4, 3.8, 4.0)

_TAG = re.compile(r"<[^>]+>")


def plain(text: str | None) -> str:
    """Author text with its inline Markdown reduced to plain text (``**a**`` -> ``a``)."""
    if not text:
        return ""
    return html.unescape(_TAG.sub("", inline_markdown(text))).strip()


def build_document(sop: Sop, ctx: RenderContext, flowchart: list[bytes] | None = None):
    """The Word document (a python-docx ``Document``); ``flowchart``: PNG images of the SOP-AP table."""
    doc = Document()
    _page_setup(doc)
    t = ctx.t
    title = doc.add_heading(level=1)
    title.add_run(f"{sop.id or ''} ").bold = False
    title.add_run(plain(sop.title) or "")
    _identity(doc, sop, ctx)
    _page_break(doc)
    doc.add_heading(t("approvals.title"), level=2)
    _approvals(doc, sop, ctx)
    _page_break(doc)
    doc.add_heading(t("docx.procedure"), level=2)
    _procedure(doc, sop, ctx)
    if flowchart:
        _page_break(doc)
        doc.add_heading(t("sopap.caption", title=plain(sop.title) or (sop.id or "")), level=2)
        for k, png in enumerate(flowchart):
            if k:
                _page_break(doc)
            _picture(doc, png)
    return doc


def write_docx(sop: Sop, ctx: RenderContext, out: Path, flowchart: list[bytes] | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    build_document(sop, ctx, flowchart).save(str(out))
    return out


# -- parts -------------------------------------------------------------------

def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_W, PAGE_H
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)


def _identity(doc, sop: Sop, ctx: RenderContext) -> None:
    t = ctx.t
    inst = ctx.settings.institution.name or ""
    leader = sop.approval(Role.LEADER)
    rows = [
        (t("docx.institution"), inst),
        (t("docx.unit"), " / ".join(unit_names(sop, ctx))),
        (t("identity.number"), sop.id or ""),
        (t("identity.sop_title"), plain(sop.title)),
        (t("identity.version"), "" if sop.version is None else str(sop.version)),
        (t("docx.status"), t(f"status.{sop.status.value}") if sop.status else ""),
        (t("identity.created"), format_date(sop.created, ctx.lang)),
        (t("identity.revised"), format_date(sop.revised, ctx.lang)),
        (t("identity.effective"), format_date(sop.effective, ctx.lang)),
        (t("identity.approved_by"), _approver(leader, ctx)),
    ]
    table = _table(doc, len(rows), 2, widths=(7.0, 19.7))
    for r, (label, value) in enumerate(rows):
        _set(table.cell(r, 0), label, bold=True)
        _set(table.cell(r, 1), value or t("identity.none"))
    doc.add_paragraph()
    related = [f"{rid} {plain(getattr(ctx.corpus.get(rid), 'title', '') or '')}".strip() for rid in sop.related]
    pairs = [
        ((t("identity.legal_basis"), sop.legal_basis), (t("identity.qualifications"), sop.qualifications)),
        ((t("identity.related"), related), (t("identity.equipment"), sop.equipment)),
        ((t("identity.warnings"), sop.warnings), (t("identity.records"), sop.records)),
    ]
    table = _table(doc, len(pairs) * 2, 2, widths=(13.35, 13.35))
    for r, pair in enumerate(pairs):
        for c, (label, values) in enumerate(pair):
            _set(table.cell(2 * r, c), label, bold=True, shade=True)
            _lines(table.cell(2 * r + 1, c), [plain(str(v)) for v in values if str(v).strip()] or [t("identity.none")],
                   numbered=len(values) > 1)


def _approver(a, ctx: RenderContext) -> str:
    if a is None:
        return ""
    parts = [a.position, a.name]
    if a.nip:
        parts.append(ctx.t("identity.nip", nip=a.nip))
    return "\n".join(p for p in parts if p)


def _approvals(doc, sop: Sop, ctx: RenderContext) -> None:
    """Three columns: meaning, position, an empty box for the wet signature, name, NIP, date."""
    t = ctx.t
    table = _table(doc, 6, len(ROLE_ORDER), widths=(8.9, 8.9, 8.9))
    for c, role in enumerate(ROLE_ORDER):
        a = sop.approval(role)
        _set(table.cell(0, c), t(f"role.{role.value}.meaning"), bold=True, center=True, shade=True)
        _set(table.cell(1, c), a.position if a and a.position else t(f"role.{role.value}"), center=True)
        _set(table.cell(2, c), "", center=True)  # room for the wet signature
        _set(table.cell(3, c), a.name if a else t("approvals.empty"), bold=bool(a), center=True)
        _set(table.cell(4, c), t("identity.nip", nip=a.nip) if a and a.nip else "", center=True)
        _set(table.cell(5, c), t("approvals.date", date=format_date(a.date, ctx.lang)) if a and a.date
             else t("approvals.date", date=""), center=True)
    row = table.rows[2]
    row.height = Cm(3.2)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def procedure_rows(sop: Sop, ctx: RenderContext) -> list[tuple[str, ...]]:
    """One tuple per step: No, Kegiatan, Pelaksana, Kelengkapan, Waktu, Output, Keterangan."""
    steps = sop.procedure.steps if sop.procedure else []
    return [(str(s.number), plain(s.activity), s.actor or "", "; ".join(plain(i) for i in s.inputs),
             s.duration_text or "", plain(s.output), _notes(s, ctx)) for s in steps]


def _notes(step: Step, ctx: RenderContext) -> str:
    """Keterangan: the author's note, the decision and its branches, a hand-over to another SOP."""
    t = ctx.t
    lines = [plain(step.notes)] if step.notes else []
    if step.decision:
        lines.append(plain(step.decision.question))
        for b in step.decision.branches:
            target = t("docx.to_end") if b.target.is_end else (
                t("docx.to_step", n=b.target.step) if b.target.step is not None else b.target.raw)
            lines.append(f"{plain(b.label)} → {target}")
    elif step.next is not None and (step.next.is_end or step.next.step not in (None, step.number + 1)):
        lines.append("→ " + (t("docx.to_end") if step.next.is_end else
                             t("docx.to_step", n=step.next.step) if step.next.step is not None else step.next.raw))
    if step.sop:
        lines.append(t("sopap.handover", id=step.sop))
    return "\n".join(lines)


def _procedure(doc, sop: Sop, ctx: RenderContext) -> None:
    t = ctx.t
    rows = procedure_rows(sop, ctx)
    table = _table(doc, 2 + len(rows), 7, widths=PROCEDURE_WIDTHS)
    for c, key in ((0, "sopap.col.no"), (1, "sopap.col.activity"), (2, "sopap.col.actors"), (6, "sopap.col.notes")):
        top = table.cell(0, c).merge(table.cell(1, c))
        _set(top, t(key), bold=True, center=True, shade=True)
    quality = table.cell(0, 3).merge(table.cell(0, 5))
    _set(quality, t("sopap.col.quality"), bold=True, center=True, shade=True)
    for c, key in ((3, "sopap.col.inputs"), (4, "sopap.col.duration"), (5, "sopap.col.output")):
        _set(table.cell(1, c), t(key), bold=True, center=True, shade=True)
    for header in table.rows[:2]:
        _repeat_header(header)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values):
            _set(table.cell(r, c), value, center=(c in (0, 4)))
        _keep_row_together(table.rows[r])


def _picture(doc, png: bytes) -> None:
    width, height = png_size(png)
    max_w = PAGE_W - 2 * MARGIN
    max_h = PAGE_H - 2 * MARGIN - Cm(1.6)  # under the heading
    scale = min(max_w / width, max_h / height)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(png), width=Emu(int(width * scale)), height=Emu(int(height * scale)))


def png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


# -- python-docx helpers -------------------------------------------------------

def _table(doc, rows: int, cols: int, widths: tuple[float, ...]):
    table = doc.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, w in enumerate(widths):
        for cell in table.columns[c].cells:
            cell.width = Cm(w)
    return table


def _set(cell, text: str, *, bold: bool = False, center: bool = False, shade: bool = False) -> None:
    """Write ``text`` into ``cell`` (one paragraph per line)."""
    _lines(cell, text.split("\n") if text else [""], bold=bold, center=center)
    if shade:
        props = cell._tc.get_or_add_tcPr()
        fill = OxmlElement("w:shd")
        fill.set(qn("w:val"), "clear")
        fill.set(qn("w:color"), "auto")
        fill.set(qn("w:fill"), "E7E9F2")
        props.append(fill)


def _lines(cell, lines: list[str], *, bold: bool = False, center: bool = False, numbered: bool = False) -> None:
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for k, line in enumerate(lines):
        p = first if k == 0 else cell.add_paragraph()
        p.text = ""
        run = p.add_run(f"{k + 1}. {line}" if numbered else line)
        run.bold = bold
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)


def _keep_row_together(row) -> None:
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    props.append(el)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
