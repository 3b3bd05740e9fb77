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

from ..i18n import Msg, msg


class YamlError(Exception):
    """Text that is not YAML the portal reads: ``message`` is PyYAML's own words (English) or, for
    the limits this module sets, a catalogue message (:class:`~sop_plugin.i18n.Msg`)."""

    def __init__(self, message: str | Msg, line: int, column: int = 1):
        super().__init__(message.text("en") if isinstance(message, Msg) else message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Located:
    value: Any
    lines: dict[str, int] = field(default_factory=dict)  # path -> 1-based line
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (path, line)


# Aliases may expand a small file into a huge value ("billion laughs"); a
# real front matter has a few hundred values at most.
MAX_VALUES = 100_000

# Plain YAML resolves every node to a tag of this namespace; anything else was written as '!tag'.
_STANDARD_TAG = "tag:yaml.org,2002:"


# libyaml composes the node tree about ten times faster than PyYAML's pure-Python composer (a sixth
# of reading an SOP), with the same nodes and marks.  It is used only where it reads the text
# without complaint: anything it cannot read goes to PyYAML, whose messages the diagnostics quote.
# Its composer recurses in C; libyaml stops at 1,000 levels of nesting (an error, so PyYAML takes
# over and stops at Python's recursion limit), and text with many flow brackets goes to PyYAML
# directly, should a libyaml without that limit be installed.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
MAX_FAST_BRACKETS = 64
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _compose_fast(text: str) -> tuple[yaml.SafeLoader, yaml.Node | None] | None:
    """The node tree from libyaml, or ``None`` where PyYAML must compose it."""
    if (_FAST_LOADER is None or text.count("[") + text.count("{") > MAX_FAST_BRACKETS
            or _NON_PRINTABLE.search(text)):
        return None
    loader = _FAST_LOADER(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def load(text: str, line_offset: int = 0) -> Located:
    """Parse ``text``; lines are shifted by ``line_offset`` (0 = text starts at line 1).

    Raises :class:`YamlError` (never anything else) for text that is not
    YAML, contains control characters, nests too deeply, or whose aliases
    refer to themselves or expand to more than ``MAX_VALUES`` values.
    """
    fast = _compose_fast(text)
    loader, node = fast if fast is not None else _compose(text, line_offset)
    out = Located(value=None)
    if node is None:
        return out
    out.lines[""] = _line(node, line_offset)  # the document itself
    try:
        out.value = _build(loader, node, "", out, line_offset, _Budget())
    except RecursionError:
        raise YamlError(msg("diag.yaml.too_deep"), _line(node, line_offset)) from None
    return out


def _compose(text: str, line_offset: int) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    """PyYAML's node tree; a :class:`YamlError` where the text is not YAML."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # control characters such as NUL
        before = text[: exc.position] if isinstance(exc.position, int) else ""
        line = before.count("\n") + 1 + line_offset
        column = len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise YamlError(msg("diag.yaml.character", code=f"{code:04x}"), line, column) from None
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
    except RecursionError:
        raise YamlError(msg("diag.yaml.too_deep"), 1 + line_offset) from None
    finally:
        loader.dispose()
    return loader, node


class _Budget:
    """Guards :func:`_build` against self-referencing and exploding aliases."""

    def __init__(self) -> None:
        self.left = MAX_VALUES
        self.open: set[int] = set()  # collections being built (ids of their nodes)
        self.seen: set[int] = set()  # collections built so far: one seen again came through an alias
        self.aliased = False


def _line(node: yaml.Node, offset: int) -> int:
    return node.start_mark.line + 1 + offset


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: str, out: Located, offset: int,
           budget: _Budget) -> Any:
    if not str(node.tag).startswith(_STANDARD_TAG):
        # '!foo bar' would silently become the text 'bar': an unknown tag is an error
        raise YamlError(msg("diag.yaml.tag", tag=str(node.tag)),
                        _line(node, offset), node.start_mark.column + 1)
    budget.left -= 1
    if budget.left < 0:
        if budget.aliased:
            raise YamlError(msg("diag.yaml.expands", n=MAX_VALUES),
                            _line(node, offset))
        raise YamlError(msg("diag.yaml.too_many", n=MAX_VALUES), _line(node, offset))
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in budget.open:
            raise YamlError(msg("diag.yaml.recursive_alias"), _line(node, offset))
        if id(node) in budget.seen:
            budget.aliased = True
        budget.seen.add(id(node))
        budget.open.add(id(node))
        try:
            return _collection(loader, node, path, out, offset, budget)
        finally:
            budget.open.discard(id(node))
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        # e.g. 2026-13-45 looks like a timestamp but is none; keep the text
        # so that the schema check reports it with its line.
        del exc
        return node.value


def _collection(loader: yaml.SafeLoader, node: yaml.Node, path: str, out: Located, offset: int,
                budget: _Budget) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, path, out, offset, budget)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            sub = f"{path}.{key}" if path else str(key)
            if key in result:
                out.duplicates.append((sub, _line(key_node, offset)))
            out.lines[sub] = _line(key_node, offset)
            result[key] = _build(loader, value_node, sub, out, offset, budget)
        return result
    items = []
    for i, item in enumerate(node.value):
        sub = f"{path}.{i}" if path else str(i)
        out.lines[sub] = _line(item, offset)
        items.append(_build(loader, item, sub, out, offset, budget))
    return items
