"""Read ``units.yml``: the work units (unit kerja) of the organisation."""

from __future__ import annotations

import re

from .. import aliases, codes, limits
from ..model import Diagnostic, Team, Unit
from .yamlloc import YamlError, load


def parse_units(text: str, path: str) -> tuple[dict[str, Unit], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_UNITS_BYTES:
        return {}, [codes.TOO_LARGE.at(path, 1, f"the units file is {limits.size_text(size)}; it may be at most "
                                                f"{limits.size_text(limits.MAX_UNITS_BYTES)}, so it was not read",
                                       "check that this is the right file")]
    try:
        loc = load(text)
    except YamlError as exc:
        return {}, [codes.UNITS_FILE.at(path, exc.line, f"units file is not valid YAML: {exc.message}",
                                        "fix the YAML syntax at the line shown", column=exc.column)]
    data = loc.value
    if data is None:
        return {}, []
    if isinstance(data, dict) and set(data) == {"units"}:  # tolerate a top-level "units:" wrapper
        data = data["units"]
        loc.lines = {k[len("units."):]: v for k, v in loc.lines.items() if k.startswith("units.")}
    if not isinstance(data, dict):
        return {}, [codes.UNITS_FILE.at(path, 1, "units file must map each unit key to its description",
                                        "write 'biro-umum:' followed by indented 'name: ...' lines")]
    for dup_path, dup_line in loc.duplicates:
        diags.append(codes.UNITS_FILE.at(path, dup_line, f"key '{dup_path}' given twice", "keep one of them"))
    units: dict[str, Unit] = {}
    for key, spec in data.items():
        key = str(key)
        line = loc.lines.get(key, 1)
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            diags.append(codes.UNITS_FILE.at(path, line, f"unit '{key}' must be a mapping",
                                             "give the unit at least 'name: ...'"))
            continue
        fields: dict[str, object] = {}
        for k, v in spec.items():
            canon = aliases.canonical("unit", str(k))
            kline = loc.lines.get(f"{key}.{k}", line)
            if canon is None:
                near = aliases.suggest("unit", str(k))
                diags.append(codes.UNITS_FILE.at(path, kline, f"unit '{key}': unknown key '{k}'",
                                                 f"did you mean '{near}'?" if near else
                                                 "known keys: " + ", ".join(aliases.known_keys("unit"))))
                continue
            fields[canon] = v
        unit = Unit(key=key, name=str(fields.get("name") or key), line=line)
        for lk in ("duties", "authority", "roles", "demand", "enablers"):
            v = fields.get(lk)
            if v is None:
                continue
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list):
                diags.append(codes.UNITS_FILE.at(path, loc.lines.get(f"{key}.{lk}", line),
                                                 f"unit '{key}': '{lk}' must be a list", "write one '- item' per line"))
                continue
            setattr(unit, lk, [str(x).strip() for x in v if x is not None and str(x).strip()])
        parent = fields.get("parent")
        unit.parent = str(parent) if parent else None
        cap = fields.get("capacity") or {}
        if isinstance(cap, dict):
            for actor, n in cap.items():
                if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
                    unit.capacity[str(actor)] = n
                else:
                    diags.append(codes.UNITS_FILE.at(path, loc.lines.get(f"{key}.capacity", line),
                                                     f"unit '{key}': capacity of '{actor}' must be a whole number ≥ 1"))
        else:
            diags.append(codes.UNITS_FILE.at(path, loc.lines.get(f"{key}.capacity", line),
                                             f"unit '{key}': 'capacity' must map actor names to numbers"))
        _numbering_and_team(unit, fields, path, loc.lines, line, diags)
        units[key] = unit
    for unit in units.values():
        if unit.parent and unit.parent not in units:
            diags.append(codes.UNITS_FILE.at(path, unit.line, f"unit '{unit.key}': parent '{unit.parent}' is not a unit",
                                             "use the key of another unit in this file"))
    seen: dict[str, str] = {}
    for unit in units.values():
        for role in unit.roles:
            if role in seen and seen[role] != unit.key:
                diags.append(codes.UNITS_FILE.at(path, unit.line,
                                                 f"role '{role}' belongs to both '{seen[role]}' and '{unit.key}'",
                                                 "an actor name belongs to one unit; make the names distinct"))
            seen.setdefault(role, unit.key)
    return units, diags


_NUMBER_FIELD = re.compile(r"\{(?:n|nomor)(?::0?([0-9]{1,2}))?\}")  # ASCII digits; a width of 1-99


def numbering_parts(pattern: str) -> tuple[str, str, int] | None:
    """``(prefix, suffix, width)`` of a numbering pattern such as ``SOP-UMUM-{n:03}``; ``None`` if malformed."""
    found = list(_NUMBER_FIELD.finditer(pattern))
    if len(found) != 1:
        return None
    m = found[0]
    return pattern[:m.start()], pattern[m.end():], int(m.group(1) or 1)


def _numbering_and_team(unit: Unit, fields: dict[str, object], path: str, lines: dict[str, int], line: int,
                        diags: list[Diagnostic]) -> None:
    """The optional keys `sop new` uses: ``numbering`` / ``penomoran`` and ``team`` / ``tim``."""
    key = unit.key
    pattern = fields.get("numbering")
    if pattern is not None:
        if isinstance(pattern, str) and numbering_parts(pattern):
            unit.numbering = pattern.strip()
        else:
            diags.append(codes.UNITS_FILE.at(path, lines.get(f"{key}.numbering", lines.get(f"{key}.penomoran", line)),
                                             f"unit '{key}': numbering must be text with one '{{n}}' for the number",
                                             "write for example 'numbering: SOP-UMUM-{n:03}' (three digits)"))
    team = fields.get("team")
    if team is None:
        return
    tline = lines.get(f"{key}.team", lines.get(f"{key}.tim", line))
    if not isinstance(team, dict):
        diags.append(codes.UNITS_FILE.at(path, tline, f"unit '{key}': 'team' must map roles to names",
                                         "write 'writer: ...', 'field_executor: ...', 'supervisor: ...', "
                                         "'supervisor_superior: ...' (or penulis, pelaksana_lapangan, pengawas, "
                                         "atasan_pengawas)"))
        return
    values: dict[str, str] = {}
    for k, v in team.items():
        canon = aliases.canonical("team", str(k))
        if canon is None:
            near = aliases.suggest("team", str(k))
            diags.append(codes.UNITS_FILE.at(path, tline, f"unit '{key}': unknown team key '{k}'",
                                             f"did you mean '{near}'?" if near else
                                             "known keys: " + ", ".join(aliases.known_keys("team"))))
        elif v is not None and str(v).strip():
            values[canon] = str(v).strip()
    unit.team = Team(**values)
