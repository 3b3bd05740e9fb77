"""The helper process that prepares the search copies while MkDocs renders (sop_plugin.parallel.Helper)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sop_plugin.parallel import Helper


def _write(path: str, text: str) -> None:
    Path(path).write_text(f"{text} {os.getpid()}", encoding="utf-8")


@pytest.mark.parametrize("workers", [1, 2])
def test_helper_runs_every_call_and_reports_the_first_error_at_join(tmp_path, workers):
    helper = Helper(workers)
    for i in range(Helper.REAP_EVERY * 2 + 3):  # past the point where finished calls are reaped
        helper.submit(_write, str(tmp_path / f"{i}.txt"), str(i))
    helper.submit(_write, str(tmp_path / "missing" / "x.txt"), "no folder")
    helper.submit(_write, str(tmp_path / "also-missing" / "y.txt"), "no folder either")
    with pytest.raises(FileNotFoundError) as err:
        helper.join()
    assert "missing/x.txt" in str(err.value)  # the first one
    texts = [(tmp_path / f"{i}.txt").read_text(encoding="utf-8").split() for i in range(Helper.REAP_EVERY * 2 + 3)]
    assert [t[0] for t in texts] == [str(i) for i in range(len(texts))]
    pids = {t[1] for t in texts}
    # workers: 1 runs the calls in this process; otherwise one other process runs them all
    assert pids == ({str(os.getpid())} if workers == 1 else pids - {str(os.getpid())}) and len(pids) == 1
