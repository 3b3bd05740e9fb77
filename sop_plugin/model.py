"""The data model: plain dataclasses, no I/O, no MkDocs.

Everything downstream (checks, analysis, rendering, the CLI, the MkDocs
plugin) reads these objects; nothing re-parses source files.

Line numbers are 1-based and refer to the SOP file itself (front matter
included), so that diagnostics and editors agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from .memo import memo


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about one place in one file."""

    file: str
    line: int
    code: str
    severity: Severity
    message: str
    hint: str = ""
    column: int = 1
    # the message and hint as catalogue keys and fields (i18n.Msg), when they have them: in_lang
    said: Any = field(default=None, compare=False, repr=False)
    said_hint: Any = field(default=None, compare=False, repr=False)

    @property
    def translatable(self) -> bool:
        """Whether every part of it can be put into another language (else it is shown as made)."""
        return self.said is not None and (self.said_hint is not None or not self.hint)

    def in_lang(self, lang: str) -> Diagnostic:
        """This diagnostic with its message and hint in ``lang``; as made (English) unless
        :attr:`translatable`, so that one line never mixes two languages."""
        if not self.translatable:
            return self
        return replace(self, message=self.said.text(lang), hint=self.said_hint.text(lang) if self.said_hint else "")

    def format(self, lang: str = "en") -> str:
        """``file:line:column: CODE severity: message (hint)``, the message in ``lang``."""
        d = self.in_lang(lang)
        hint = f" ({d.hint})" if d.hint else ""
        return (
            f"{d.file}:{d.line}:{d.column}: {d.code} "
            f"{d.severity.value}: {d.message}{hint}"
        )

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        d = self.in_lang(lang)
        return {
            "file": d.file,
            "line": d.line,
            "column": d.column,
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
            "hint": d.hint,
        }


