"""Read ``units.yml``: the work units (unit kerja) of the organisation."""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import aliases, codes, limits
from ..i18n import msg
from ..model import Diagnostic, Team, Unit
from .yamlloc import YamlError, load


def parse_units(text: str, path: str) -> tuple[dict[str, Unit], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_UNITS_BYTES:
        return {}, [codes.TOO_LARGE.at(path, 1, msg("diag.units.too_large", size=limits.size_msg(size),
                                                    limit=limits.size_msg(limits.MAX_UNITS_BYTES)),
                                       msg("diag.units.too_large_hint"))]
    try:
        loc = load(text)
    except YamlError as exc:
        return {}, [codes.UNITS_FILE.at(path, exc.line, msg("diag.units.yaml", detail=exc.message),
                                        msg("diag.units.yaml_hint"), column=exc.column)]
    data = loc.value
    if data is None:
        return {}, []
    if isinstance(data, dict) and set(data) == {"units"}:  # tolerate a top-level "units:" wrapper
        data = data["units"]
        loc.lines = {k[len("units."):]: v for k, v in loc.lines.items() if k.startswith("units.")}
    if not isinstance(data, dict):
        return {}, [codes.UNITS_FILE.at(path, 1, msg("diag.units.not_a_mapping"),
                                        msg("diag.units.not_a_mapping_hint"))]
    for dup_path, dup_line in loc.duplicates:
        diags.append(codes.UNITS_FILE.at(path, dup_line, msg("diag.units.duplicate_key", key=dup_path),
                                         msg("diag.keep_one")))
    units: dict[str, Unit] = {}
    for key, spec in data.items():
        key = str(key)
        line = loc.lines.get(key, 1)
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            diags.append(codes.UNITS_FILE.at(path, line, msg("diag.units.unit_not_a_mapping", unit=key),
                                             msg("diag.units.unit_not_a_mapping_hint")))
            continue
        fields: dict[str, object] = {}
        written: dict[str, str] = {}  # canonical key -> the key as the author wrote it (for messages)
        for k, v in spec.items():
            canon = aliases.canonical("unit", str(k))
            kline = loc.lines.get(f"{key}.{k}", line)
            if canon is None:
                diags.append(codes.UNITS_FILE.at(path, kline, msg("diag.units.unknown_key", unit=key, key=str(k)),
                                                 aliases.key_hint("unit", str(k))))
                continue
            fields[canon] = v
            written[canon] = str(k)
        unit = Unit(key=key, name=str(fields.get("name") or key), line=line)

        def where(canon: str) -> int:
            """The line of a field, under whichever name (English or Indonesian) the author wrote it."""
            return loc.lines.get(f"{key}.{written.get(canon, canon)}", line)
        for lk in ("duties", "authority", "roles", "demand", "enablers"):
            v = fields.get(lk)
            if v is None:
                continue
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list):
                diags.append(codes.UNITS_FILE.at(path, where(lk),
                                                 msg("diag.units.not_a_list", unit=key, key=written.get(lk, lk)),
                                                 msg("diag.units.not_a_list_hint")))
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
                    diags.append(codes.UNITS_FILE.at(path, where("capacity"),
                                                     msg("diag.units.bad_capacity", unit=key, actor=str(actor))))
        else:
            diags.append(codes.UNITS_FILE.at(path, where("capacity"),
                                             msg("diag.units.capacity_not_a_mapping", unit=key,
                                                 key=written.get("capacity", "capacity"))))
        _numbering_and_team(unit, fields, written, path, where, diags)
        units[key] = unit
    for unit in units.values():
        if unit.parent and unit.parent not in units:
            diags.append(codes.UNITS_FILE.at(path, unit.line,
                                             msg("diag.units.unknown_parent", unit=unit.key, parent=unit.parent),
                                             msg("diag.units.unknown_parent_hint")))
    seen: dict[str, str] = {}
    for unit in units.values():
        for role in unit.roles:
            if role in seen and seen[role] != unit.key:
                diags.append(codes.UNITS_FILE.at(path, unit.line,
                                                 msg("diag.units.role_twice", role=role, first=seen[role],
                                                     second=unit.key),
                                                 msg("diag.units.role_twice_hint")))
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


def _numbering_and_team(unit: Unit, fields: dict[str, object], written: dict[str, str], path: str,
                        where: Callable[[str], int], diags: list[Diagnostic]) -> None:
    """The optional keys `sop new` uses: ``numbering`` / ``penomoran`` and ``team`` / ``tim``."""
    key = unit.key
    pattern = fields.get("numbering")
    if pattern is not None:
        if isinstance(pattern, str) and numbering_parts(pattern):
            unit.numbering = pattern.strip()
        else:
            diags.append(codes.UNITS_FILE.at(path, where("numbering"),
                                             msg("diag.units.bad_numbering", unit=key,
                                                 key=written.get("numbering", "numbering")),
                                             msg("diag.units.bad_numbering_hint")))
    team = fields.get("team")
    if team is None:
        return
    tline = where("team")
    if not isinstance(team, dict):
        diags.append(codes.UNITS_FILE.at(path, tline, msg("diag.units.team_not_a_mapping", unit=key,
                                                          key=written.get("team", "team")),
                                         msg("diag.units.team_not_a_mapping_hint")))
        return
    values: dict[str, str] = {}
    for k, v in team.items():
        canon = aliases.canonical("team", str(k))
        if canon is None:
            diags.append(codes.UNITS_FILE.at(path, tline, msg("diag.units.unknown_team_key", unit=key, key=str(k)),
                                             aliases.key_hint("team", str(k))))
        elif v is not None and str(v).strip():
            values[canon] = str(v).strip()
    unit.team = Team(**values)
