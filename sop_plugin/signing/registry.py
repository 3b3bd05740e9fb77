"""The signers registry (``signers.yml`` / ``penandatangan.yml`` beside ``units.yml``) and its trust anchor.

The quality office keeps one YAML file that maps each person to their SSH
public keys with the dates each key is valid::

    penandatangan:                      # signers
      - nama: Dr. Rina Kusumawati, M.Si.  # name
        nip: "197803152005012001"
        jabatan: [Kepala Biro Akademik]   # positions
        kunci:                            # keys
          - publik: ssh-ed25519 AAAAC3Nz… # key
            berlaku_mulai: 2025-01-01     # valid_from
            berlaku_sampai: 2027-12-31    # valid_until
            dicabut: 2026-06-30           # revoked (optional)

Anyone who can edit the repository can edit this file, so it counts only when
it is *anchored*: ``signers.yml.sig`` beside it is an SSH signature of the
file's exact bytes (namespace ``sop-signers``, as made by
``ssh-keygen -Y sign -n sop-signers -f ROOT_KEY signers.yml``) by the quality
office's root key, whose fingerprint reaches the build from outside the
repository: the ``signers_anchor`` option (``!ENV SOP_SIGNERS_ANCHOR`` in
mkdocs.yml) or the ``SOP_SIGNERS_ANCHOR`` environment variable.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import aliases, codes
from ..i18n import Msg, msg
from ..model import Diagnostic, Severity
from ..parsing.yamlloc import YamlError, load
from . import keys

REGISTRY_FILES = ("signers.yml", "penandatangan.yml")
ANCHOR_ENV = "SOP_SIGNERS_ANCHOR"
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class RegisteredKey:
    public_key: str
    fingerprint: str
    line: int
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    revoked: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))


@dataclass(frozen=True)
class Person:
    name: str
    nip: str | None
    positions: tuple[str, ...]
    line: int
    keys: tuple[RegisteredKey, ...] = ()

    def is_named(self, name: str | None, nip: str | None) -> bool:
        """Is an approval by ``name`` / ``nip`` this person?  The NIP decides when both have one."""
        if nip and self.nip:
            return _digits(nip) == _digits(self.nip)
        return bool(name) and _name_key(name) == _name_key(self.name)


@dataclass
class Registry:
    """The registry of one SOP tree; ``present`` False when the tree has none."""

    path: str | None = None
    present: bool = False
    anchored: bool = False
    anchor_problem: Msg | None = None  # why not anchored (``anchor_problem.text(lang)``)
    anchor_fingerprint: str | None = None  # the configured anchor
    people: list[Person] = field(default_factory=list)
    problems: list[tuple[int, Msg, Msg | None]] = field(default_factory=list)  # (line, message, hint)

    def key(self, fingerprint: str) -> tuple[Person, RegisteredKey] | None:
        for p in self.people:
            for k in p.keys:
                if k.fingerprint == fingerprint:
                    return p, k
        return None


def _digits(text: str) -> str:
    return "".join(ch for ch in str(text) if ch.isdigit())


def _name_key(text: str) -> str:
    return " ".join(str(text).casefold().split())


def configured_anchor(option: str | None) -> str | None:
    """The anchor fingerprint: the option when set, else the ``SOP_SIGNERS_ANCHOR`` environment variable."""
    value = (option or "").strip() or os.environ.get(ANCHOR_ENV, "").strip()
    return value or None


def registry_path(root: Path) -> Path | None:
    for name in REGISTRY_FILES:
        p = root / name
        if p.is_file():
            return p
    return None


_cache: dict[tuple[str, str | None, Any], Registry] = {}


def load_registry(root: str | Path, anchor: str | None) -> Registry:
    """The registry below ``root`` checked against ``anchor`` (cached on the files' size and mtime)."""
    root = Path(root)
    path = registry_path(root)
    if path is None:
        return Registry()
    sig = path.with_name(path.name + ".sig")
    try:
        stamp = tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None for p in (path, sig))
    except OSError:
        stamp = None
    key = (str(path.resolve()), anchor, stamp)
    hit = _cache.get(key)
    if hit is not None and stamp is not None:
        return hit
    reg = _load(path, sig, anchor, path.as_posix())
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = reg
    return reg


