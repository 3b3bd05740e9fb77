"""Content digests that bind an approval to exactly the content it approved.

What the digest covers (and why)
--------------------------------

A signature vouches for *what the SOP says*, so the digest is built from the
parsed model, never from the file's bytes.  Alias spelling (``judul`` /
``title``), YAML quoting and key order, list indentation, blank lines and
line wrapping therefore do not change it.

Covered:

* identity: ``id``, ``title``, ``unit``, ``version``, ``legal_basis``,
  ``qualifications``, ``related``, ``equipment``, ``warnings``, ``records``,
  ``team`` and ``confidential`` (who may read it is part of what is approved);
* every step, in written order: activity, detail paragraphs, actor, inputs,
  duration (as working minutes low/high on the reference calendar of 8 h a day
  and 5 days a week, so ``1 hari`` = ``8 jam`` and a site calendar change does
  not break signatures; unreadable durations as their text), output, notes,
  the flow (where control goes: the effective next step or the decision's
  question and branches with label, effective probability and *resolved*
  target) and the SOP handed over to.  Targets are stored relative to the
  step (``+1`` is "the following step"), so an anchor renamed consistently or
  ``lanjut: 4`` written on step 3 changes nothing, and inserting a step shows
  up as "step N added" instead of every later step;
* the free sections: heading, level and Markdown block structure with
  whitespace-normalised text (the step list itself is covered by the steps).

Deliberately not covered: ``status`` (approved -> effective -> retired must
not break signatures), the dates ``created`` / ``revised`` / ``effective``,
the records *about* the document (``approvals``, ``simulations``,
``socialization``, ``review``, ``monitoring``, ``revisions``) and
``superseded_by``.  Changing those never invalidates a signature.

Digest format, version 2 (what ``sop sign`` writes)
----------------------------------------------------

``sha256:<64 hex>;v2;version=<N or ->`` in the approval entry (under 100
characters), and in the SOP's signatures file (:mod:`.store`) the parts
fingerprint ``<steps>:<base64url>`` beside it.

* the hex is SHA-256 of the canonical JSON (sorted keys, no ASCII escaping,
  compact separators) of the whole covered content;
* ``version`` is the SOP version at signing (to tell "changed without a new
  version", SOP408);
* the parts fingerprint holds a short hash of each part, in a fixed order:
  2 bytes for each identity field (in the order above), then per step 2 bytes
  for the whole step followed by 1 byte for each of its fields (activity,
  details, actor, inputs, duration, output, notes, flow, handover), then per
  section 2 bytes of its name and 2 bytes of its content.  Each is a prefix of
  the SHA-256 of the part's canonical JSON.  It only serves to *name* what
  changed; whether anything changed is decided by the full hash.

Version 1 (``…;v1;version=N;steps=S;parts=<base64url>``, 250 characters on
one line) covered exactly the same content and is still read.  A bare
``sha256:<64 hex>`` is accepted too; a mismatch then cannot say which parts
changed.

Changing what the digest covers needs a new format version (``FORMAT``), a
new ``sop-content/N`` tag in the canonical JSON and a re-run of
``scripts/resign_samples.py``; ``tests/test_signing.py`` pins the hash of a
fixed SOP so a silent change fails.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt

from ..i18n import Msg, Said, msg
from ..model import Calendar, Sop, Step, Target
from ..parsing.duration import parse_duration

FORMAT = "v2"  # what `sop sign` writes; v1 is still read
FORMATS = ("v1", "v2")
_REF_CALENDAR = Calendar()

IDENTITY_FIELDS = ("id", "title", "unit", "version", "legal_basis", "qualifications", "related",
                   "equipment", "warnings", "records", "team", "confidential")
STEP_FIELDS = ("activity", "details", "actor", "inputs", "duration", "output", "notes", "flow", "sop")


_ID_BYTES, _STEP_BYTES, _FIELD_BYTES, _SEC_BYTES = 2, 2, 1, 2

_DIGEST_RE = re.compile(
    r"^sha256:(?P<hex>[0-9a-f]{64})"
    r"(?:;(?P<fmt>v[0-9]{1,3})(?:;version=(?P<version>[0-9]{1,9}|-)"
    r"(?:;steps=(?P<steps>[0-9]{1,5});parts=(?P<parts>[A-Za-z0-9_-]{0,200000}))?)?)?$"
)
_PARTS_RE = re.compile(r"^(?P<steps>[0-9]{1,5}):(?P<parts>[A-Za-z0-9_-]{0,200000})$")

_md = MarkdownIt("commonmark")


# -- canonical content ------------------------------------------------------

def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(str(text).split())


def _number(x: float) -> float | int | str:
    if not math.isfinite(x):  # the parser never yields one; a model built by hand might
        return str(x)
    x = round(float(x), 6)
    return int(x) if x == int(x) else x


def _target(t: Target | None, here: int) -> str | None:
    if t is None:
        return None
    if t.is_end:
        return "end"
    if t.step is not None:
        return f"{t.step - here:+d}"
    return "?" + (_norm(t.raw) or "")


def _duration(step: Step) -> Any:
    if step.duration_text is None:
        return None
    d = parse_duration(step.duration_text, _REF_CALENDAR)
    if d is None:
        return {"text": _norm(step.duration_text)}
    return [_number(d.low), _number(d.high)]


def _flow(step: Step, count: int) -> Any:
    if step.decision is not None:
        probs = step.decision.probabilities() if step.decision.branches else []
        return {
            "question": _norm(step.decision.question),
            "branches": [[_norm(b.label), _number(p * 100), _target(b.target, step.number)]
                         for b, p in zip(step.decision.branches, probs)],
            "next": _target(step.next, step.number),  # both given is an error elsewhere, but still content
        }
    succ = step.successors(count)
    return {"next": _target(succ[0], step.number) if succ else None}


def _step(step: Step, count: int) -> dict[str, Any]:
    return {
        "activity": _norm(step.activity),
        "details": [_norm(d) for d in step.details],
        "actor": _norm(step.actor),
        "inputs": [_norm(i) for i in step.inputs],
        "duration": _duration(step),
        "output": _norm(step.output),
        "notes": _norm(step.notes),
        "flow": _flow(step, count),
        "sop": _norm(step.sop),
    }


def _identity(sop: Sop) -> dict[str, Any]:
    t = sop.team
    return {
        "id": _norm(sop.id),
        "title": _norm(sop.title),
        "unit": _norm(sop.unit),
        "version": sop.version,
        "legal_basis": [_norm(x) for x in sop.legal_basis],
        "qualifications": [_norm(x) for x in sop.qualifications],
        "related": [_norm(x) for x in sop.related],
        "equipment": [_norm(x) for x in sop.equipment],
        "warnings": [_norm(x) for x in sop.warnings],
        "records": [_norm(x) for x in sop.records],
        "team": [_norm(t.writer), _norm(t.field_executor), _norm(t.supervisor), _norm(t.supervisor_superior)],
        "confidential": bool(sop.confidential),
    }


def _sections(sop: Sop) -> list[tuple[str, list[Any]]]:
    """``(heading, content)`` per free section; the procedure's step list is left out."""
    tokens = _md.parse(sop.body or "")
    proc_line = sop.procedure.line if sop.procedure else None
    out: list[tuple[str, list[Any]]] = []
    current: list[Any] = []
    name = ""
    in_proc_level: int | None = None
    list_skipped = False
    skip_depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if skip_depth:
            if tok.type == "ordered_list_open":
                skip_depth += 1
            elif tok.type == "ordered_list_close":
                skip_depth -= 1
            i += 1
            continue
        if tok.type == "heading_open" and tok.level == 0:
            level = int(tok.tag[1])
            text = tokens[i + 1].content if i + 1 < len(tokens) else ""
            text = _drop_anchor(text)
            if current or name or out:
                out.append((name, current))
            name, current = _norm(text) or "", [level]
            line = (tok.map[0] if tok.map else 0) + sop.body_line
            if in_proc_level is not None and level <= in_proc_level:
                in_proc_level = None
            if proc_line is not None and line == proc_line:
                in_proc_level = level
            i += 3  # heading_open, inline, heading_close
            continue
        if (tok.type == "ordered_list_open" and tok.level == 0 and in_proc_level is not None
                and not list_skipped):
            list_skipped = True
            skip_depth = 1
            i += 1
            continue
        if tok.type == "inline":
            current.append(["inline", _norm(tok.content)])
        elif tok.type in ("fence", "code_block"):
            current.append([tok.type, tok.info.strip(), "\n".join(l.rstrip() for l in tok.content.splitlines())])
        elif tok.type == "html_block":
            current.append(["html", _norm(tok.content)])
        else:
            current.append(tok.type)
        i += 1
    if current or name:
        out.append((name, current))
    # a file without any body text has no sections at all
    return [(n, c) for n, c in out if n or any(x for x in c if not isinstance(x, int))]


