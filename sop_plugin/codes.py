"""Every diagnostic code, in one registry.

Codes are stable: once released, a code keeps its meaning.  The table in
``docs/reference/diagnostics.md`` is checked against this registry by the
tests, so a new code cannot go undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import i18n
from .i18n import Msg
from .model import Diagnostic, Severity


@dataclass(frozen=True)
class Code:
    """A diagnostic code; its title and standing hint are in the catalogue
    (``i18n/messages/diagnostics-codes.yml``: ``code.SOP100.title``, ``code.SOP100.hint``)."""

    code: str
    severity: Severity

    @property
    def title(self) -> str:
        return i18n.t("en", f"code.{self.code}.title")

    @property
    def hint(self) -> str:
        """The standing hint (English), "" when the code has none."""
        said = self.said_hint
        return said.text("en") if said else ""

    @property
    def said_hint(self) -> Msg | None:
        key = f"code.{self.code}.hint"
        return Msg(key) if i18n.has(key) else None

    def at(
        self,
        file: str,
        line: int,
        message: str | Msg,
        hint: str | Msg | None = None,
        *,
        severity: Severity | None = None,
        column: int = 1,
    ) -> Diagnostic:
        """The diagnostic at ``file:line``.  A :class:`~sop_plugin.i18n.Msg` message (and hint) is
        shown in the reader's language (:meth:`Diagnostic.in_lang`); plain text is shown as it is.
        Without ``hint``, the code's standing hint."""
        said_hint = self.said_hint if hint is None else hint if isinstance(hint, Msg) else None
        return Diagnostic(
            file=file,
            line=max(1, int(line or 1)),
            column=column,
            code=self.code,
            severity=severity or self.severity,
            message=message.text("en") if isinstance(message, Msg) else message,
            hint=said_hint.text("en") if said_hint else (hint or "") if isinstance(hint, str) else "",
            said=message if isinstance(message, Msg) else None,
            said_hint=said_hint,
        )


REGISTRY: dict[str, Code] = {}


def _code(code: str, severity: Severity) -> Code:
    c = Code(code, severity)
    assert code not in REGISTRY, code
    REGISTRY[code] = c
    return c


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# -- SOP1xx: file and schema ------------------------------------------------
NO_FRONT_MATTER = _code("SOP100", E)
YAML_SYNTAX = _code("SOP101", E)
UNKNOWN_KEY = _code("SOP102", E)
BAD_TYPE = _code("SOP103", E)
MISSING_FIELD = _code("SOP104", E)
DUPLICATE_KEY = _code("SOP105", E)
BAD_ID = _code("SOP106", E)
BAD_STATUS = _code("SOP107", E)
BAD_DATE = _code("SOP108", E)
BAD_ENUM = _code("SOP109", E)
DATE_ORDER = _code("SOP110", E)
TOO_LARGE = _code("SOP111", E)
OUT_OF_RANGE = _code("SOP112", E)
NO_SOPS = _code("SOP113", E)
UNSAFE_ID = _code("SOP114", E)
BAD_CONFIDENTIAL = _code("SOP115", E)
OUTSIDE_SOPS_DIR = _code("SOP116", E)

# -- SOP2xx: references across files ---------------------------------------
DUPLICATE_ID = _code("SOP201", E)
UNKNOWN_UNIT = _code("SOP202", E)
UNKNOWN_RELATED = _code("SOP203", E)
UNKNOWN_HANDOVER = _code("SOP204", E)
UNKNOWN_SUCCESSOR = _code("SOP205", E)
UNITS_FILE = _code("SOP206", E)
UNKNOWN_ACTOR_UNIT = _code("SOP207", I)
RETIRED_REFERENCE = _code("SOP208", W)
PAGE_CLASH = _code("SOP209", E)
RESERVED_ID = _code("SOP210", E)

# -- SOP3xx: procedure and flow --------------------------------------------
NO_PROCEDURE = _code("SOP300", E)
MANY_PROCEDURES = _code("SOP301", E)
EMPTY_PROCEDURE = _code("SOP302", E)
UNKNOWN_STEP_FIELD = _code("SOP303", E)
MISSING_ACTOR = _code("SOP304", E)
BAD_DURATION = _code("SOP305", E)
DANGLING_TARGET = _code("SOP306", E)
UNREACHABLE_STEP = _code("SOP307", E)
NO_WAY_OUT = _code("SOP308", E)
FEW_BRANCHES = _code("SOP309", E)
BAD_PROBABILITY = _code("SOP310", E)
BAD_BRANCH = _code("SOP311", E)
DUPLICATE_ANCHOR = _code("SOP312", E)
NEXT_AND_DECISION = _code("SOP313", E)
BAD_STEP_ITEM = _code("SOP314", E)
EMPTY_FIELD = _code("SOP315", E)
DUPLICATE_STEP_FIELD = _code("SOP316", E)
ANCHOR_CLASH = _code("SOP319", E)
NUMBERING = _code("SOP317", W)
TOO_MANY_STEPS = _code("SOP318", E)
OVERLONG_STEP = _code("SOP320", W)

# -- SOP4xx: approvals ------------------------------------------------------
MISSING_APPROVAL = _code("SOP401", E)
DUPLICATE_ROLE = _code("SOP402", E)
SAME_SIGNER = _code("SOP403", E)
APPROVAL_ORDER = _code("SOP404", E)
NO_SIMULATION = _code("SOP405", E)
UNSIGNED = _code("SOP406", W)
DIGEST_MISMATCH = _code("SOP407", E)
VERSION_NOT_BUMPED = _code("SOP408", E)
BAD_DIGEST = _code("SOP409", E)
APPROVAL_DATE_MISSING = _code("SOP410", E)
SIGNATURE_INVALID = _code("SOP411", E)
NOT_VERIFIED = _code("SOP412", W)
SIGNERS_FILE = _code("SOP413", E)
SIGNERS_NOT_ANCHORED = _code("SOP414", W)

# -- SOP5xx: lifecycle ------------------------------------------------------
EFFECTIVE_BEFORE_LEADER = _code("SOP501", E)
NO_EFFECTIVE_DATE = _code("SOP502", E)
REVIEW_DUE = _code("SOP503", W)
NOT_SOCIALISED = _code("SOP504", I)
REVISION_ANSWER = _code("SOP505", I)

# -- SOP6xx: simulation -----------------------------------------------------
SIM_EQUAL_SPLIT = _code("SOP600", W)
SIM_ENDLESS_LOOP = _code("SOP601", W)
SIM_NO_DURATION = _code("SOP602", I)
SIM_STEP_LIMIT = _code("SOP603", W)
SIM_PATHS_TRUNCATED = _code("SOP604", I)
SIM_UNKNOWN_ACTOR = _code("SOP605", W)
SIM_RESCALED = _code("SOP606", W)
SIM_NOTHING = _code("SOP607", I)

# -- SOP9xx: the tool itself --------------------------------------------------
INTERNAL = _code("SOP900", E)
