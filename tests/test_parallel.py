"""Work on all cores (sop_plugin.parallel.run) and the helper process that prepares the search copies
while MkDocs renders (sop_plugin.parallel.Helper, sop_plugin.helper)."""

from __future__ import annotations

import gc
import json
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from sop_plugin import parallel
from sop_plugin.parallel import Helper


def _write(path: str, text: str) -> None:
    Path(path).write_text(f"{text} {os.getpid()}", encoding="utf-8")


CALLS = 131


@pytest.mark.parametrize("workers", [1, 2])
def test_helper_runs_every_call_and_reports_the_first_error_at_join(tmp_path, workers):
    helper = Helper(workers)
    for i in range(CALLS):  # queued faster than the helper makes them
        helper.submit(_write, str(tmp_path / f"{i}.txt"), str(i))
    helper.submit(_write, str(tmp_path / "missing" / "x.txt"), "no folder")
    helper.submit(_write, str(tmp_path / "also-missing" / "y.txt"), "no folder either")
    with pytest.raises(FileNotFoundError) as err:
        helper.join()
    assert "missing/x.txt" in str(err.value)  # the first one
    texts = [(tmp_path / f"{i}.txt").read_text(encoding="utf-8").split() for i in range(CALLS)]
    assert [t[0] for t in texts] == [str(i) for i in range(len(texts))]
    pids = {t[1] for t in texts}
    # workers: 1 runs the calls in this process; otherwise one other process runs them all
    assert pids == ({str(os.getpid())} if workers == 1 else pids - {str(os.getpid())}) and len(pids) == 1


_made_before: list[str] = ["a portal of 5,000 SOPs"]


def _sees_what_this_process_holds(path: str) -> None:
    import sys

    heavy = sorted(m for m in ("mkdocs", "markdown", "sop_plugin.model") if m in sys.modules)
    Path(path).write_text(json.dumps([_made_before, heavy]), encoding="utf-8")


def test_the_helper_is_a_fresh_process_that_holds_nothing_of_the_build(tmp_path):
    """The helper runs beside a build that holds thousands of SOPs: it must not hold a copy of them,
    nor the modules the build loaded (only those of the functions it is handed)."""
    import mkdocs  # noqa: F401  (loaded here, as in a build)

    _made_before.append("and what the build made since")
    helper = Helper(2)
    try:
        helper.submit(_sees_what_this_process_holds, str(tmp_path / "seen.txt"))
        helper.join()
    finally:
        _made_before.pop()
    made, heavy = json.loads((tmp_path / "seen.txt").read_text(encoding="utf-8"))
    assert made == ["a portal of 5,000 SOPs"]  # this module as imported there, not this process's memory
    assert heavy == []


def test_a_helper_that_dies_is_an_error_at_join_not_a_hang(tmp_path):
    helper = Helper(2)
    helper.submit(_write, str(tmp_path / "before.txt"), "written")
    helper.submit(os._exit, 3)
    with pytest.raises(BrokenProcessPool, match="exit code 3"):
        helper.join()
    assert (tmp_path / "before.txt").read_text(encoding="utf-8").startswith("written")


def _square(i: int) -> tuple[int, int]:
    return i * i, os.getpid()


def test_run_keeps_input_order_and_leaves_the_collector_as_it_found_it():
    items = list(range(parallel.MIN_ITEMS_PER_WORKER * 2 * 5))
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    results = parallel.run(_square, items, workers=2)
    assert [r for r, _ in results] == [i * i for i in items]
    pids = {pid for _, pid in results}
    assert pids - {os.getpid()} and os.getpid() in pids  # a worker did part of the work, this process the rest
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # collections paused while results came in, not after
    parallel.settle()  # a host settled what it holds between stages of a build: it stays settled
    try:
        assert [r for r, _ in parallel.run(_square, items, workers=2)] == [i * i for i in items]
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        parallel.unsettle()
    assert gc.get_freeze_count() == 0


_unfreed_cycles = 0


class _Cycle:
    def __init__(self) -> None:
        global _unfreed_cycles
        _unfreed_cycles += 1
        self.me = self  # reference counting alone never frees it
        self.payload = bytearray(1 << 20)

    def __del__(self) -> None:
        global _unfreed_cycles
        _unfreed_cycles -= 1


def _garbage(i: int) -> tuple[int, int, bool]:
    """Leave one cycle behind; say how many this process made and has not freed yet."""
    _Cycle()
    return os.getpid(), _unfreed_cycles, gc.isenabled()


def test_every_process_collects_the_garbage_of_its_chunks():
    """The parent pauses its automatic collections while results come in: the workers it forks
    must not inherit that, and the chunks it runs itself must not pile up garbage (1 MB a call here)."""
    items = list(range(2 * 16 * 8))  # two processes, 16 chunks each: 8 items a chunk
    results = parallel.run(_garbage, items, workers=2)
    here = [unfreed for pid, unfreed, _ in results if pid == os.getpid()]
    assert here and len(here) < len(items)  # this process ran its share, a worker the rest
    assert max(here) <= 8 < len(here)  # at most one chunk's garbage at a time
    assert all(enabled for pid, _, enabled in results if pid != os.getpid())  # the workers collect as usual
    assert _unfreed_cycles == 0  # and nothing is left here after the run


class _Node:
    pass


def test_release_frees_what_was_settled_and_dropped():
    """A host that let go of its settled portal gets the memory back at once (not at the next build)."""
    import weakref

    node = _Node()
    node.self = node  # a cycle: reference counting alone never frees it
    gone = weakref.ref(node)
    parallel.settle()
    try:
        del node
        gc.collect()
        assert gone() is not None  # settled: a collection leaves it alone
        parallel.release()
        assert gone() is None and gc.get_freeze_count() == 0
    finally:
        parallel.unsettle()


_LARGE_BLOCKS = """
import sys
from sop_plugin import parallel
set_ = sys.argv[1] == "set" and parallel.map_large_blocks()
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024
big = b"x" * (8 << 20)  # the first large page: glibc would raise its bar to 8 MB when it is freed
del big
before = rss()
pages, kept = [], []
for i in range(40):  # 40 pages of 2 MB, each with a small object made after it and kept
    pages.append(str(i).encode() * (1 << 20))
    kept.append(bytes(2000 + i))
del pages
print(set_, rss() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists() or parallel._libc() is None
                    or not hasattr(parallel._libc(), "mallopt"), reason="glibc on Linux")
def test_large_blocks_go_back_to_the_system_when_freed():
    """After one large block is freed glibc would serve the next large ones from its heap, where the
    small blocks made after them keep the freed memory; with :func:`map_large_blocks` they are mapped
    apart and returned."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    held = {}
    for mode in ("set", "default"):
        run = subprocess.run([sys.executable, "-c", _LARGE_BLOCKS, mode], capture_output=True, text=True,
                             timeout=60, env=env, check=True)
        done, mb = run.stdout.split()
        held[mode] = (done, int(mb))
    assert held["set"][0] == "True" and held["default"][0] == "False"
    assert held["default"][1] >= 60, held  # 80 MB freed and kept
    assert held["set"][1] <= 5, held
