"""``sop new``: start a draft SOP, or a new version of an existing one.

    sop new --unit biro-umum --title "Pengelolaan Arsip Dinamis"
    sop new --from SOP-UMUM-004 [--summary "Menambah pemeriksaan kondisi ruang"]

A new SOP gets the next free number in the unit's numbering (``numbering``
/ ``penomoran`` in ``units.yml``, else the pattern of the unit's existing
ids), the unit's default team (``team`` / ``tim``), the unit's roles as
actors of two example steps, every section of the format with short
Indonesian prompts, and lints clean as a draft.  It is written to the
folder that holds the unit's SOPs (``--output`` to choose).

``--from`` edits the existing file in place: version + 1, status draft, a
revision entry, today's revision date, approvals and effective date
removed.  The previous version stays in git (``sop diff FILE --rev HEAD``,
and the draft's page shows "Perubahan sejak versi N").

Exit status: 0 written, 1 refused (the result would not lint clean; nothing
written), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .. import aliases
from ..checks import validate
from ..corpus import UNITS_FILE, load_corpus
from ..i18n import Translator
from ..model import Corpus, Severity, Sop, Unit
from ..parsing import parse_sop
from ..parsing.frontmatter import split
from ..parsing.units import numbering_parts
from ..settings import Settings
from ..signing import content_parts
from . import UsageError
from .common import add_common, add_sops_dir, default_root, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new", help="write a draft SOP for a unit, or start a new version of an existing SOP",
        description="Write a draft SOP with the unit's next free number, team and roles (--unit, --title), "
                    "or start a new version of an existing SOP in place (--from). "
                    "Exit status: 0 written, 1 refused, 2 usage error.")
    p.add_argument("--unit", metavar="UNIT", help="key of the unit in units.yml (new SOP)")
    p.add_argument("--title", metavar="TITLE", help="title (judul) of the new SOP")
    p.add_argument("--id", metavar="ID", help="the SOP number to use instead of the next free one")
    p.add_argument("--output", "-o", metavar="FILE", help="where to write the new SOP "
                   "(default: the folder of the unit's SOPs, file name from the title)")
    p.add_argument("--from", dest="from_id", metavar="SOP-ID",
                   help="start a new version of this SOP (edits its file in place)")
    p.add_argument("--summary", metavar="TEXT", help="summary of the revision entry (with --from)")
    add_sops_dir(p, "--dir")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    t = Translator(settings.lang)
    root = default_root(args)
    if not args.sops and not root.is_dir() and Path(UNITS_FILE).is_file():
        root = Path(".")  # run inside the SOP folder itself
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}'; give it with --sops")
    corpus = load_corpus(root, settings)
    today = settings.now()
    if args.from_id:
        if args.unit or args.title or args.id or args.output:
            raise UsageError("--from starts a new version of an existing SOP; "
                             "--unit, --title, --id and --output do not apply")
        return _new_version(corpus, args.from_id, args.summary, today, settings)
    if not args.unit or not args.title:
        raise UsageError("give --unit and --title for a new SOP, or --from SOP-ID for a new version")
    unit = corpus.units.get(args.unit)
    if unit is None:
        known = ", ".join(sorted(corpus.units)) or "(none: units.yml is missing or empty)"
        raise UsageError(f"unit '{args.unit}' is not in {root / 'units.yml'}; known units: {known}")
    title = " ".join(args.title.split())
    if not title:
        raise UsageError("--title is empty")
    sop_id = args.id or next_id(corpus, unit)
    if corpus.get(sop_id):
        raise UsageError(f"SOP id '{sop_id}' is already used by {corpus.get(sop_id).path}")
    if not re.match(settings.id_pattern, sop_id):
        raise UsageError(t("cli.new.id_pattern", id=sop_id, pattern=settings.id_pattern, unit=unit.key))
    path = Path(args.output) if args.output else _target_file(root, corpus, unit, title)
    if path.exists():
        raise UsageError(f"'{path}' already exists; choose another file with --output")
    text = draft_text(sop_id, title, unit, today)
    problems = _lint(root, settings, path, text)
    if problems:
        for d in problems:
            print(d.format(settings.lang), file=sys.stderr)
        print(t("cli.new.refused_draft"), file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(t("cli.new.wrote", path=_shown(path), id=sop_id, title=title))
    return 0


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# -- numbering and place ----------------------------------------------------------

def numbering(corpus: Corpus, unit: Unit) -> str:
    """The unit's numbering pattern: declared, else inferred from its SOP ids, else ``SOP-<KEY>-{n:03}``."""
    if unit.numbering:
        return unit.numbering
    shapes: Counter[tuple[str, str]] = Counter()
    width: dict[tuple[str, str], int] = {}
    for s in corpus.sops:
        m = re.match(r"^(.*?)([0-9]{1,18})([^0-9]*)$", s.id or "")
        if s.unit == unit.key and m:
            shape = (m.group(1), m.group(3))
            shapes[shape] += 1
            width[shape] = max(width.get(shape, 0), len(m.group(2)))
    if shapes:
        (prefix, suffix), _ = shapes.most_common(1)[0]
        return f"{prefix}{{n:0{min(width[(prefix, suffix)], 18)}}}{suffix}"
    code = re.sub(r"[^A-Za-z0-9]+", "-", unit.key).strip("-").upper() or "UNIT"
    return f"SOP-{code}-{{n:03}}"


