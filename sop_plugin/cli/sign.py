"""``sop sign FILE --role maker|reviewer|leader [--key PATH]``: bind an approval to the content and the signer.

Writes the content digest (see :mod:`sop_plugin.signing.digest`) into the role's
approval entry, and a date when one is needed; the parts fingerprint and, with
``--key``, an SSH signature of the approval (namespace ``sop-approval``) go to
the SOP's signatures file (:mod:`sop_plugin.signing.store`).

Concurrency: the whole read-check-write runs under an exclusive lock on
``.<name>.lock`` beside the SOP, the SOP is re-read under the lock, and both
files are replaced atomically (temporary file + ``os.replace``), keeping the
SOP's line endings and permissions.  Every other byte of the file
stays as it was: ruamel.yaml's round-trip loader only *locates* the entry;
the change itself is a textual edit of the ``digest`` / ``date`` lines of
that entry, re-parsed before the file is written.

Dates: the entry's recorded date is kept when the entry had no digest yet
(the date the person signed) or when the content is unchanged; it becomes
``--date`` (or today) when the entry has no date or when the signature is
renewed after a content change - a renewed signature approves new content
on a new day.  ``--date`` always wins.

Refusals (exit 1, file untouched): unreadable file or front matter, content
errors (file, flow and reference errors), no approval entry for the role,
signing out of order (the reviewer needs the maker's signature bound to the
current content, the leader the reviewer's), a date before the previous
signer's or in the future, and, for the leader, no passing simulation on or
before the signing date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .. import aliases
from ..checks import validate
from ..corpus import load_corpus
from ..i18n import Msg, Said, Translator, msg
from ..model import ROLE_ORDER, Approval, Role, Severity, Sop
from ..parsing import parse_sop
from ..parsing.frontmatter import split
from ..settings import Settings
from ..signing import (
    role_word,
    ApprovalState,
    Reason,
    approval_message,
    compare,
    content_digest,
    content_fingerprint,
    key_problems,
    keys,
    store,
    trust_for,
    verdict,
)
from ..signing.digest import DigestError
from . import UsageError
from .common import _date, add_common, find_root, load_settings
_BLOCKING = ("SOP1", "SOP2", "SOP3")  # content errors; approval/lifecycle findings do not block signing


class Refused(Said):
    """Signing is not allowed; ``said`` says why and what to do."""


@dataclass
class SignResult:
    path: Path
    role: Role
    name: str
    date: dt.date
    digest: str
    changed: bool  # False: the entry already carried exactly this digest and date
    fingerprint: str | None = None  # the key that signed, with --key
    warnings: tuple[Msg, ...] = ()  # put into words in the reader's language


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sign", help="bind an approval (maker, reviewer or leader) to the current content",
        description="Write the content digest (and the date, when needed) into the approval of ROLE. "
                    "Only the digest and date lines of that approval change. "
                    "Exit status: 0 signed, 1 refused (file untouched), 2 usage error.")
    p.add_argument("file", metavar="FILE", help="the SOP file")
    p.add_argument("--role", required=True, metavar="ROLE",
                   help="maker (pembuat), reviewer (pemeriksa) or leader (pimpinan)")
    p.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="the signing date (default: the entry's date if it has one and the content is "
                        "unchanged, else today)")
    p.add_argument("--key", metavar="PATH", default=None,
                   help="sign with this SSH Ed25519 key: a private key file, or the .pub file of a key held "
                        "by ssh-agent (then OpenSSH's ssh-keygen signs); without it only the content digest "
                        "is written")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    role_text = aliases.canonical_value("role", args.role)
    if role_text not in {r.value for r in Role}:
        raise UsageError(f"unknown role '{args.role}'; use maker, reviewer or leader")
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"'{path}' does not exist")
    key = Path(args.key) if args.key else None
    if key is not None and not key.is_file():
        raise UsageError(f"key file '{key}' does not exist")
    settings = load_settings(args)
    t = Translator(settings.lang)
    try:
        result = sign(path, Role(role_text), settings, date=args.date, key=key)
    except Refused as exc:
        print(t("cli.sign.refused", reason=exc.said.text(t.lang)), file=sys.stderr)
        print(t("cli.sign.not_changed", path=path), file=sys.stderr)
        return 1
    for w in result.warnings:
        print(t("cli.sign.warning", warning=w.text(t.lang)), file=sys.stderr)
    role = role_word(result.role).text(t.lang)
    if not result.changed:
        print(t("cli.sign.already_bound", path=path, role=role))
    elif result.fingerprint:
        print(t("cli.sign.signed_with_key", path=path, role=role, name=result.name, date=result.date,
                fingerprint=result.fingerprint, digest=result.digest[:19]))
    else:
        print(t("cli.sign.signed", path=path, role=role, name=result.name, date=result.date,
                digest=result.digest[:19]))
    return 0


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError:
        raise Refused(msg("cli.sign.not_utf8")) from None
    except OSError as exc:
        raise Refused(msg("cli.sign.unreadable", error=exc.strerror or exc)) from None


def _load(path: Path, settings: Settings) -> Sop:
    """The file parsed inside its corpus; refuse when its content has errors."""
    root = find_root(path)
    corpus = load_corpus(root, settings, display_base=Path.cwd())
    me = path.resolve()
    sop = next((s for s in corpus.sops if Path(s.path).resolve() == me), None)
    if sop is None:  # a file outside the usual layout (hidden folder, README, ...)
        corpus = load_corpus(root, settings, files=[path], display_base=Path.cwd())
        sop = corpus.sops[0]
    blocking = [d for d in validate(corpus, settings)
                if d.file == sop.path and d.severity is Severity.ERROR and d.code.startswith(_BLOCKING)]
    if blocking:
        first = blocking[0]
        said = first.said if first.said is not None else first.message  # as made when it has no key
        if len(blocking) > 1:
            raise Refused(msg("cli.sign.has_errors_more", line=first.line, code=first.code, message=said,
                              more=len(blocking) - 1, path=path))
        raise Refused(msg("cli.sign.has_errors", line=first.line, code=first.code, message=said))
    return sop


def sign(path: Path, role: Role, settings: Settings, *, date: dt.date | None = None,
         key: Path | None = None) -> SignResult:
    """Sign ``path`` as ``role``; raises :class:`Refused` (files untouched) when not allowed.

    Runs under the SOP's lock; the file is read (again) under it.
    """
    try:
        with store.locked(path):
            return _sign_locked(path, role, settings, date=date, key=key)
    except TimeoutError:
        raise Refused(msg("cli.sign.locked", lock=store.lock_path(path).name,
                          seconds=store.LOCK_TIMEOUT)) from None
    except OSError as exc:
        raise Refused(msg("cli.sign.cannot_write", error=exc.strerror or exc)) from None


def _sign_locked(path: Path, role: Role, settings: Settings, *, date: dt.date | None,
                 key: Path | None) -> SignResult:
    raw = _read(path)
    sop = _load(path, settings)
    root = find_root(path)
    trust = trust_for(root, settings.signers_anchor)
    today = settings.now()
    index, entry = _entry(sop, role)
    if not entry.name:
        raise Refused(msg("cli.sign.no_name", role=role_word(role), line=entry.line))
    if not sop.id:
        raise Refused(msg("cli.sign.no_id"))
    digest = content_digest(sop)

    previous = ROLE_ORDER[ROLE_ORDER.index(role) - 1] if role is not Role.MAKER else None
    prev_entry = sop.approval(previous) if previous else None
    if previous is not None:
        v = verdict(sop, previous, trust)
        if not v.is_bound:
            why = {
                ApprovalState.MISSING: "missing",
                ApprovalState.UNSIGNED: "unsigned",
            }.get(v.state) or ("malformed" if v.reason is Reason.MALFORMED else "outdated")
            raise Refused(msg("cli.sign.out_of_order", previous=role_word(previous), why=msg(f"cli.sign.order.{why}"),
                              path=path, previous_role=previous.value))

    same_content = False
    if entry.digest:
        try:
            same_content = compare(sop, entry.digest).matches
        except DigestError:
            same_content = False
    if date is not None:
        new_date = date
    elif entry.date is not None and (same_content or not entry.digest):
        new_date = entry.date
    else:
        new_date = today
    if new_date > today:
        raise Refused(msg("cli.sign.future", date=new_date, today=today))
    if prev_entry is not None and prev_entry.date is not None and new_date < prev_entry.date:
        raise Refused(msg("cli.sign.before_previous", role=role_word(role), date=new_date,
                          previous=role_word(previous), previous_date=prev_entry.date))
    if role is Role.LEADER:
        passing = [s for s in sop.simulations if s.passed and s.date and s.date <= new_date]
        if not passing:
            raise Refused(msg("cli.sign.no_simulation", date=new_date))

    sig_path = store.signatures_path(root, sop.id, sop.version)
    entries = store.read_entries(sig_path)
    old = entries.get(role.value)
    signed = replace(entry, digest=digest, date=new_date)
    signature, fp = None, None
    warnings: list[Msg] = []
    if key is not None:
        try:
            signature = keys.sign_file_key(key, approval_message(sop, signed, digest), keys.APPROVAL_NAMESPACE)
            fp = keys.verify(approval_message(sop, signed, digest), signature, keys.APPROVAL_NAMESPACE).fingerprint
        except keys.SigningKeyError as exc:
            raise Refused(exc.said) from None
        except keys.BadSignature as exc:
            raise Refused(msg("cli.sign.bad_signature", key=key, error=exc)) from None
        warnings.extend(_key_warnings(trust, fp, signed))
    elif trust.registry.present:
        warnings.append(msg("cli.sign.warn.no_key"))
    new_entry = store.Entry(digest=digest, parts=content_fingerprint(sop), key=fp, signature=signature)
    if (entry.digest == digest and entry.date == new_date and old is not None and old.parts == new_entry.parts
            and (key is None or (old.key == fp and old.signature))):
        return SignResult(path, role, entry.name, new_date, digest, changed=False, fingerprint=old.key,
                          warnings=tuple(warnings))
    if key is None and old is not None and old.digest == digest and entry.date == new_date and old.signature:
        new_entry = old  # keep a key signature of this very approval
    new_raw = edit_approval(raw, index, digest=digest, date=new_date if new_date != entry.date else None)
    _verify(sop, new_raw, index, digest, new_date, settings)
    entries[role.value] = new_entry
    store.atomic_write(sig_path, store.render_entries(sop.id, sop.version, entries))
    if new_raw != raw:
        store.atomic_write(path, new_raw)
    return SignResult(path, role, entry.name, new_date, digest, changed=True, fingerprint=fp,
                      warnings=tuple(warnings))


def _key_warnings(trust, fp: str, approval: Approval) -> list[Msg]:
    """What the build will say of this key signature, said now (the same words as its diagnostics)."""
    if not trust.registry.present:
        return [msg("cli.sign.warn.no_registry")]
    return [msg("cli.sign.warn.invalid", problem=p.detail) for p in key_problems(trust.registry, fp, approval)]


def _entry(sop: Sop, role: Role) -> tuple[int, Approval]:
    for i, a in enumerate(sop.approvals):
        if a.role is role:
            return i, a
    raise Refused(msg("cli.sign.no_entry", role=role_word(role), value=role.value))


def _verify(before: Sop, new_raw: str, index: int, digest: str, date: dt.date, settings: Settings) -> None:
    """Re-parse the edited text: only this approval's digest and date may differ."""
    after = parse_sop(before.path, new_raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), settings)
    ok = (len(after.approvals) == len(before.approvals)
          and after.approvals[index].digest == digest
          and after.approvals[index].date == date
          and content_digest(after) == digest
          and [d.code for d in after.diagnostics] == [d.code for d in before.diagnostics])
    if ok:
        for i, (a, b) in enumerate(zip(before.approvals, after.approvals)):
            same = (a.role, a.name, a.position, a.nip) == (b.role, b.name, b.position, b.nip)
            ok = ok and same and (i == index or (a.date, a.digest) == (b.date, b.digest))
    if not ok:
        raise Refused(msg("cli.sign.cannot_edit"))


