"""The SOP-AP flowchart table (Permenpan RB No. 35/2012), laid out in Python.

Conventions (documented for readers in ``docs/guide/printing.md``):

* Columns: No, Kegiatan, one column per pelaksana (order of first
  appearance), Mutu Baku (Kelengkapan, Waktu, Output), Keterangan.
  Step N is row N; nothing is ever reordered.
* Symbols (five kinds, ``data-kind``):
  ``terminator`` (kapsul) — the first activity (start) and every plain step
  that ends the procedure are drawn as capsules, as in SOP-AP practice.  A
  procedure whose first step is a decision gets a small "Mulai" capsule above
  it; a decision branch that ends the procedure leads to a small "Selesai"
  capsule next to the diamond (or, when there is no room, in a closing row).
  ``process`` (kotak) — every other activity.  ``decision`` (belah ketupat) —
  a step with ``keputusan``; its branches leave from the bottom, right and
  left vertices with their labels.  Flow lines (anak panah) are orthogonal;
  a line to the following row goes down and across, longer forward jumps run
  down in the corridor to the right of the lanes involved, loops run back up
  in the corridor to their left, so no line crosses a symbol.
  ``connector`` (segilima) — a handover to another SOP (``sop:``, a link
  to that SOP's page, drawn under the step) and the off-page connectors
  where the table breaks across printed pages.
* Printing: ``assets/sop-print.js`` cuts the table into A4 landscape pages
  at print time from the *measured* rows (the browser's Print and ``sop
  export --pdf`` alike).  Every page is its own ``<table>`` with its header;
  each flow line that crosses a cut ends in a lettered segilima at the bottom
  of one page and starts again from the same letter at the top of the next.
  On screen the connector rows and repeated headers are hidden and the pages
  read as one continuous table.

Modules: :mod:`.geometry` (columns, rows, symbols and routed flow lines as
typed plain data, so tests can check them), :mod:`.svg` (each row's drawing,
with the geometry as ``data-*`` attributes), :mod:`.pages` (the flow lines crossing
each row boundary, for the print script) and :mod:`.block` (the page block and its table).
"""

from ...paper import TABLE_WIDTH, Columns, columns
from .block import sopap_block, sopap_html
from .geometry import Edge, Kind, Layout, Point, Row, Side, Symbol, layout
from .pages import CONNECTOR_ROW, Crossing, crossings, letters

__all__ = ["CONNECTOR_ROW", "TABLE_WIDTH", "Columns", "Crossing", "Edge", "Kind", "Layout", "Point", "Row", "Side",
           "Symbol", "columns", "crossings", "letters", "layout", "sopap_block", "sopap_html"]
