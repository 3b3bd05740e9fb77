"""Memos of pure functions that a build fills and a finished build empties.

Views and pages format the same quantities, link the same pages and render the
same step texts thousands of times, so those functions remember their results
(:func:`memo`, a bounded :func:`functools.lru_cache`).  What they remember is
only worth keeping while pages are rendered: a host that is done with its
portal calls :func:`forget_all` (through :func:`sop_plugin.pipeline.forget`),
and at 1,000 SOPs the build process then holds about 7 MB less beside the
search indexer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

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