class Status(str, enum.Enum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    EFFECTIVE = "effective"
    RETIRED = "retired"

    @property
    def is_signed_off(self) -> bool:
        """Approved and effective SOPs must carry complete, valid approvals."""
        return self in (Status.APPROVED, Status.EFFECTIVE)

    @property
    def may_be_incomplete(self) -> bool:
        return self in (Status.DRAFT, Status.REVIEW)

    @property
    def in_force(self) -> bool:
        return self is Status.EFFECTIVE


class Role(str, enum.Enum):
    MAKER = "maker"  # pembuat
    REVIEWER = "reviewer"  # pemeriksa / pengoreksi
    LEADER = "leader"  # pimpinan tertinggi


ROLE_ORDER = (Role.MAKER, Role.REVIEWER, Role.LEADER)


@dataclass(frozen=True)
class Calendar:
    """How calendar words map to working minutes."""

    hours_per_day: float = 8.0
    days_per_week: float = 5.0

    @property
    def minutes_per_day(self) -> float:
        return self.hours_per_day * 60

    @property
    def minutes_per_week(self) -> float:
        return self.minutes_per_day * self.days_per_week


@dataclass(frozen=True, slots=True)
class Duration:
    """A step's time in working minutes; ``low == high`` unless a range was written."""

    text: str
    low: float
    high: float

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        return self.high != self.low


END = "end"


@dataclass(slots=True)
class Target:
    """Where control goes: a step number (1-based) or the end of the procedure.

    ``raw`` is what the author wrote.  ``step`` is filled once the procedure
    is known; ``None`` together with ``is_end == False`` means dangling.
    """

    raw: str
    line: int
    step: int | None = None
    is_end: bool = False

    @property
    def resolved(self) -> bool:
        return self.is_end or self.step is not None


@dataclass(slots=True)
class Branch:
    label: str
    target: Target
    line: int
    probability: float | None = None  # percent as written, 0..100


@dataclass(slots=True)
class Decision:
    question: str
    line: int
    branches: list[Branch] = field(default_factory=list)

    def probabilities(self) -> list[float]:
        """Branch probabilities as fractions; unspecified ones share the rest equally."""
        given = sum(b.probability for b in self.branches if b.probability is not None)
        missing = [b for b in self.branches if b.probability is None]
        rest = max(0.0, 100.0 - given)
        share = rest / len(missing) if missing else 0.0
        return [
            (b.probability if b.probability is not None else share) / 100.0
            for b in self.branches
        ]


def document_list(text: str) -> list[str]:
    """The documents a step field names, separated by ``;`` (a name may hold a comma or a slash)."""
    return [part.strip() for part in text.split(";") if part.strip()]


class FieldLines(Mapping[str, int]):
    """The line each field of a step is on, as a read-only mapping: two tuples instead of a dict.

    A step has four to six fields and a portal tens of thousands of steps, so the keys' tuple
    is shared by every step whose fields were written in the same order (a dict per step held
    4.6 MB of a 1,000-SOP portal in every process that holds the SOPs).
    """

    __slots__ = ("_keys", "_lines")

    def __init__(self, lines: Mapping[str, int] | None = None) -> None:
        lines = lines or {}
        self._keys: tuple[str, ...] = _field_names(tuple(lines))
        self._lines: tuple[int, ...] = tuple(lines.values())

    def __getitem__(self, key: str) -> int:
        try:
            return self._lines[self._keys.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __hash__(self) -> int:
        return hash((self._keys, self._lines))

    def __repr__(self) -> str:
        return f"FieldLines({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a dict: the receiving process shares its keys
        return FieldLines, (dict(self),)


@memo(4096)  # orders of fields: the first tuple of each is handed back for every equal one
def _field_names(names: tuple[str, ...]) -> tuple[str, ...]:
    return names


NO_FIELD_LINES = FieldLines()


@dataclass(slots=True)
class Step:
    number: int
    activity: str
    line: int
    anchor: str | None = None
    details: Sequence[str] = ()  # paragraphs after the fields; a list when there are any (most steps have none)
    actor: str | None = None
    inputs: list[str] = field(default_factory=list)
    duration: Duration | None = None
    duration_text: str | None = None
    output: str | None = None
    notes: str | None = None
    next: Target | None = None
    decision: Decision | None = None
    sop: str | None = None  # handover to another SOP id
    field_lines: FieldLines = NO_FIELD_LINES

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, self.line)

    @property
    def outputs(self) -> list[str]:
        """The documents the output names: ``HPS; Rancangan kontrak`` is two, as in ``inputs``."""
        return document_list(self.output or "")

    def successors(self, step_count: int) -> list[Target]:
        """The targets control may flow to after this step."""
        if self.decision is not None:
            return [b.target for b in self.decision.branches]
        if self.next is not None:
            return [self.next]
        if self.number < step_count:
            return [Target(raw=str(self.number + 1), line=self.line, step=self.number + 1)]
        return [Target(raw=END, line=self.line, is_end=True)]


@dataclass
class Procedure:
    heading: str
    line: int
    steps: list[Step] = field(default_factory=list)
    end_line: int = 0

    def step(self, number: int) -> Step | None:
        if 1 <= number <= len(self.steps):
            return self.steps[number - 1]
        return None

    def actors(self) -> list[str]:
        """Actors in order of first appearance (the flowchart's lanes)."""
        seen: dict[str, None] = {}
        for s in self.steps:
            if s.actor:
                seen.setdefault(s.actor, None)
        return list(seen)


@dataclass(slots=True)
class Section:
    """A free section of the body (Tujuan, Ruang Lingkup, ...)."""

    heading: str
    level: int
    line: int


@dataclass(slots=True)
class Team:
    writer: str | None = None
    field_executor: str | None = None
    supervisor: str | None = None
    supervisor_superior: str | None = None


@dataclass(slots=True)
class Approval:
    role: Role | None
    name: str
    position: str
    line: int
    date: dt.date | None = None
    nip: str | None = None
    digest: str | None = None
    role_text: str = ""


@dataclass(slots=True)
class Simulation:
    line: int
    date: dt.date | None = None
    participants: list[str] = field(default_factory=list)
    result: str | None = None  # pass | fail
    findings: str | None = None

    @property
    def passed(self) -> bool:
        return self.result == "pass"


@dataclass(slots=True)
class Socialization:
    line: int
    date: dt.date | None = None
    audience: list[str] = field(default_factory=list)
    notes: str | None = None


@dataclass(slots=True)
class Monitoring:
    line: int
    date: dt.date | None = None
    by: str | None = None
    finding: str | None = None
    recommendation: str | None = None  # keep | revise


@dataclass(slots=True)
class Revision:
    line: int
    version: int | None = None
    date: dt.date | None = None
    summary: str | None = None


@dataclass
class Sop:
    """One SOP file, parsed.  Fields the author left out are ``None`` / empty."""

    path: str  # as given to the loader, used in diagnostics and shown to people
    text: str  # the whole file
    id: str | None = None
    title: str | None = None
    unit: str | None = None
    version: int | None = None
    status: Status | None = None
    created: dt.date | None = None
    revised: dt.date | None = None
    effective: dt.date | None = None
    legal_basis: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    team: Team = field(default_factory=Team)
    approvals: list[Approval] = field(default_factory=list)
    simulations: list[Simulation] = field(default_factory=list)
    socialization: list[Socialization] = field(default_factory=list)
    review_interval_months: int | None = None
    monitoring: list[Monitoring] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    superseded_by: str | None = None
    confidential: bool = False
    body_start: int = -1  # where the body (the Markdown after the front matter) starts in text; -1: no body
    body_line: int = 1  # file line of the body's first line
    procedure: Procedure | None = None
    sections: list[Section] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict)  # "approvals.0.date" -> line; "title" -> line
    diagnostics: list[Diagnostic] = field(default_factory=list)  # from parsing
    source: str = ""  # absolute path of the file on disk, for I/O ("" when parsed from a string)

    @property
    def front_matter(self) -> set[str]:
        """The canonical keys the front matter has (their values are in the fields above)."""
        return {k for k in self.field_lines if "." not in k}

    @property
    def body(self) -> str:
        """The Markdown after the front matter (a slice of ``text``: a portal holds each file once)."""
        return self.text[self.body_start:] if self.body_start >= 0 else ""

    def line_of(self, key: str, default: int | None = None) -> int:
        if key in self.field_lines:
            return self.field_lines[key]
        head = key.split(".")[0]
        if head in self.field_lines:
            return self.field_lines[head]
        return default if default is not None else 1

    @property
    def steps(self) -> list[Step]:
        return self.procedure.steps if self.procedure else []

    def approval(self, role: Role) -> Approval | None:
        for a in self.approvals:
            if a.role is role:
                return a
        return None

    @property
    def label(self) -> str:
        return self.id or self.path