_SPACE_HASH = re.compile(r"\s*#")


def _drop_anchor(text: str) -> str:
    """``re.sub(r"\\s*\\{\\s*#[^}]*\\}\\s*$", "", text)`` in linear time (that pattern is
    quadratic in a heading of many spaces; the result must stay the same, it is signed content)."""
    core = text.rstrip()
    if not core.endswith("}"):
        return text
    end = len(core) - 1
    j = core.find("{", core.rfind("}", 0, end) + 1, end)
    while j != -1:
        if _SPACE_HASH.match(core, j + 1):
            return core[:j].rstrip()
        j = core.find("{", j + 1, end)
    return text


@dataclass
class Parts:
    """The covered content split into named parts, plus the full digest."""

    identity: dict[str, Any]
    steps: list[dict[str, Any]]
    sections: list[tuple[str, list[Any]]]
    version: int | None

    def canonical(self) -> dict[str, Any]:
        return {"format": "sop-content/1", "identity": self.identity, "steps": self.steps,
                "sections": [[n, c] for n, c in self.sections]}

    def full_hex(self) -> str:
        return hashlib.sha256(_dumps(self.canonical()).encode("utf-8")).hexdigest()

    def section_keys(self) -> list[str]:
        """Section names made unique in order: ``Definisi``, ``Definisi (2)``."""
        seen: dict[str, int] = {}
        keys = []
        for name, _ in self.sections:
            seen[name] = seen.get(name, 0) + 1
            keys.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        return keys

    def fingerprint(self) -> bytes:
        out = bytearray()
        for f in IDENTITY_FIELDS:
            out += _short(self.identity[f], _ID_BYTES)
        for s in self.steps:
            out += _short(s, _STEP_BYTES)
            for f in STEP_FIELDS:
                out += _short(s[f], _FIELD_BYTES)
        for key, (_, content) in zip(self.section_keys(), self.sections):
            out += _short(key, _SEC_BYTES) + _short(content, _SEC_BYTES)
        return bytes(out)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _short(value: Any, n: int) -> bytes:
    return hashlib.sha256(_dumps(value).encode("utf-8")).digest()[:n]