def next_id(corpus: Corpus, unit: Unit) -> str:
    """The next free number in the unit's numbering (free in the whole portal)."""
    prefix, suffix, width = numbering_parts(numbering(corpus, unit)) or ("SOP-", "", 3)
    rx = re.compile(re.escape(prefix) + r"([0-9]{1,18})" + re.escape(suffix) + "$")
    used = [int(m.group(1)) for s in corpus.sops if s.id and (m := rx.match(s.id))]
    return f"{prefix}{max(used, default=0) + 1:0{width}d}{suffix}"


def slug(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "sop-baru"


def _target_file(root: Path, corpus: Corpus, unit: Unit, title: str) -> Path:
    folders = Counter(Path(s.path).resolve().parent for s in corpus.sops if s.unit == unit.key)
    folder = folders.most_common(1)[0][0] if folders else root / unit.key
    base = slug(title)
    path = folder / f"{base}.md"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.md"
        n += 1
    return path


# -- the draft --------------------------------------------------------------------

def _scalar(value: object) -> str:
    """A YAML scalar on one line, quoted when needed (author and unit text is never pasted raw)."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip() \
        .removesuffix("\n...").removesuffix("...").strip()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def draft_text(sop_id: str, title: str, unit: Unit, today: dt.date) -> str:
    """The Markdown of a new draft SOP (Indonesian keys and prompts)."""
    team_keys = aliases.KEYS["team"]
    team = [(team_keys[k], getattr(unit.team, k)) for k in ("writer", "field_executor", "supervisor",
                                                          "supervisor_superior")]
    roles = [_one_line(r) for r in unit.roles if _one_line(r)]
    first = roles[-1] if roles else "Pelaksana"  # staff usually come last in units.yml
    second = roles[0] if roles else "Pimpinan Unit"
    fm = [
        "---",
        f"nomor: {_scalar(sop_id)}",
        f"judul: {_scalar(title)}",
        f"unit_kerja: {_scalar(unit.key)}",
        "versi: 1",
        "status: draf",
        f"tanggal_pembuatan: {today.isoformat()}",
        *([f"# Pelaksana di unit ini: {', '.join(roles)}"] if roles else []),
        "# Lengkapi daftar di bawah ini; biarkan [] bila tidak ada.",
        "dasar_hukum: []            # peraturan yang menjadi dasar SOP, mis. Peraturan Rektor Nomor ... Tahun ...",
        "kualifikasi_pelaksana: []  # kompetensi yang harus dimiliki pelaksana",
        "keterkaitan: []            # nomor SOP lain yang berkaitan, mis. SOP-KEU-002",
        "peralatan: []              # peralatan dan aplikasi yang dipakai",
        "peringatan: []             # akibat bila SOP tidak dilaksanakan atau langkah dilewati",
        "pencatatan: []             # catatan dan data yang harus disimpan",
        "tim:                       # Tim Penyusun SOP",
    ]
    for key, name in team:
        fm.append(f"  {key}: {_scalar(name)}" if name else f"  # {key}: (nama lengkap dan gelar)")
    fm += [
        "pengesahan: []             # diisi saat penetapan: pembuat, pemeriksa, pimpinan; lalu 'sop sign'",
        "simulasi: []               # catat setiap simulasi sebelum SOP disahkan",
        "reviu:",
        "  interval_bulan: 12       # Monev: reviu SOP setiap 12 bulan",
        "riwayat_revisi:",
        f"  - {{versi: 1, tanggal: {today.isoformat()}, ringkasan: Penyusunan awal}}",
        "---",
    ]
    body = f"""
## Tujuan

Tuliskan dalam satu atau dua kalimat apa yang dijamin SOP ini dan bagi siapa.

## Ruang Lingkup

Tuliskan kegiatan yang dicakup, mulai dari ... sampai dengan ..., serta hal
yang tidak termasuk dalam SOP ini.

## Definisi

- **Istilah**: pengertian istilah yang dipakai dalam SOP ini.

## Prosedur

1. Tuliskan kegiatan pertama dengan kata kerja, mis. "Menerima berkas permohonan".
    - pelaksana: {first}
    - kelengkapan: Dokumen yang diperlukan untuk kegiatan ini
    - waktu: 15 menit
    - output: Hasil kegiatan ini

2. Tuliskan kegiatan berikutnya, mis. "Memeriksa dan menyetujui permohonan".
    - pelaksana: {second}
    - kelengkapan: Hasil langkah 1
    - waktu: 1 jam
    - output: Hasil akhir layanan
"""
    return "\n".join(fm) + "\n" + body


def _lint(root: Path, settings: Settings, path: Path, text: str, *, replaces: Path | None = None):
    """Errors and warnings the file would have inside its tree (nothing is written)."""
    corpus = load_corpus(root, settings)
    me = (replaces or path).resolve()
    corpus.sops = [s for s in corpus.sops if Path(s.path).resolve() != me]
    sop = parse_sop(path.as_posix(), text, settings)
    corpus.sops.append(sop)
    return [d for d in validate(corpus, settings) if d.file == sop.path and d.severity is not Severity.INFO]


# -- a new version -----------------------------------------------------------------

def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 10_000
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _key(data, context: str, canon: str, prefer_alias: bool) -> str:
    """The spelling of ``canon`` the file already uses, else the file's habit."""
    alias = aliases.KEYS[context][canon]
    for k in data:
        if str(k) in (canon, alias):
            return str(k)
    return alias if prefer_alias else canon


def _new_version(corpus: Corpus, sop_id: str, summary: str | None, today: dt.date, settings: Settings) -> int:
    t = Translator(settings.lang)
    sop = corpus.get(sop_id)
    if sop is None:
        raise UsageError(f"no SOP '{sop_id}' in {corpus.root}")
    if sop.version is None:
        raise UsageError(t("cli.new.no_version", path=sop.path))
    if sop.status is not None and sop.status.may_be_incomplete:
        print(t("cli.new.not_approved", id=sop_id, version=sop.version, status=t(f"cli.new.status.{sop.status.value}"),
                next=sop.version + 1), file=sys.stderr)
    path = Path(sop.path)
    if not path.is_absolute() and not path.is_file():
        path = Path(corpus.root) / sop.path
    raw = path.read_text(encoding="utf-8")
    yaml_text, _, body, _ = split(raw)
    if yaml_text is None:
        raise UsageError(t("cli.new.no_front_matter", path=path))
    try:
        data = _yaml().load(yaml_text)
    except YAMLError as exc:
        raise UsageError(t("cli.new.bad_yaml", path=path, error=exc)) from None
    indonesian = any(str(k) in aliases.KEYS["front_matter"].values() and str(k) not in aliases.KEYS["front_matter"]
                     for k in data)
    version = sop.version + 1
    data[_key(data, "front_matter", "version", indonesian)] = version
    data[_key(data, "front_matter", "status", indonesian)] = "draf" if indonesian else "draft"
    revised = _key(data, "front_matter", "revised", indonesian)
    if revised in data:
        data[revised] = today
    else:
        keys = list(data)
        anchor = next((k for k in ("created", "tanggal_pembuatan", "status") if k in keys), keys[-1])
        data.insert(keys.index(anchor) + 1, revised, today)
    for canon in ("approvals", "effective"):
        data.pop(_key(data, "front_matter", canon, indonesian), None)
    rev_key = _key(data, "front_matter", "revisions", indonesian)
    entries = data.get(rev_key)
    if not isinstance(entries, list):
        entries = []
        data[rev_key] = entries
    last = entries[-1] if entries and isinstance(entries[-1], dict) else {}

    def word(canon: str) -> str:  # the spelling the previous entry uses, else the file's habit
        return _key(last, "revision", canon, indonesian) if last else (
            aliases.KEYS["revision"][canon] if indonesian else canon)

    entry = {word("version"): version, word("date"): dt.date.fromordinal(today.toordinal()),  # no YAML anchor
             word("summary"): _one_line(summary) if summary else "Uraikan perubahan pada versi ini"}
    if entries and hasattr(entries[-1], "fa") and entries[-1].fa.flow_style():
        from ruamel.yaml.comments import CommentedMap

        flow = CommentedMap(entry)
        flow.fa.set_flow_style()
        entries.append(flow)
    else:
        entries.append(entry)
    out = io.StringIO()
    _yaml().dump(data, out)
    text = "---\n" + out.getvalue() + "---\n" + body
    new = parse_sop(sop.path, text, settings)
    _check_only_lifecycle_changed(sop, new, t)
    problems = _lint(Path(corpus.root), settings, path, text, replaces=path)
    if problems:
        for d in problems:
            print(d.format(settings.lang), file=sys.stderr)
        print(t("cli.new.refused_version", version=version, path=path), file=sys.stderr)
        return 1
    path.write_text(text, encoding="utf-8")
    print(t("cli.new.wrote_version", path=_shown(path), id=sop_id, version=version))
    print(t("cli.new.describe", path=_shown(path)))
    return 0


def _check_only_lifecycle_changed(old: Sop, new: Sop, t: Translator) -> None:
    """Rewriting the front matter must keep the content: only the version may differ."""
    a, b = content_parts(old), content_parts(new)
    ident_a = {k: v for k, v in a.identity.items() if k != "version"}
    ident_b = {k: v for k, v in b.identity.items() if k != "version"}
    if ident_a != ident_b or a.steps != b.steps or a.sections != b.sections:
        raise UsageError(t("cli.new.rewrite_changes_content", path=old.path))
