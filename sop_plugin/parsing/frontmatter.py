"""Split a file into front matter and body, and turn the front matter into model fields.

MkDocs silently ignores front matter it cannot read; we report every
problem with its line instead: invalid YAML, unknown keys (with the
closest known one), duplicate keys (an English key and its alias count as
one), wrong types and bad dates.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import Any, Callable

from .. import aliases, codes, limits
from ..i18n import Msg, msg
from ..model import (
    Approval,
    Diagnostic,
    Monitoring,
    Revision,
    Role,
    Simulation,
    Socialization,
    Sop,
    Status,
    Team,
)
from .yamlloc import Located, YamlError, load

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split(text: str) -> tuple[str | None, int, str, int]:
    """``(yaml_text, yaml_first_line, body, body_first_line)``; yaml_text is None without front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        return None, 0, text, 1
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i].rstrip("\r\n")):
            return "".join(lines[1:i]), 2, "".join(lines[i + 1:]), i + 2
    return "".join(lines[1:]), 2, "", len(lines) + 1


def is_unclosed(text: str) -> bool:
    """True when ``text`` opens a front matter with '---' but never closes it."""
    lines = text.splitlines()
    return bool(lines) and bool(_FENCE.match(lines[0])) and not any(_CLOSE.match(x) for x in lines[1:])