_parts_cache: dict[int, tuple[Sop, str, Parts]] = {}


def clear_cache() -> None:
    _parts_cache.clear()


def content_parts(sop: Sop) -> Parts:
    """The covered content of ``sop``.

    Cached per parsed model (checks, pages and the CLI ask several times per
    SOP); the cache holds the model, so its id cannot be reused, and is keyed
    on the file text too.  Models built by hand (no ``text``) are not cached.
    """
    if not sop.text:
        return _content_parts(sop)
    hit = _parts_cache.get(id(sop))
    if hit is not None and hit[0] is sop and hit[1] == sop.text:
        return hit[2]
    if len(_parts_cache) > 2048:
        _parts_cache.clear()
    parts = _content_parts(sop)
    _parts_cache[id(sop)] = (sop, sop.text, parts)
    return parts


def _content_parts(sop: Sop) -> Parts:
    steps = sop.steps
    return Parts(identity=_identity(sop), steps=[_step(s, len(steps)) for s in steps],
                 sections=_sections(sop), version=sop.version)


def content_digest(sop: Sop) -> str:
    """The digest line ``sop sign`` writes for the current content (format v2, under 100 characters)."""
    version = "-" if sop.version is None else str(sop.version)
    return f"sha256:{content_parts(sop).full_hex()};{FORMAT};version={version}"


