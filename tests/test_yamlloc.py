"""Front matter read by libyaml where it can, by PyYAML where it must: the same values, lines and
findings either way, and the same located error for every text that is not plain YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import VALID_SOP
from sop_plugin.parsing import yamlloc
from sop_plugin.parsing.frontmatter import split

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")


def _slow(text: str, monkeypatch) -> yamlloc.Located | yamlloc.YamlError:
    with monkeypatch.context() as m:
        m.setattr(yamlloc, "_compose_fast", lambda text: None)
        return _load(text)


def _load(text: str) -> yamlloc.Located | yamlloc.YamlError:
    try:
        return yamlloc.load(text, line_offset=1)
    except yamlloc.YamlError as exc:
        return exc


def _same(a, b) -> None:
    if isinstance(a, yamlloc.YamlError) or isinstance(b, yamlloc.YamlError):
        assert isinstance(a, yamlloc.YamlError) and isinstance(b, yamlloc.YamlError), (a, b)
        assert (a.message, a.line, a.column) == (b.message, b.line, b.column)
        return
    assert (a.value, a.lines, a.duplicates) == (b.value, b.lines, b.duplicates)


def _front_matters() -> list[str]:
    out = [VALID_SOP]
    out += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sops").rglob("*.md"))]
    return [split(text)[0] or "" for text in out]


def test_every_bundled_front_matter_reads_the_same_and_fast(monkeypatch):
    fronts = [f for f in _front_matters() if f]
    assert len(fronts) > 10
    for front in fronts:
        assert yamlloc._compose_fast(front) is not None  # libyaml read it
        _same(_load(front), _slow(front, monkeypatch))


HOSTILE = {
    "syntax": "judul: [tidak ditutup\nversi: 2\n",
    "bad indent": "judul: A\n  versi: 2\n nomor: B\n",
    "tab": "judul:\n\t- a\n",
    "control character": "judul: A\x00B\n",
    "deep flow": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep block": "a: " + "- " * 5000 + "x\n",
    "alias loop": "a: &x [*x]\n",
    "laughs": "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
              "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
              "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
    "tag": "judul: !python/name:os.system A\n",
    "duplicate": "judul: A\njudul: B\n",
    "two documents": "judul: A\n---\njudul: B\n",
    "dates": "tanggal: 2026-13-45\nlain: 2026-02-03\nwaktu: 12:30\n",
    "empty": "",
    "crlf": "judul: A\r\nversi: 2\r\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_text_that_is_not_plain_yaml_gives_the_same_error_or_value(name, monkeypatch):
    _same(_load(HOSTILE[name]), _slow(HOSTILE[name], monkeypatch))