class _Reader:
    """Converts one located mapping into canonical fields, collecting diagnostics."""

    def __init__(self, sop: Sop, loc: Located):
        self.sop = sop
        self.loc = loc
        self.diags: list[Diagnostic] = []

    # -- helpers -------------------------------------------------------
    def line(self, path: str) -> int:
        while path:
            if path in self.loc.lines:
                return self.loc.lines[path]
            path = path.rpartition(".")[0]
        return self.loc.lines.get("", 1)

    def err(self, code: codes.Code, path: str, message: Msg, hint: Msg | None = None) -> None:
        self.diags.append(code.at(self.sop.path, self.line(path), message, hint))

    def mapping(self, value: Any, path: str, context: str) -> dict[str, tuple[Any, str]]:
        """Canonical key -> (value, source path).  Reports unknown and duplicate keys."""
        if not isinstance(value, dict):
            if path:
                self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_mapping", path=path),
                         msg("diag.frontmatter.not_mapping_hint", path=path))
            else:
                self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_mapping_top"),
                         msg("diag.frontmatter.not_mapping_top_hint"))
            return {}
        out: dict[str, tuple[Any, str]] = {}
        for key, val in value.items():
            sub = f"{path}.{key}" if path else str(key)
            canon = aliases.canonical(context, str(key))
            if canon is None:
                self.err(codes.UNKNOWN_KEY, sub, msg("diag.frontmatter.unknown_key", key=str(key)),
                         aliases.key_hint(context, str(key)))
                continue
            if canon in out:
                self.err(codes.DUPLICATE_KEY, sub,
                         msg("diag.frontmatter.repeats", key=str(key), first=aliases.display_key(context, canon)))
                continue
            out[canon] = (val, sub)
        for dup_path, dup_line in self.loc.duplicates:
            if dup_path.rpartition(".")[0] == path or (not path and "." not in dup_path):
                self.diags.append(codes.DUPLICATE_KEY.at(
                    self.sop.path, dup_line, msg("diag.frontmatter.given_twice", key=dup_path.rpartition(".")[2])))
        return out

    def text(self, value: Any, path: str, label: str | Msg) -> str | None:
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        if isinstance(value, (dt.date,)):
            return value.isoformat()
        self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_text", label=label, kind=_kind(value)))
        return None

    def text_list(self, value: Any, path: str, label: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value.strip()] if value.strip() else []
        if not isinstance(value, list):
            self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_list", label=label, kind=_kind(value)),
                     msg("diag.frontmatter.not_list_hint", label=label))
            return []
        out = []
        for i, item in enumerate(value):
            t = self.text(item, f"{path}.{i}", msg("diag.frontmatter.item", label=label))
            if t:
                out.append(t)
        return out

    def date(self, value: Any, path: str, label: str) -> dt.date | None:
        if value is None or value == "":
            return None
        day: dt.date | None = None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if day is None:
            self.err(codes.BAD_DATE, path, msg("diag.frontmatter.bad_date", label=label, value=_short(value)))
            return None
        if not limits.date_in_range(day):
            # review dates are computed from these; 9999-12-31 + 12 months is past the calendar's end
            self.err(codes.OUT_OF_RANGE, path,
                     msg("diag.frontmatter.date_out_of_range", label=label, date=day.isoformat(),
                         first=limits.MIN_YEAR, last=limits.MAX_YEAR),
                     msg("diag.frontmatter.date_out_of_range_hint"))
            return None
        return day

    def integer(self, value: Any, path: str, label: str, minimum: int = 0,
                maximum: int = limits.MAX_VERSION) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_whole_number", label=label, value=_kind(value)))
            return None
        text = value.strip() if isinstance(value, str) else None
        if text is not None and not (text.isascii() and text.lstrip("+-").isdigit()):
            self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_whole_number", label=label, value=_short(value)))
            return None
        if text is not None and len(text) > 20:  # int() refuses more than 4,300 digits; no version needs 20
            self.err(codes.OUT_OF_RANGE, path,
                     msg("diag.frontmatter.too_many_digits", label=label, maximum=maximum, digits=len(text)))
            return None
        n = int(text) if text is not None else value
        if n < minimum:
            self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.too_small", label=label, minimum=minimum, value=n))
            return None
        if n > maximum:
            self.err(codes.OUT_OF_RANGE, path,
                     msg("diag.frontmatter.too_large", label=label, maximum=maximum, value=_short(n)))
            return None
        return n

    def boolean(self, value: Any, path: str, label: str) -> bool:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("ya", "tidak"):
            return value.strip().lower() == "ya"
        self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_boolean", label=label, value=repr(value)))
        return False

    def confidential(self, value: Any, path: str, given: bool) -> bool:
        """Fails closed: only a real ``false`` (or no key) is public; a real ``true`` is confidential;
        any other value (``"true"``, ``1``, ``ya``, an empty value) is an error and counts as confidential."""
        if not given or value is False:
            return False
        if value is not True:
            self.err(codes.BAD_CONFIDENTIAL, path, msg("diag.frontmatter.bad_confidential", value=repr(value)))
        return True

    def enum(self, value: Any, path: str, label: str, kind: str, allowed: tuple[str, ...]) -> str | None:
        """The canonical value; a value not ``allowed`` is SOP109 (the status: SOP107, with its own hint)."""
        t = self.text(value, path, label)
        if t is None:
            return None
        v = aliases.canonical_value(kind, t)
        if v not in allowed:
            if kind == "status":
                self.err(codes.BAD_STATUS, path,
                         msg("diag.frontmatter.bad_status", value=t, allowed=", ".join(allowed)))
            else:
                self.err(codes.BAD_ENUM, path, msg("diag.frontmatter.bad_enum", label=label, value=t,
                                                   allowed=", ".join(allowed)),
                         msg("diag.frontmatter.bad_enum_hint", allowed=", ".join(allowed)))
            return None
        return v

    def records(self, value: Any, path: str, label: str, context: str,
                build: Callable[[dict[str, tuple[Any, str]], int], Any]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(codes.BAD_TYPE, path, msg("diag.frontmatter.not_records", label=label))
            return []
        out = []
        for i, item in enumerate(value):
            sub = f"{path}.{i}"
            fields = self.mapping(item, sub, context)
            # interned: "approvals.0.date" is one string for the whole portal, not one per SOP
            self.sop.field_lines[sys.intern(f"{label}.{i}")] = self.line(sub)
            for key, (_, src) in fields.items():
                self.sop.field_lines[sys.intern(f"{label}.{i}.{key}")] = self.line(src)
            if isinstance(item, dict):
                out.append(build(fields, self.line(sub)))
        return out


def _short(value: Any, n: int = 40) -> str | Msg:
    """A value for a message: its repr, cut to ``n`` characters (a value may be megabytes)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() >= 128:
        return msg("diag.frontmatter.very_large_number")  # str() refuses over 4,300 digits
    text = repr(value) if not isinstance(value, int) or isinstance(value, bool) else str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


_KINDS = {
    dict: "diag.frontmatter.kind_mapping",
    list: "diag.frontmatter.kind_list",
    bool: "diag.frontmatter.kind_bool",
    int: "diag.frontmatter.kind_number",
    float: "diag.frontmatter.kind_fraction",
    str: "diag.frontmatter.kind_text",
    dt.date: "diag.frontmatter.kind_date",
    dt.datetime: "diag.frontmatter.kind_datetime",
}


def _kind(value: Any) -> Msg:
    """What a value is, for "must be text, not a list"."""
    key = _KINDS.get(type(value))
    return msg(key) if key else msg("diag.frontmatter.kind_other", name=type(value).__name__)


def _doubtful_flag(loc: Located) -> bool:
    """A misspelt confidential key (``confidental``, ``Rahasia:`` twice, ...) keeps the SOP confidential.

    The key itself is reported as unknown or duplicate; until it is fixed the
    SOP must not leak into a public build.
    """
    raw = loc.value
    if not isinstance(raw, dict):
        return False
    for dup_path, _ in loc.duplicates:
        if "." not in dup_path and aliases.canonical("front_matter", dup_path) == "confidential":
            return True
    confidential_keys = [k for k in raw if aliases.canonical("front_matter", str(k)) == "confidential"]
    if len(confidential_keys) > 1:  # 'confidential' and 'rahasia' both given
        return True
    for key in raw:
        k = str(key).strip().lower()
        if aliases.canonical("front_matter", k) is not None:
            continue
        if any(w in k for w in ("confiden", "rahasia", "secret", "rhs")) or aliases.suggest("front_matter", k) in (
                "confidential", "rahasia"):
            return True
    return False


def apply_front_matter(sop: Sop, yaml_text: str, first_line: int) -> list[Diagnostic]:
    """Fill ``sop``'s identity and lifecycle fields from its front matter."""
    try:
        loc = load(yaml_text, line_offset=first_line - 1)
    except YamlError as exc:
        return [codes.YAML_SYNTAX.at(sop.path, exc.line, msg("diag.frontmatter.yaml_syntax", error=exc.message),
                                     column=exc.column)]
    if loc.value is None:
        return [codes.NO_FRONT_MATTER.at(sop.path, first_line, msg("diag.frontmatter.empty"))]
    r = _Reader(sop, loc)
    fm = r.mapping(loc.value, "", "front_matter")
    for canon, (_, src) in fm.items():  # the keys it has: Sop.front_matter
        sop.field_lines[canon] = r.line(src)

    def get(key: str) -> tuple[Any, str]:
        return fm.get(key, (None, key))

    sop.id = r.text(*get("id"), "id")
    sop.title = r.text(*get("title"), "title")
    sop.unit = r.text(*get("unit"), "unit")
    sop.version = r.integer(*get("version"), "version", minimum=0)
    status = r.enum(*get("status"), "status", "status", tuple(s.value for s in Status))
    sop.status = Status(status) if status else None
    sop.created = r.date(*get("created"), "created")
    sop.revised = r.date(*get("revised"), "revised")
    sop.effective = r.date(*get("effective"), "effective")
    for key in ("legal_basis", "qualifications", "related", "equipment", "warnings", "records"):
        setattr(sop, key, r.text_list(*get(key), key))
    sop.superseded_by = r.text(*get("superseded_by"), "superseded_by")
    sop.confidential = r.confidential(*get("confidential"), "confidential" in fm) or _doubtful_flag(loc)

    team_val, team_path = get("team")
    if team_val is not None:
        t = r.mapping(team_val, team_path, "team")
        sop.team = Team(**{k: r.text(v, p, k) for k, (v, p) in t.items()})

    def approval(f: dict[str, tuple[Any, str]], line: int) -> Approval:
        role_text = r.text(*f.get("role", (None, "")), "role") or ""
        role = None
        if "role" in f:
            rv = r.enum(*f["role"], "role", "role", tuple(x.value for x in Role))
            role = Role(rv) if rv else None
        nip = f.get("nip", (None, ""))
        return Approval(
            role=role,
            role_text=role_text,
            name=r.text(*f.get("name", (None, "")), "name") or "",
            position=r.text(*f.get("position", (None, "")), "position") or "",
            line=line,
            date=r.date(*f.get("date", (None, "")), "date"),
            nip=r.text(*nip, "nip"),
            digest=r.text(*f.get("digest", (None, "")), "digest"),
        )

    sop.approvals = r.records(*get("approvals"), "approvals", "approval", approval)

    def simulation(f: dict[str, tuple[Any, str]], line: int) -> Simulation:
        return Simulation(
            line=line,
            date=r.date(*f.get("date", (None, "")), "date"),
            participants=r.text_list(*f.get("participants", (None, "")), "participants"),
            result=r.enum(*f["result"], "result", "result", ("pass", "fail")) if "result" in f else None,
            findings=r.text(*f.get("findings", (None, "")), "findings"),
        )

    sop.simulations = r.records(*get("simulations"), "simulations", "simulation", simulation)

    def socialization(f: dict[str, tuple[Any, str]], line: int) -> Socialization:
        return Socialization(
            line=line,
            date=r.date(*f.get("date", (None, "")), "date"),
            audience=r.text_list(*f.get("audience", (None, "")), "audience"),
            notes=r.text(*f.get("notes", (None, "")), "notes"),
        )

    sop.socialization = r.records(*get("socialization"), "socialization", "socialization", socialization)

    review_val, review_path = get("review")
    if review_val is not None:
        rv = r.mapping(review_val, review_path, "review")
        if "interval_months" in rv:
            sop.review_interval_months = r.integer(*rv["interval_months"], "interval_months", minimum=1,
                                                   maximum=limits.MAX_INTERVAL_MONTHS)

    def monitoring(f: dict[str, tuple[Any, str]], line: int) -> Monitoring:
        rec = f.get("recommendation")
        return Monitoring(
            line=line,
            date=r.date(*f.get("date", (None, "")), "date"),
            by=r.text(*f.get("by", (None, "")), "by"),
            finding=r.text(*f.get("finding", (None, "")), "finding"),
            recommendation=r.enum(*rec, "recommendation", "recommendation", ("keep", "revise")) if rec else None,
        )

    sop.monitoring = r.records(*get("monitoring"), "monitoring", "monitoring", monitoring)

    def revision(f: dict[str, tuple[Any, str]], line: int) -> Revision:
        return Revision(
            line=line,
            version=r.integer(*f.get("version", (None, "")), "version"),
            date=r.date(*f.get("date", (None, "")), "date"),
            summary=r.text(*f.get("summary", (None, "")), "summary"),
        )

    sop.revisions = r.records(*get("revisions"), "revisions", "revision", revision)
    return r.diags

