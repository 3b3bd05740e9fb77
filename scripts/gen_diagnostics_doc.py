#!/usr/bin/env python3
"""Write the table of diagnostic codes into docs/reference/diagnostics.md.

The table is generated from ``sop_plugin.codes.REGISTRY`` and written
between the markers ``<!-- BEGIN diagnostics table -->`` and
``<!-- END diagnostics table -->``; the prose around it is hand-written.

    python scripts/gen_diagnostics_doc.py           # rewrite the table
    python scripts/gen_diagnostics_doc.py --check   # exit 1 if the doc is out of date

A new code needs nothing here: its registry title and hint fill the row.
``ADVICE`` and ``EXAMPLES`` only make rows more concrete.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop_plugin.codes import REGISTRY, Code  # noqa: E402

DOC = ROOT / "docs" / "reference" / "diagnostics.md"
BEGIN = "<!-- BEGIN diagnostics table -->"
END = "<!-- END diagnostics table -->"

RANGES = {
    "1": "SOP1xx — file and front matter",
    "2": "SOP2xx — references across files",
    "3": "SOP3xx — procedure and flow",
    "4": "SOP4xx — approvals and signatures",
    "5": "SOP5xx — lifecycle",
    "6": "SOP6xx — simulation and analysis",
    "9": "SOP9xx — the tool itself",
}

# What to do, for codes whose registry hint is empty (the message itself is specific).
ADVICE = {
    "SOP102": "Fix the spelling; the hint names the closest known key (English or Indonesian).",
    "SOP103": "Write the value in the shape the key expects: text, a list `[a, b]`, a whole number, "
              "true/false, or indented `key: value` lines.",
    "SOP104": "Add the field the message names (`id`, `title`, `unit`, `status`, `version` when approved; "
              "an approval's `nama`/`jabatan`/`peran`; a step's activity text).",
    "SOP106": "Use the organisation's numbering (default: two or more parts of letters and digits joined by `-`, `.`, `/` or `_`, e.g. `SOP-UMUM-001`; stricter with the `id_pattern` option).",
    "SOP109": "Use one of the values the hint lists (e.g. `pass`/`fail`, `maker`/`reviewer`/`leader`, "
              "`keep`/`revise`, or their Indonesian words).",
    "SOP110": "Correct the dates: a revision cannot precede the creation date.",
    "SOP112": "Correct the value: dates lie in the years 1900-2999, `interval_months` is 1-120, versions are "
              "at most 1,000,000 (see the guide's Limits page).",
    "SOP202": "Use a key of `units.yml` (the hint suggests a near one) or add the unit there.",
    "SOP203": "Use the id of an existing SOP, or remove it from `keterkaitan`.",
    "SOP204": "Use the id of an existing SOP after `sop:`.",
    "SOP205": "Use the id of the SOP that replaces this one, or remove `digantikan_oleh`.",
    "SOP206": "Fix `units.yml` at the line shown (YAML syntax, unknown key, unknown parent, a role in two units).",
    "SOP208": "Hand over to the SOP in force (the message names the successor when known).",
    "SOP303": "Use a step field: `pelaksana`, `kelengkapan`, `waktu`, `output`, `keterangan`, `keputusan`, "
              "`lanjut`, `sop` (or the English names).",
    "SOP306": "Point at a step number, a step anchor (`serah` / `#serah`), or `selesai`.",
    "SOP310": "Make the percentages add up to 100, or leave some branches without one (they share the rest).",
    "SOP312": "Give every step its own anchor name.",
    "SOP315": "Write the value after the colon, or remove the line.",
    "SOP316": "Keep one of the two lines (an English field and its Indonesian alias are the same field).",
    "SOP402": "Keep one approval per role.",
    "SOP407": "If the change is intended: raise the version, add a revisions entry, and sign again.",
    "SOP408": "Raise `version`, add a `riwayat_revisi` entry for it, and sign again.",
    "SOP410": "Add `tanggal: YYYY-MM-DD` to the approval (the day it was signed).",
    "SOP505": "Revise the SOP as the monitoring record recommends.",
    "SOP506": "Complete the draft before asking for approval.",
    "SOP507": "Correct the date; events that have not happened yet cannot be recorded.",
    "SOP604": "Nothing to do; the report lists the most likely paths.",
    "SOP607": "Write the procedure first.",
}

# A short example line per code: (line, message) as `sop lint` prints them.
EXAMPLES = {
    "SOP100": (1, "the file has no front matter"),
    "SOP101": (4, "front matter is not valid YAML: mapping values are not allowed here"),
    "SOP102": (12, "unknown key 'peralatann'"),
    "SOP103": (14, "'records' must be a list, not a mapping"),
    "SOP104": (1, "the front matter has no 'title'"),
    "SOP105": (13, "'equipment' repeats 'equipment / peralatan'"),
    "SOP106": (2, "SOP id 'UMUM 4' does not match the pattern ^[A-Za-z][A-Za-z0-9]*(?:[-./_][A-Za-z0-9]+)+$"),
    "SOP107": (6, "status is 'aktif', which is not one of draft, review, approved, effective, retired"),
    "SOP108": (7, "'created' is not a valid date: '2026-13-45'"),
    "SOP109": (37, "'result' is 'ok', which is not one of pass, fail"),
    "SOP110": (8, "revised (2025-12-01) is before created (2026-01-10)"),
    "SOP111": (1, "the file is 10.0 MB; an SOP file may be at most 1.0 MB"),
    "SOP112": (9, "'effective' is 9999-12-31, outside the years 1900-2999 this tool handles"),
    "SOP113": (1, "no SOP files (*.md) in sops"),
    "SOP900": (1, "internal error while analysing the procedure (ZeroDivisionError: float division by zero)"),
    "SOP201": (2, "SOP id 'SOP-UMUM-004' is already used by sops/biro-umum/a.md"),
    "SOP202": (4, "unit 'biro-umm' is not described in units.yml"),
    "SOP203": (14, "related SOP 'SOP-UMUM-005' does not exist"),
    "SOP204": (82, "step 4 hands over to 'SOP-KEU-009', which does not exist"),
    "SOP205": (14, "superseded_by names 'SOP-UMUM-099', which does not exist"),
    "SOP206": (12, "key 'keuangan' given twice"),
    "SOP207": (60, "actor 'Tamu' is not listed in any unit's roles"),
    "SOP208": (82, "step 4 hands over to the retired SOP 'SOP-KEU-002'; it is replaced by SOP-KEU-003"),
    "SOP300": (47, "the SOP has no 'Prosedur' section"),
    "SOP301": (84, "second procedure section 'Procedure' (the first is at line 54)"),
    "SOP302": (54, "the 'Prosedur' section has no numbered list of steps"),
    "SOP303": (68, "step 2: unknown field 'hasil'"),
    "SOP304": (79, "step 4 ('Menyerahkan barang kepada pemohon.') has no actor"),
    "SOP305": (75, "step 3: cannot read the duration 'sehari'"),
    "SOP306": (70, "step 2: branch 'Ya' goes to '7', which is not a step"),
    "SOP307": (73, "step 3 ('Menyusun dokumen pemesanan.') is never reached from step 1"),
    "SOP308": (79, "from step 4 ('Menyerahkan barang kepada pemohon.') the procedure can never end: "
                   "every path loops back without an exit"),
    "SOP309": (69, "step 2: the decision 'Anggaran tersedia?' has 1 branch"),
    "SOP310": (69, "step 2: the branch probabilities add up to 90 %, not 100 %"),
    "SOP311": (72, "step 2: cannot read the branch 'Entah'"),
    "SOP312": (73, "step 3 uses the anchor '#Cek-Anggaran' of step 2"),
    "SOP313": (68, "step 2 has both 'next' and a decision"),
    "SOP314": (63, "step 1: 'formulir terisi' is not a 'key: value' field"),
    "SOP315": (63, "step 1: 'output' has no value"),
    "SOP316": (63, "step 1: 'actor' repeats 'actor / pelaksana' from line 60"),
    "SOP317": (79, "step 4 is written as '5.'; targets count steps in written order"),
    "SOP318": (1261, "the procedure has 250 steps; at most 200 are read, so step 201 and the ones after it "
                     "are left out"),
    "SOP320": (61, "step 1: its row in the SOP-AP table runs to about 40 lines of documents (Kelengkapan), "
                   "more than a printed page holds"),
    "SOP401": (20, "an effective SOP needs the approval of the leader (pimpinan)"),
    "SOP402": (30, "a second approval for the reviewer (pemeriksa) (first at line 26)"),
    "SOP403": (30, "rina  LESTARI signs as leader (pimpinan) and as maker (pembuat)"),
    "SOP404": (29, "the reviewer (pemeriksa) signed on 2026-03-04, before the maker (pembuat) (2026-03-05)"),
    "SOP405": (34, "no simulation with result 'pass' is recorded before the leader's approval (2026-03-10)"),
    "SOP406": (21, "the maker (pembuat) approval of Rina Lestari has no digest"),
    "SOP407": (25, "the maker (pembuat) signature of Rina Lestari no longer matches the content; "
                   "changed since signing: step 3"),
    "SOP408": (5, "the content changed after signing but the version is still 2"),
    "SOP409": (25, "the maker (pembuat) signature of Rina Lestari: the digest does not start with 'sha256:'"),
    "SOP410": (26, "the reviewer (pemeriksa) approval has no date"),
    "SOP501": (9, "effective on 2026-03-09, before the leader's approval on 2026-03-10"),
    "SOP502": (6, "the SOP is effective but has no effective date"),
    "SOP503": (42, "the periodic review was due on 2027-04-01 (61 days ago)"),
}

EXAMPLE_FILE = "sops/biro-umum/permintaan-barang.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _example(c: Code) -> str:
    line, message = EXAMPLES.get(c.code, (1, c.title))
    return f"{EXAMPLE_FILE}:{line}:1: {c.code} {c.severity.value}: {message}"


def table() -> str:
    """The generated part of the document (without the markers)."""
    groups: dict[str, list[Code]] = {}
    for code in sorted(REGISTRY):
        groups.setdefault(code[3], []).append(REGISTRY[code])
    out: list[str] = []
    for digit, items in groups.items():
        out.append(f"### {RANGES.get(digit, f'SOP{digit}xx')}")
        out.append("")
        out.append("| Code | Severity | Meaning | What to do |")
        out.append("|---|---|---|---|")
        for c in items:
            advice = ADVICE.get(c.code) or (c.hint[:1].upper() + c.hint[1:] + "." if c.hint else "See the message.")
            out.append(f"| <span id=\"{c.code.lower()}\"></span>`{c.code}` | {c.severity.value} | "
                       f"{_cell(c.title[:1].upper() + c.title[1:])} | {_cell(advice)} |")
        out.append("")
        out.append("Examples:")
        out.append("")
        out.append("```text")
        out.extend(_example(c) for c in items)
        out.append("```")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render(doc: str) -> str:
    """``doc`` with the part between the markers replaced by the current table."""
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC}: markers {BEGIN!r} and {END!r} not found")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the document is out of date")
    parser.add_argument("--doc", type=Path, default=DOC, help="the document to update (default: %(default)s)")
    args = parser.parse_args(argv)
    current = args.doc.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if current != wanted:
            print(f"{args.doc} is out of date; run: python scripts/gen_diagnostics_doc.py", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        args.doc.write_text(wanted, encoding="utf-8")
        print(f"updated {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
