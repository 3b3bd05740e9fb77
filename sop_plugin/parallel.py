"""Per-SOP work on all cores.

:func:`run` maps a function over items in a pool of worker processes
(``fork``: the workers inherit what the build has loaded, so only the items
and results cross process boundaries).  Results come back in input order,
so the output is identical with 1 or N workers.  Small jobs and machines
without ``fork`` run in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_WORKER = 4  # below this, starting processes costs more than it saves


def worker_count(requested: int = 0) -> int:
    """``requested`` workers, or (0) one per core this process may use."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run(fn: Callable[[T], R], items: Sequence[T], workers: int = 0) -> list[R]:
    """``[fn(i) for i in items]``, spread over ``workers`` processes (0: all cores).

    ``fn`` must be a module-level function; state it needs is read from
    module globals set before the call (inherited by ``fork``).
    """
    n = min(worker_count(workers), len(items) // MIN_ITEMS_PER_WORKER)
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(i) for i in items]
    chunk = max(1, len(items) // (n * 16))  # small chunks: no worker idles long at the end
    # objects the workers inherit are left out of their garbage collector: collecting would
    # write to every inherited object and copy the parent's memory page by page
    gc.freeze()
    try:
        with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(fn, items, chunksize=chunk))
    finally:
        gc.unfreeze()
