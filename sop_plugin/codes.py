"""Every diagnostic code, in one registry.

Codes are stable: once released, a code keeps its meaning.  The table in
``docs/reference/diagnostics.md`` is checked against this registry by the
tests, so a new code cannot go undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Diagnostic, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    hint: str = ""

    def at(
        self,
        file: str,
        line: int,
        message: str,
        hint: str | None = None,
        *,
        severity: Severity | None = None,
        column: int = 1,
    ) -> Diagnostic:
        return Diagnostic(
            file=file,
            line=max(1, int(line or 1)),
            column=column,
            code=self.code,
            severity=severity or self.severity,
            message=message,
            hint=self.hint if hint is None else hint,
        )


REGISTRY: dict[str, Code] = {}


def _code(code: str, severity: Severity, title: str, hint: str = "") -> Code:
    c = Code(code, severity, title, hint)
    assert code not in REGISTRY, code
    REGISTRY[code] = c
    return c


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# -- SOP1xx: file and schema ------------------------------------------------
NO_FRONT_MATTER = _code("SOP100", E, "file has no front matter",
                        "start the file with a '---' line, the YAML fields, and a closing '---'")
YAML_SYNTAX = _code("SOP101", E, "front matter is not valid YAML",
                    "fix the YAML syntax at the line shown (indentation, ':' after keys, quotes)")
UNKNOWN_KEY = _code("SOP102", E, "unknown key")
BAD_TYPE = _code("SOP103", E, "value has the wrong type")
MISSING_FIELD = _code("SOP104", E, "required field is missing")
DUPLICATE_KEY = _code("SOP105", E, "key given twice",
                      "keep one of them; an English key and its Indonesian alias count as the same key")
BAD_ID = _code("SOP106", E, "SOP id does not match the configured pattern")
BAD_STATUS = _code("SOP107", E, "unknown status",
                   "use one of draft, review, approved, effective, retired")
BAD_DATE = _code("SOP108", E, "not a valid date", "write dates as YYYY-MM-DD, e.g. 2026-03-05")
BAD_ENUM = _code("SOP109", E, "value not allowed")
DATE_ORDER = _code("SOP110", E, "dates out of order")
TOO_LARGE = _code("SOP111", E, "file or section exceeds a size limit",
                  "split the content or shorten it; the limits are listed in the guide (Limits)")
OUT_OF_RANGE = _code("SOP112", E, "value outside the supported range")
NO_SOPS = _code("SOP113", E, "the SOP folder has no SOP files",
                "put the SOP files (*.md) in the folder, or name the folder that holds them (sops_dir)")
UNSAFE_ID = _code("SOP114", E, "SOP id is outside the id grammar",
                  "use letters and digits joined by '-', '.', '_' or '/', e.g. SOP-UMUM-004 (at most 64 characters)")
BAD_CONFIDENTIAL = _code("SOP115", E, "confidential is not true or false",
                         "write 'confidential: true' or 'confidential: false' (no quotes); until then the SOP "
                         "is treated as confidential and left out of public builds")
OUTSIDE_SOPS_DIR = _code("SOP116", E, "SOP file lies outside the SOP folder",
                         "a link that leaves the SOP folder is not read; copy the file into the folder instead")

# -- SOP2xx: references across files ---------------------------------------
DUPLICATE_ID = _code("SOP201", E, "SOP id used by more than one file",
                     "give each SOP its own id; ids are unique in the whole portal")
UNKNOWN_UNIT = _code("SOP202", E, "unit is not in units.yml")
UNKNOWN_RELATED = _code("SOP203", E, "related SOP does not exist")
UNKNOWN_HANDOVER = _code("SOP204", E, "handed-over SOP does not exist")
UNKNOWN_SUCCESSOR = _code("SOP205", E, "superseded_by names an SOP that does not exist")
UNITS_FILE = _code("SOP206", E, "units.yml is invalid")
UNKNOWN_ACTOR_UNIT = _code("SOP207", I, "actor belongs to no unit",
                           "add the actor to the roles of its unit in units.yml")
RETIRED_REFERENCE = _code("SOP208", W, "reference to a retired SOP")
PAGE_CLASH = _code("SOP209", E, "SOP would share its page with another SOP",
                   "give each SOP an id of its own; ids that differ only in case or in '/' versus '-' share a page")
RESERVED_ID = _code("SOP210", E, "SOP id takes a page or anchor the portal generates",
                    "choose another id; the portal uses this name itself")

# -- SOP3xx: procedure and flow --------------------------------------------
NO_PROCEDURE = _code("SOP300", E, "no procedure section",
                     "add a section '## Prosedur' with the steps as an ordered list")
MANY_PROCEDURES = _code("SOP301", E, "more than one procedure section",
                        "keep exactly one 'Prosedur' section; rename the others")
EMPTY_PROCEDURE = _code("SOP302", E, "procedure section has no ordered list of steps",
                        "write the steps as '1. ...', '2. ...' under the Prosedur heading")
UNKNOWN_STEP_FIELD = _code("SOP303", E, "unknown step field")
MISSING_ACTOR = _code("SOP304", E, "step has no actor",
                      "add '- pelaksana: <who does it>' under the step")
BAD_DURATION = _code("SOP305", E, "duration cannot be read",
                     "write e.g. '15 menit', '2 jam', '1 hari', '1 jam 30 menit', '1-3 hari' or 'PT1H30M'")
DANGLING_TARGET = _code("SOP306", E, "flow target does not exist")
UNREACHABLE_STEP = _code("SOP307", E, "step can never be reached",
                         "point a 'lanjut' or a decision branch at it, or remove it")
NO_WAY_OUT = _code("SOP308", E, "step can never reach an end",
                   "give the loop a branch that leads on, e.g. 'Ya -> 5' or 'Selesai -> end'")
FEW_BRANCHES = _code("SOP309", E, "decision needs at least two branches",
                     "list the outcomes under the decision, e.g. '- Ya -> 3' and '- Tidak -> end'")
BAD_PROBABILITY = _code("SOP310", E, "branch probabilities do not add up to 100 %")
BAD_BRANCH = _code("SOP311", E, "branch cannot be read",
                   "write a branch as '<label> -> <target>' or '<label> (60%) -> <target>'")
DUPLICATE_ANCHOR = _code("SOP312", E, "step anchor used twice")
NEXT_AND_DECISION = _code("SOP313", E, "step has both 'next' and a decision",
                          "a decision already says where each outcome goes; remove 'lanjut'")
BAD_STEP_ITEM = _code("SOP314", E, "step list item is not a 'key: value' field",
                      "put free text in the step's paragraph or in 'keterangan: ...'")
EMPTY_FIELD = _code("SOP315", E, "step field is empty")
DUPLICATE_STEP_FIELD = _code("SOP316", E, "step field given twice")
ANCHOR_CLASH = _code("SOP319", E, "heading anchor collides with a step anchor",
                     "rename the heading or its '{#anchor}'; step anchors (step-1, ...) belong to the step table")
NUMBERING = _code("SOP317", W, "written step numbers are not 1, 2, 3, ...",
                  "targets count steps in written order; renumber the list so that step N is written as N")
TOO_MANY_STEPS = _code("SOP318", E, "procedure has more steps than the limit",
                       "split the procedure into several SOPs linked with 'sop: <id>' hand-overs")
OVERLONG_STEP = _code("SOP320", W, "step is too long for one printed page of the SOP-AP table",
                      "keep the activity to a sentence or two and move the explanation into a further paragraph "
                      "under the step, which the step table shows and the SOP-AP table leaves out; list the "
                      "documents a step needs, not their parts")

# -- SOP4xx: approvals ------------------------------------------------------
MISSING_APPROVAL = _code("SOP401", E, "approval missing",
                         "an approved or effective SOP needs one approval each from maker, reviewer and leader")
DUPLICATE_ROLE = _code("SOP402", E, "more than one approval for a role")
SAME_SIGNER = _code("SOP403", E, "the same person signs in two roles",
                    "maker, reviewer and leader must be three different people")
APPROVAL_ORDER = _code("SOP404", E, "approvals out of order",
                       "the maker signs first, then the reviewer, then the leader")
NO_SIMULATION = _code("SOP405", E, "no passing simulation before the leader's approval",
                      "record a tabletop run under 'simulasi' with result: pass, dated on or before the leader signs")
UNSIGNED = _code("SOP406", W, "approval is not bound to the content",
                 "run 'sop sign FILE --role ROLE' to bind the signature to the current content")
DIGEST_MISMATCH = _code("SOP407", E, "content changed after signing")
VERSION_NOT_BUMPED = _code("SOP408", E, "content changed without a new version")
BAD_DIGEST = _code("SOP409", E, "digest cannot be read",
                   "let 'sop sign' write the digest; do not edit it by hand")
APPROVAL_DATE_MISSING = _code("SOP410", E, "approval has no date")
SIGNATURE_INVALID = _code("SOP411", E, "key signature of an approval is not valid",
                          "the approval must be signed with a key registered to the signer in the signers "
                          "registry, valid on the signing date and not revoked: "
                          "'sop sign FILE --role ROLE --key PATH'")
NOT_VERIFIED = _code("SOP412", W, "approval is not verified by a registered key",
                     "sign with the signer's registered key: 'sop sign FILE --role ROLE --key PATH'")
SIGNERS_FILE = _code("SOP413", E, "signers registry cannot be read",
                     "see docs/guide/signing.md for the format of signers.yml / penandatangan.yml")
SIGNERS_NOT_ANCHORED = _code("SOP414", W, "signers registry is not anchored",
                             "sign signers.yml with the quality office's root key "
                             "('ssh-keygen -Y sign -n sop-signers -f ROOT_KEY signers.yml') and set "
                             "SOP_SIGNERS_ANCHOR (or the 'signers_anchor' option) to its fingerprint")

# -- SOP5xx: lifecycle ------------------------------------------------------
EFFECTIVE_BEFORE_LEADER = _code("SOP501", E, "effective before the leader's approval",
                                "the effective date must be on or after the date the leader signs")
NO_EFFECTIVE_DATE = _code("SOP502", E, "effective SOP has no effective date",
                          "add 'tanggal_efektif: YYYY-MM-DD'")
REVIEW_DUE = _code("SOP503", W, "periodic review is overdue",
                   "record the Monev review under 'monev' (date, by, finding, recommendation)")
NOT_SOCIALISED = _code("SOP504", I, "effective SOP has never been socialised",
                       "record the socialisation meeting under 'sosialisasi'")
REVISION_ANSWER = _code("SOP505", I, "a monitoring record asks for revision")

# -- SOP6xx: simulation -----------------------------------------------------
SIM_EQUAL_SPLIT = _code("SOP600", W, "decision has no branch probabilities; the simulation splits cases equally",
                        "write the share you expect on each branch, e.g. 'Ya (80%) -> 3'")
SIM_ENDLESS_LOOP = _code("SOP601", W, "a loop is never left; the expected cycle time is infinite",
                         "give the loop a branch with a probability above 0 % that leads on")
SIM_NO_DURATION = _code("SOP602", I, "step has no duration; it counts as 0 minutes in the analysis",
                        "add '- waktu: ...' to the step, e.g. '30 menit' or '1-2 jam'")
SIM_STEP_LIMIT = _code("SOP603", W, "simulated cases were stopped by the step limit",
                       "a loop is taken very often; check the loop's probabilities or raise --max-steps")
SIM_PATHS_TRUNCATED = _code("SOP604", I, "too many paths to list; only the first ones are shown")
SIM_UNKNOWN_ACTOR = _code("SOP605", W, "capacity given for an actor the SOP does not use",
                          "use an actor name exactly as written after 'pelaksana:'")
SIM_RESCALED = _code("SOP606", W, "branch probabilities do not add up to 100 %; the analysis rescales them",
                     "make the branch percentages of the decision add up to 100")
SIM_NOTHING = _code("SOP607", I, "the SOP has no steps to analyse")

# -- SOP9xx: the tool itself --------------------------------------------------
INTERNAL = _code("SOP900", E, "internal error while processing this SOP",
                 "a bug in the SOP tool, not in the file: please report it with the file attached "
                 "('sop --debug lint FILE' prints the traceback); the other SOPs are built")
