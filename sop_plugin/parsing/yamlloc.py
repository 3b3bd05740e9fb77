"""YAML with line numbers.

PyYAML composes a node tree that knows where every node starts; we build
plain Python values from it and keep, next to them, the line of every key
and item as ``{path: line}`` with dotted paths (``approvals.0.date``).
Scalars are constructed by PyYAML's own SafeLoader, so dates, numbers and
booleans follow YAML exactly.  Duplicate keys, which PyYAML silently
collapses, are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


class YamlError(Exception):
    def __init__(self, message: str, line: int, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Located:
    value: Any
    lines: dict[str, int] = field(default_factory=dict)  # path -> 1-based line
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (path, line)


def load(text: str, line_offset: int = 0) -> Located:
    """Parse ``text``; lines are shifted by ``line_offset`` (0 = text starts at line 1)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise YamlError(problem, line, col) from None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        raise YamlError(str(exc), 1 + line_offset) from None
    finally:
        loader.dispose()
    out = Located(value=None)
    if node is None:
        return out
    out.value = _build(loader, node, "", out, line_offset)
    return out


def _line(node: yaml.Node, offset: int) -> int:
    return node.start_mark.line + 1 + offset


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: str, out: Located, offset: int) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, path, out, offset)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            sub = f"{path}.{key}" if path else str(key)
            if key in result:
                out.duplicates.append((sub, _line(key_node, offset)))
            out.lines[sub] = _line(key_node, offset)
            result[key] = _build(loader, value_node, sub, out, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            sub = f"{path}.{i}" if path else str(i)
            out.lines[sub] = _line(item, offset)
            items.append(_build(loader, item, sub, out, offset))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        # e.g. 2026-13-45 looks like a timestamp but is none; keep the text
        # so that the schema check reports it with its line.
        del exc
        return node.value