@dataclass
class Unit:
    key: str
    name: str
    line: int
    duties: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    parent: str | None = None
    roles: list[str] = field(default_factory=list)
    demand: list[str] = field(default_factory=list)
    enablers: list[str] = field(default_factory=list)
    capacity: dict[str, int] = field(default_factory=dict)
    numbering: str | None = None  # id pattern for `sop new`, e.g. "SOP-UMUM-{n:03}"
    team: Team = field(default_factory=Team)  # default Tim Penyusun for `sop new`


@dataclass
class Corpus:
    """Every SOP of a tree plus its units: the one store every view queries."""

    root: str
    sops: list[Sop] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)
    units_path: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # corpus-level (units.yml, ...)
    # lookups asked for once per SOP or per link: built once, again when the SOPs or units change
    _memo: dict[str, tuple[Any, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _memoised(self, name: str, version: Any, build: Callable[[], Any]) -> Any:
        found = self._memo.get(name)
        if found is None or found[0] != version:
            found = self._memo[name] = (version, build())
        return found[1]

    def by_id(self) -> dict[str, Sop]:
        """SOPs by id, the first of a duplicated id (shared: do not modify)."""
        def build() -> dict[str, Sop]:
            out: dict[str, Sop] = {}
            for s in self.sops:
                if s.id and s.id not in out:
                    out[s.id] = s
            return out

        return self._memoised("by_id", (id(self.sops), len(self.sops)), build)

    def by_path(self) -> dict[str, Sop]:
        return {s.path: s for s in self.sops}

    def get(self, sop_id: str) -> Sop | None:
        return self.by_id().get(sop_id)

    def unit_of_actor(self) -> dict[str, str]:
        """Actor name -> unit key, from ``units.yml`` roles (shared: do not modify)."""
        def build() -> dict[str, str]:
            out: dict[str, str] = {}
            for unit in self.units.values():
                for role in unit.roles:
                    out.setdefault(role, unit.key)
            return out

        return self._memoised("unit_of_actor", (id(self.units), len(self.units)), build)

    def all_diagnostics(self) -> list[Diagnostic]:
        out = list(self.diagnostics)
        for s in self.sops:
            out.extend(s.diagnostics)
        return out


def actor_unit(unit_of_actor: dict[str, str], sop: Sop, actor: str | None) -> str | None:
    """The unit an actor of ``sop`` works in: the unit whose ``roles`` list the actor
    (``unit_of_actor`` is :meth:`Corpus.unit_of_actor`), else the SOP's own unit.

    The one rule behind every unit hand-off count (analysis, unit map, export).
    """
    if not actor:
        return None
    return unit_of_actor.get(actor) or sop.unit or None


def sort_key(sop: Sop) -> tuple[str, str]:
    """The order SOPs are listed in everywhere: by id (case-insensitive), then file."""
    return ((sop.id or "").upper(), sop.path)
