"""Memos of pure functions: of quantities and texts a build fills and a finished build empties,
and of SOPs for as long as each SOP lives.

Views and pages format the same quantities, link the same pages and render the
same step texts thousands of times, so those functions remember their results
(:func:`memo`, a bounded :func:`functools.lru_cache`).  What they remember is
only worth keeping while pages are rendered: a host that is done with its
portal calls :func:`forget_all` (through :func:`sop_plugin.pipeline.forget`),
and at 1,000 SOPs the build process then holds about 7 MB less beside the
search indexer.

A check of one SOP alone (its flow, its rows on paper, its anchors) is
remembered with the SOP it checked (:func:`per_sop`): ``mkdocs serve``
parses only the saved file again and hands the same object back for every
other, so a rebuild checks one SOP, not a thousand.  The result goes when
the SOP does (a weak reference): nothing to empty, and never another SOP's.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S")
R = TypeVar("R")

_MEMOS: list[Any] = []


def memo(maxsize: int) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, emptied by :func:`forget_all`."""
    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached  # type: ignore[return-value]
    return wrap


def forget_all() -> None:
    for cached in _MEMOS:
        cached.cache_clear()


def per_sop(fn: Callable[[S], R]) -> Callable[[S], R]:
    """``fn(sop)`` remembered for this very object while it lives.

    For functions of the SOP alone, and SOPs no one changes once parsed (the
    model is read-only after :mod:`sop_plugin.parsing`; the parse memo shares it
    between builds).  Keyed by identity: SOP models compare by value and do not
    hash, and two equal SOPs in two files still differ in their paths.
    """
    results: dict[int, tuple[weakref.ref[Any], R]] = {}

    def forgetter(key: int) -> Callable[[weakref.ref[Any]], None]:
        # reads no module global: it may run while the interpreter is shutting down
        def gone(ref: weakref.ref[Any]) -> None:
            found = results.get(key)
            if found is not None and found[0] is ref:  # not another object that took the id since
                del results[key]
        return gone

    @wraps(fn)
    def remembered(sop: S) -> R:
        key = id(sop)
        found = results.get(key)
        if found is not None and found[0]() is sop:
            return found[1]
        value = fn(sop)
        results[key] = (weakref.ref(sop, forgetter(key)), value)
        return value

    return remembered