# -- the textual edit ---------------------------------------------------------

_ID_KEYS = frozenset({"peran", "nama", "jabatan", "tanggal"})
_EN_KEYS = frozenset({"role", "name", "position", "date"})
_VALUE_REST = re.compile(r"^(?P<sep>\s*:)(?P<value>[^#]*?)(?P<comment>\s+#.*)?$")


def _eol(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\r" if line.endswith("\r") else "\n"


def _lines(text: str) -> list[str]:
    """Lines with their endings; only CR, LF and CRLF end a line (as in the parser)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _extent(lines: list[str], line: int, col: int) -> int:
    """Index after the last line of the value of the key at ``(line, col)`` (continuation lines)."""
    j = line + 1
    while j < len(lines):
        s = lines[j].rstrip("\r\n")
        stripped = s.lstrip(" ")
        if not stripped or stripped.startswith("#") or len(s) - len(stripped) <= col:
            break
        j += 1
    return j


def edit_approval(raw: str, index: int, *, digest: str, date: dt.date | None) -> str:
    """``raw`` with approval ``index`` carrying ``digest`` (and ``date`` when given).

    Replaces the existing ``digest`` / ``date`` lines of that entry or inserts
    them after its last key, in the entry's key language; nothing else changes.
    """
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    text = raw[len(bom):]
    yaml_text, _, _, _ = split(text)
    if yaml_text is None:
        raise Refused(msg("cli.sign.no_front_matter"))
    lines = _lines(text)
    try:
        return bom + _edit(lines, yaml_text, index, digest=digest, date=date)
    except Refused:
        raise
    except Exception as exc:  # ruamel.yaml is stricter than the parser in places; never a traceback
        raise Refused(msg("cli.sign.cannot_locate", error=f"{type(exc).__name__}: {exc}")) from None


def _edit(lines: list[str], yaml_text: str, index: int, *, digest: str, date: dt.date | None) -> str:
    offset = 1  # front matter starts on the second line of the file
    try:
        data = YAML(typ="rt").load(yaml_text)
    except YAMLError as exc:
        raise Refused(msg("cli.sign.bad_front_matter", error=exc)) from None
    key = next((k for k in (data or {}) if aliases.canonical("front_matter", str(k)) == "approvals"), None)
    seq = data.get(key) if key is not None else None
    if not isinstance(seq, list) or index >= len(seq) or not isinstance(seq[index], dict):
        raise Refused(msg("cli.sign.entry_not_found"))
    item = seq[index]
    if getattr(seq, "fa", None) is not None and seq.fa.flow_style() or item.fa.flow_style():
        raise Refused(msg("cli.sign.flow_style"))
    keys = {aliases.canonical("approval", str(k)): k for k in item}
    positions = {k: item.lc.key(k) for k in item}
    col = min(c for _, c in positions.values())
    eol = _eol(lines[offset + positions[next(iter(item))][0]])
    edits: dict[int, tuple[int, list[str]]] = {}  # first line -> (end line, replacement lines)

    def replace(k: str, value: str) -> None:
        ln, c = positions[k]
        i = offset + ln
        line = lines[i]
        body = line.rstrip("\r\n")
        head = body[: c + len(str(k))]
        m = _VALUE_REST.match(body[c + len(str(k)):])
        comment = (m.group("comment") or "") if m else ""
        edits[i] = (_extent(lines, i, c), [f"{head}: {value}{comment}{_eol(line)}"])

    inserts: list[str] = []
    if date is not None:
        if "date" in keys:
            replace(keys["date"], date.isoformat())
        else:
            id_words = sum(str(k) in _ID_KEYS for k in item)
            en_words = sum(str(k) in _EN_KEYS for k in item)
            inserts.append(f"{' ' * col}{'tanggal' if id_words > en_words else 'date'}: {date.isoformat()}{eol}")
    if "digest" in keys:
        replace(keys["digest"], digest)
    else:
        inserts.append(f"{' ' * col}digest: {digest}{eol}")
    if inserts:
        last = max(positions.values())
        at = _extent(lines, offset + last[0], last[1])
        if at in edits or any(start < at < end for start, (end, _) in edits.items()):
            raise Refused(msg("cli.sign.unusual_layout"))
        edits[at] = (at, inserts)
    out: list[str] = []
    i = 0
    for start in sorted(edits):
        end, repl = edits[start]
        out.extend(lines[i:start])
        out.extend(repl)
        i = end
    out.extend(lines[i:])
    return "".join(out)