def content_fingerprint(sop: Sop) -> str:
    """The parts fingerprint of the current content, ``<steps>:<base64url>``, kept in the sidecar (v2)."""
    parts = content_parts(sop)
    b64 = base64.urlsafe_b64encode(parts.fingerprint()).decode("ascii").rstrip("=")
    return f"{len(parts.steps)}:{b64}"


# -- reading a stored digest -------------------------------------------------

class DigestError(Said, ValueError):
    """A digest value that cannot be read (SOP409); ``said``: why."""


@dataclass(frozen=True)
class StoredDigest:
    hex: str
    version: int | None = None  # version at signing, when recorded
    steps: int | None = None
    parts: bytes | None = None
    has_version: bool = False
    format: str | None = None  # "v1", "v2" or None (bare hash)

    @property
    def detailed(self) -> bool:
        return self.parts is not None

    def with_fingerprint(self, fingerprint: str | None) -> StoredDigest:
        """This digest with the parts fingerprint from a sidecar (``<steps>:<base64url>``); unchanged
        when ``fingerprint`` is missing or unreadable (a mismatch then cannot name the parts)."""
        if self.parts is not None or not fingerprint:
            return self
        m = _PARTS_RE.match(str(fingerprint).strip())
        if not m:
            return self
        try:
            raw = _parts_bytes(m.group("parts"), int(m.group("steps")))
        except DigestError:
            return self
        return replace(self, steps=int(m.group("steps")), parts=raw)


