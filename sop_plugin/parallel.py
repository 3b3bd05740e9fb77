"""Per-SOP work on all cores.

:func:`run` maps a function over items in a pool of worker processes
(``fork``: the workers inherit what the build has loaded, so only the items
and results cross process boundaries), and the calling process works beside
them.  Results come back in input order, so the output is identical with 1 or
N workers.  Small jobs and machines without ``fork`` run in this process.
:class:`Helper` is one more process for work beside the build (the search copies).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import multiprocessing.connection
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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

    This process is one of them: it forks one worker fewer and takes chunks of
    the items in turn with them.  Every forked worker ends up copying much of
    what it inherits (reference counts write to the objects it reads), so on two
    cores the build holds one copy fewer than with two workers and an idle parent.

    ``fn`` must be a module-level function; state it needs is read from
    module globals set before the call (inherited by ``fork``).
    """
    n = min(worker_count(workers), len(items) // MIN_ITEMS_PER_WORKER)
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(i) for i in items]
    size = max(1, len(items) // (n * 16))  # small chunks: no process idles long at the end
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    results: list[list[R] | None] = [None] * len(chunks)
    # objects the workers inherit are left out of their garbage collector: collecting would
    # write to every inherited object and copy the parent's memory page by page
    frozen_by_caller = gc.get_freeze_count() > 0
    collecting = gc.isenabled()
    gc.freeze()
    # the results are kept: automatic collections meanwhile free nothing, and each full one
    # walks every result so far (quadratic in the number of SOPs); this process collects the
    # garbage of each chunk it ran itself, the workers collect theirs
    gc.disable()
    try:
        with ProcessPoolExecutor(n - 1, mp_context=multiprocessing.get_context("fork"), initializer=gc.enable) as pool:
            ahead: dict[Future[list[R]], int] = {}
            taken = 0

            def feed() -> None:
                """Keep two chunks queued per worker, so that none waits while this process works."""
                nonlocal taken
                for f in [f for f in ahead if f.done()]:
                    results[ahead.pop(f)] = f.result()
                while len(ahead) < 2 * (n - 1) and taken < len(chunks):
                    ahead[pool.submit(_map, fn, chunks[taken])] = taken
                    taken += 1

            feed()  # the workers are forked here, before this process changes anything
            while taken < len(chunks):
                mine = taken
                taken += 1
                results[mine] = _map(fn, chunks[mine])
                gc.collect(0)  # only what this chunk made: the results of earlier ones are older
                feed()
            for f, i in ahead.items():
                results[i] = f.result()
    finally:
        if collecting:
            gc.enable()
        if not frozen_by_caller:
            gc.unfreeze()
    return [r for chunk in results for r in chunk or ()]


def _map(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(i) for i in chunk]


def settle() -> None:
    """Leave the objects alive now out of later garbage collections, until :func:`unsettle`.

    A host calls it between stages of a build: what a stage made (the parsed SOPs, their
    analyses, the converted pages) lives until the build ends, and every full collection
    would otherwise walk all of it again, which grows with the square of the portal's size.
    Objects settled and dropped are still freed (reference counting); only cycles among
    them wait for :func:`unsettle`.
    """
    gc.freeze()


def unsettle() -> None:
    """The end of a build: settled objects are collected again (a server rebuilds in one process)."""
    gc.unfreeze()


def release() -> None:
    """Free everything no longer reachable, settled or not, and give the memory back to the system.

    Python keeps freed memory for its next objects; a host that has let go of most of what
    it holds, and is about to start another large process (the search indexer), calls
    this so that the two do not hold their peaks at the same time.  C's allocator is asked
    to return its free pages too (``malloc_trim``, where the C library has it: glibc).
    """
    gc.unfreeze()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def map_large_blocks() -> bool:
    """Have C's allocator give every block of :data:`LARGE_BLOCK` or more a mapping of its own,
    returned to the system the moment it is freed.  ``False`` where that cannot be set (not glibc),
    or when ``MALLOC_MMAP_THRESHOLD_`` is set (the user's choice stands).

    glibc starts so (from 128 kB), but raises that bar to the size of each such block freed, up to
    32 MB: after the first large page of a build (at 1,000 SOPs the catalogue is 2.5 MB of HTML) the
    later ones came from the heap, where smaller blocks still in use kept their memory.  With the bar
    fixed, a build of 1,000 SOPs held 15 MB less beside Pagefind and peaked 14 MB lower, in the same time.
    Forked workers inherit the setting.
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    libc = _libc()
    try:
        return libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1
    except (AttributeError, TypeError):
        return False


LARGE_BLOCK = 1 << 20  # the page strings of big listings, pickles and JSON documents; a page of an SOP is smaller
_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):
        return None


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return _libc().malloc_trim  # type: ignore[union-attr,no-any-return]
    except AttributeError:
        return None  # not glibc (musl, macOS, Windows): freed arenas are returned anyway


class Helper:
    """One more process for work that can go on while this one does something else.

    :meth:`submit` hands it a call (a module-level function and arguments that pickle);
    :meth:`join` waits for all of them and raises the first error any of them raised.  With one
    worker asked for (``workers: 1``), or where it cannot start, each call runs at once in this
    process.

    The process is a fresh interpreter (:mod:`sop_plugin.helper`), not a fork: it imports only
    the modules of the functions it is handed, so it holds a few MB whatever this process
    holds.  A forked helper kept its own copy of every page of memory it touched or its parent
    wrote to: made before the SOPs were loaded it held 21 MB of its own at 1,000 SOPs, forked
    later 630 MB at 5,000.  Calls are sent by a thread of this process, so :meth:`submit`
    does not wait for the helper to take them.
    """

    def __init__(self, workers: int = 0) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._error: BaseException | None = None
        self._pending: queue.SimpleQueue[tuple[Callable[..., object], tuple[object, ...]] | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        if worker_count(workers) > 1:
            self._start()

    def _start(self) -> None:
        calls_in, calls_out = os.pipe()
        answer_in, answer_out = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p) or ".")
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "sop_plugin.helper", str(calls_in), str(answer_out)],
                pass_fds=(calls_in, answer_out), stdin=subprocess.DEVNULL, env=env)
        except (OSError, ValueError):  # no interpreter to start (an embedded host), no pass_fds (Windows)
            os.close(calls_out)
            os.close(answer_in)
            return  # the calls run here
        finally:
            os.close(calls_in)
            os.close(answer_out)
        self._calls = multiprocessing.connection.Connection(calls_out, readable=False)
        self._answer = multiprocessing.connection.Connection(answer_in, writable=False)
        self._sender = threading.Thread(target=self._send, name="sop-helper-calls", daemon=True)
        self._sender.start()

    def _send(self) -> None:
        """Hand the queued calls to the helper, then the end of them (``None``)."""
        while True:
            call = self._pending.get()
            try:
                self._calls.send(call)
            except (OSError, ValueError):  # the helper has ended (join() says so) or was closed
                return
            except Exception as exc:  # a call that does not pickle: the first error, as if it had failed there
                self._error = self._error or exc
                continue
            if call is None:
                return

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        if self._process is None:
            try:
                fn(*args)
            except Exception as exc:  # raised by join(), as from the helper process
                self._error = self._error or exc
            return
        self._pending.put((fn, args))

    def join(self) -> None:
        try:
            if self._process is not None:
                self._pending.put(None)  # the end of the calls: the helper answers with its first error
                try:
                    error = self._answer.recv()
                except (EOFError, OSError):
                    code = self._process.wait()
                    raise BrokenProcessPool(f"the helper process ended (exit code {code}) "
                                            f"before it had made every call") from None
                self._error = self._error or error
        finally:
            self.close()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop the helper, done or not (a failed build does not wait for it)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        process.wait()
        if self._sender is not None:  # a call it is sending fails now (broken pipe), the next is the end
            self._pending.put(None)
            self._sender.join()
        self._calls.close()
        self._answer.close()