def _load(path: Path, sig: Path, anchor: str | None, shown: str) -> Registry:
    reg = Registry(path=shown, present=True, anchor_fingerprint=anchor)
    problem: Msg | None = None
    raw, text = b"", ""
    try:
        if path.stat().st_size > MAX_BYTES:
            problem = msg("diag.registry.too_large", mb=MAX_BYTES // 1_000_000)
        else:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
    except (OSError, ValueError) as exc:
        problem = msg("diag.registry.unreadable", error=str(exc))
    if problem is not None:
        reg.anchor_problem = msg("diag.registry.cannot_read")
        reg.problems.append((1, problem, None))
        return reg
    _parse(text, reg)
    _anchor(raw, sig, anchor, reg)
    return reg


def _anchor(raw: bytes, sig: Path, anchor: str | None, reg: Registry) -> None:
    if not anchor:
        reg.anchor_problem = msg("diag.registry.no_anchor", env=ANCHOR_ENV)
        return
    try:
        armored = sig.read_text(encoding="ascii")
    except (OSError, ValueError):
        reg.anchor_problem = msg("diag.registry.not_signed", sig=sig.name)
        return
    try:
        checked = keys.verify(raw, armored, keys.REGISTRY_NAMESPACE)
    except keys.BadSignature:
        reg.anchor_problem = msg("diag.registry.bad_signature", sig=sig.name)
        return
    if checked.fingerprint != anchor:
        reg.anchor_problem = msg("diag.registry.wrong_signer", signer=checked.fingerprint, anchor=anchor)
        return
    reg.anchored = True


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _parse(text: str, reg: Registry) -> None:
    try:
        loc = load(text)
    except YamlError as exc:
        reg.problems.append((exc.line, msg("diag.registry.bad_yaml", error=exc.message), None))
        return
    data = loc.value
    lines = loc.lines

    def bad(where: str, message: Msg, hint: Msg | None = None) -> None:
        reg.problems.append((lines.get(where, 1), message, hint))

    if not isinstance(data, dict):
        bad("", msg("diag.registry.not_mapping"))
        return
    top = {aliases.canonical("signers", str(k)): k for k in data}
    if "signers" not in top or not isinstance(data[top["signers"]], list):
        bad("", msg("diag.registry.no_list"))
        return
    base = str(top["signers"])
    for i, item in enumerate(data[top["signers"]]):
        where = f"{base}.{i}"
        if not isinstance(item, dict):
            bad(where, msg("diag.registry.signer_not_mapping"))
            continue
        f = {aliases.canonical("signer", str(k)): k for k in item}
        name = str(item.get(f.get("name"), "") or "").strip()
        if not name:
            bad(where, msg("diag.registry.no_name"), msg("diag.registry.no_name_hint"))
            continue
        nip_raw = item.get(f.get("nip"))
        nip = str(nip_raw).strip() if nip_raw not in (None, "") else None
        pos_raw = item.get(f.get("positions"))
        positions = tuple(str(p) for p in (pos_raw if isinstance(pos_raw, list) else [pos_raw] if pos_raw else []))
        key_items = item.get(f.get("keys"))
        found: list[RegisteredKey] = []
        kbase = f"{where}.{f.get('keys')}"
        for j, k in enumerate(key_items if isinstance(key_items, list) else []):
            kwhere = f"{kbase}.{j}"
            if isinstance(k, str):
                k = {"key": k}
            if not isinstance(k, dict):
                bad(kwhere, msg("diag.registry.key_not_mapping", name=name))
                continue
            kf = {aliases.canonical("signer_key", str(x)): x for x in k}
            line_text = str(k.get(kf.get("key"), "") or "")
            try:
                public = keys.public_key_line(line_text)
                fp = keys.fingerprint(public)
            except (ValueError, NotImplementedError, TypeError):
                bad(kwhere, msg("diag.registry.key_not_ssh", name=name), msg("diag.registry.key_not_ssh_hint"))
                continue
            dates = {}
            for d in ("valid_from", "valid_until", "revoked"):
                v = k.get(kf.get(d)) if d in kf else None
                if v is not None and _date(v) is None:
                    bad(f"{kwhere}.{kf[d]}", msg("diag.registry.key_bad_date", field=str(kf[d]), name=name))
                dates[d] = _date(v)
            found.append(RegisteredKey(public, fp, lines.get(kwhere, 1), **dates))
        if not isinstance(key_items, list) or not key_items:
            bad(where, msg("diag.registry.no_key", name=name), msg("diag.registry.no_key_hint"))
        reg.people.append(Person(name, nip, positions, lines.get(where, 1), tuple(found)))
    seen: dict[str, str] = {}
    for p in reg.people:
        for k in p.keys:
            if k.fingerprint in seen and seen[k.fingerprint] != p.name:
                reg.problems.append((k.line, msg("diag.registry.key_twice", key=k.fingerprint,
                                                 first=seen[k.fingerprint], second=p.name),
                                     msg("diag.registry.key_twice_hint")))
            seen.setdefault(k.fingerprint, p.name)


def registry_diagnostics(reg: Registry, shown: str, needed: bool, strict: bool) -> list[Diagnostic]:
    """Findings about the registry itself, located in ``shown`` (the registry's path as diagnostics show
    paths); ``needed``: some approval would be verified against it."""
    out = [codes.SIGNERS_FILE.at(shown, line, message, hint) for line, message, hint in sorted(reg.problems, key=lambda p: p[0])]
    if reg.present and not reg.anchored and needed:
        out.append(codes.SIGNERS_NOT_ANCHORED.at(
            shown, 1, msg("diag.registry.not_anchored", problem=reg.anchor_problem or ""),
            severity=Severity.ERROR if strict else None))
    return out