def _parts_bytes(b64: str, steps: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except (ValueError, TypeError):
        raise DigestError(msg("diag.signing.digest_parts_base64")) from None
    fixed = len(IDENTITY_FIELDS) * _ID_BYTES + steps * (_STEP_BYTES + len(STEP_FIELDS) * _FIELD_BYTES)
    if len(raw) < fixed or (len(raw) - fixed) % (2 * _SEC_BYTES):
        raise DigestError(msg("diag.signing.digest_parts_length"))
    return raw


def parse_digest(value: str) -> StoredDigest:
    text = str(value).strip()
    m = _DIGEST_RE.match(text) if len(text) < 300_000 else None
    if not m:
        if text.startswith("sha256:"):
            raise DigestError(msg("diag.signing.digest_not_hex"))
        raise DigestError(msg("diag.signing.digest_no_prefix"))
    fmt = m.group("fmt")
    if fmt and fmt not in FORMATS:
        raise DigestError(msg("diag.signing.digest_unknown_format", format=fmt))
    if fmt and m.group("version") is None:
        raise DigestError(msg("diag.signing.digest_no_version", format=fmt))
    if fmt == "v1" and m.group("parts") is None:
        raise DigestError(msg("diag.signing.digest_v1_no_parts"))
    if fmt == "v2" and m.group("parts") is not None:
        raise DigestError(msg("diag.signing.digest_v2_parts"))
    if fmt is None:
        return StoredDigest(hex=m.group("hex"))
    v = m.group("version")
    version = None if v == "-" else int(v)
    if m.group("parts") is None:
        return StoredDigest(hex=m.group("hex"), version=version, has_version=True, format=fmt)
    steps = int(m.group("steps"))
    raw = _parts_bytes(m.group("parts"), steps)
    return StoredDigest(hex=m.group("hex"), version=version, steps=steps, parts=raw,
                        has_version=True, format=fmt)


# -- comparing ----------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One named change since signing; worded from the i18n catalogue (``change.*``)."""

    kind: str  # field, version, step, step_rewritten, step_fields, step_added, step_removed, section,
    #            section_added, preamble, preamble_added, sections_removed, structure
    step: int | None = None
    fields: tuple[str, ...] = ()
    name: str = ""
    was: int | None = None
    now: int | None = None
    count: int = 0
    at: int = 0  # sort position among step changes

    def words(self, lang: str) -> str:
        """``step 3 duration`` / ``langkah 3 waktu``."""
        return self.said().text(lang)

    def said(self) -> Msg:
        """The change, to be put into words in the reader's language (``change.*`` in the catalogue)."""
        kind = self.kind
        if kind == "sections_removed" and self.count == 1:
            kind = "section_removed"
        fields: dict[str, object] = {}
        if kind.startswith("step"):
            fields["n"] = self.step if self.step is not None else "?"
        if kind in ("field", "step_fields"):
            names = [msg(f"change.field.{f}") for f in self.fields]
            fields["fields"] = (names[0] if len(names) == 1 else
                                msg("diag.signing.and", head=joined(names[:-1]), tail=names[-1]) if names else "")
        if kind == "version":
            fields["was"] = msg("change.none") if self.was is None else self.was
            fields["now"] = msg("change.none") if self.now is None else self.now
        if kind in ("section", "section_added"):
            fields["name"] = self.name
        if kind == "sections_removed":
            fields["count"] = self.count
        return msg(f"change.{kind}", **fields)


def joined(items: list[Msg] | tuple[Msg, ...]) -> Msg | str:
    """``a, b, c`` in the reader's language ("" for none); nested in halves, so a long list stays shallow."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    half = len(items) // 2
    return msg("diag.signing.list", head=joined(items[:half]), tail=joined(items[half:]))


def changes_said(changes: list[Change] | tuple[Change, ...], limit: int | None = None) -> Msg | str:
    """The named changes, ``step 2 duration, title and 3 more`` ("" for none)."""
    items = list(changes if limit is None else changes[:limit])
    listed = joined([c.said() for c in items])
    more = len(changes) - len(items)
    return msg("diag.signing.and_more", changes=listed, more=more) if more > 0 else listed


@dataclass
class Comparison:
    matches: bool
    parts: list[Change] = field(default_factory=list)  # what changed, to be worded in any language
    signed_version: int | None = None
    version_known: bool = False

    @property
    def changed(self) -> list[str]:
        """The changed parts in plain English words: "step 3 duration", "title"."""
        return [c.words("en") for c in self.parts]

    def describe(self, limit: int = 10) -> str:
        return self.said(limit).text("en")

    def said(self, limit: int = 10) -> Msg:
        """What changed, to be put into words in the reader's language (at most ``limit`` parts named)."""
        if self.matches:
            return msg("diag.signing.nothing_changed")
        if not self.parts:
            return msg("diag.signing.unnamed_change")
        listed = changes_said(self.parts, limit)
        return listed if isinstance(listed, Msg) else msg("diag.signing.unnamed_change")


def _split_fp(stored: StoredDigest) -> tuple[list[bytes], list[tuple[bytes, list[bytes]]], list[tuple[bytes, bytes]]]:
    raw = stored.parts or b""
    pos = 0
    ident = []
    for _ in IDENTITY_FIELDS:
        ident.append(raw[pos:pos + _ID_BYTES])
        pos += _ID_BYTES
    steps = []
    for _ in range(stored.steps or 0):
        whole = raw[pos:pos + _STEP_BYTES]
        pos += _STEP_BYTES
        fields = [raw[pos + k:pos + k + 1] for k in range(len(STEP_FIELDS))]
        pos += len(STEP_FIELDS) * _FIELD_BYTES
        steps.append((whole, fields))
    secs = []
    while pos + 2 * _SEC_BYTES <= len(raw):
        secs.append((raw[pos:pos + _SEC_BYTES], raw[pos + _SEC_BYTES:pos + 2 * _SEC_BYTES]))
        pos += 2 * _SEC_BYTES
    return ident, steps, secs


_MIN_SHARED = 4  # fields in common for an old and a new step to count as "the same step, edited"


def _pair_steps(old: list[tuple[bytes, list[bytes]]], new: list[dict[str, Any]]) -> list[tuple[int | None, int | None]]:
    """Align a run of differing steps: edited steps pair up, the rest are added or removed.

    Equal runs pair by position; otherwise an order-preserving alignment that
    maximises the number of unchanged fields (pairs need ``_MIN_SHARED``).
    """
    if len(old) == len(new):
        return [(k, k) for k in range(len(old))]
    n, m = len(old), len(new)
    sim = [[len(STEP_FIELDS) - len(_step_fields_changed(old[i][1], new[j])) for j in range(m)] for i in range(n)]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= _MIN_SHARED else -1
            best[i][j] = max(pair, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= _MIN_SHARED and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    out.extend((k, None) for k in range(i, n))
    out.extend((None, k) for k in range(j, m))
    return out


def _step_fields_changed(old: list[bytes], new: dict[str, Any]) -> list[str]:
    return [f for f, b in zip(STEP_FIELDS, old) if _short(new[f], _FIELD_BYTES) != b]


def compare(sop: Sop, digest: str | StoredDigest, fingerprint: str | None = None) -> Comparison:
    """Does ``digest`` match the current content?  If not, name what changed.

    ``fingerprint``: the parts fingerprint a v2 digest keeps in the sidecar.
    Raises :class:`DigestError` for a digest that cannot be read.
    """
    stored = parse_digest(digest) if isinstance(digest, str) else digest
    stored = stored.with_fingerprint(fingerprint)
    parts = content_parts(sop)
    if parts.full_hex() == stored.hex:
        return Comparison(True, signed_version=stored.version if stored.has_version else sop.version,
                          version_known=True)
    out = Comparison(False, signed_version=stored.version, version_known=stored.has_version)
    if not stored.detailed:
        return out
    ident, old_steps, old_secs = _split_fp(stored)
    found: list[Change] = []
    for f, b in zip(IDENTITY_FIELDS, ident):
        if _short(parts.identity[f], _ID_BYTES) != b:
            if f == "version" and stored.has_version:
                found.append(Change("version", was=stored.version, now=sop.version))
            else:
                found.append(Change("field", fields=(f,)))
    # steps: align by whole-step fingerprints, so an inserted step is "added", not "everything changed"
    old_keys = [w for w, _ in old_steps]
    new_keys = [_short(s, _STEP_BYTES) for s in parts.steps]
    step_changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for ai, bi in _pair_steps(old_steps[a1:a2], parts.steps[b1:b2]):
            if ai is not None and bi is not None:
                fields = _step_fields_changed(old_steps[a1 + ai][1], parts.steps[b1 + bi])
                n = b1 + bi + 1
                if not fields:
                    step_changes.append(Change("step", step=n, at=n))
                elif len(fields) == len(STEP_FIELDS):
                    step_changes.append(Change("step_rewritten", step=n, at=n))
                else:
                    step_changes.append(Change("step_fields", step=n, fields=tuple(fields), at=n))
            elif bi is not None:
                step_changes.append(Change("step_added", step=b1 + bi + 1, at=b1 + bi + 1))
            else:
                step_changes.append(Change("step_removed", step=a1 + ai + 1, at=b1 + 1))
    found.extend(sorted(step_changes, key=lambda c: c.at))
    # sections: matched by name
    old_by_name = {n: c for n, c in old_secs}
    seen_old: set[bytes] = set()
    for key, (_, content) in zip(parts.section_keys(), parts.sections):
        nk = _short(key, _SEC_BYTES)
        kind = "section" if key else "preamble"
        if nk not in old_by_name:
            found.append(Change(kind + "_added", name=key))
            continue
        seen_old.add(nk)
        if old_by_name[nk] != _short(content, _SEC_BYTES):
            found.append(Change(kind, name=key))
    gone = [n for n, _ in old_secs if n not in seen_old]
    if gone:
        found.append(Change("sections_removed", count=len(gone)))
    if not found:
        # every fingerprint agrees but the full hash does not: order of sections, or a fingerprint collision
        found.append(Change("structure"))
    out.parts = found
    return out
