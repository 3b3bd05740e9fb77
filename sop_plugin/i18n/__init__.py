"""UI strings: Indonesian by default, English available.

The catalogue is data, not code: ``sop_plugin/i18n/messages/<area>.yml``
holds one mapping per key with the Indonesian (``id``, required) and
English (``en``) text::

    analysis.title:
      id: Analisis Waktu Proses
      en: Process Time Analysis

Every file is read once, on the first lookup.  ``t(lang, key, **fields)``
formats the text; a missing key is a programming error (KeyError), so the
tests catch it, and ``tests/test_i18n.py`` checks every key has both
languages.  A field written ``{n:,}`` (or ``{n:,.0f}``) is a number with its
digits grouped as the language groups them: ``10.000.000`` in Indonesian,
``10,000,000`` in English (Python's ``,`` alone would write ``10,000,000`` in
both, which reads as a decimal in Indonesian).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

DEFAULT_LANG = "id"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the catalogue is read per process
LANGS = ("id", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every message, by key (read from the packaged YAML files once)."""
    out: dict[str, dict[str, str]] = {}
    folder = resources.files(__name__) / "messages"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, texts in data.items():
            if key in out:
                raise ValueError(f"message {key!r} is defined twice (second time in {entry.name})")
            out[key] = {lang: str(text) for lang, text in texts.items()}
    return out


def has(key: str) -> bool:
    return key in catalogue()


def t(lang: str, key: str, /, **fields: object) -> str:
    texts = catalogue()[key]
    lang = lang if texts.get(lang) else DEFAULT_LANG
    text = texts[lang]
    if not fields:
        return text
    if ":," in text:  # grouped digits: the language's way (_Grouped)
        return _grouped(lang).vformat(text, (), fields)
    return text.format(**fields)


_GROUPED_SPEC = re.compile(r",(?:\.(\d+)f)?")


class _Grouped(string.Formatter):
    """``str.format`` but for numbers written ``{n:,}`` or ``{n:,.Nf}``: grouped (and with N
    decimals at most) by Babel in the language (:func:`sop_plugin.fmt.number`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        m = _GROUPED_SPEC.fullmatch(format_spec)
        if m is None:
            return super().format_field(value, format_spec)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)  # formatted already (or a placeholder the browser fills in)
        from .. import fmt  # when first needed: Babel is not loaded for the catalogue alone

        return fmt.number(value, self.lang, int(m.group(1)) if m.group(1) else (0 if isinstance(value, int) else 2))


@lru_cache(maxsize=None)
def _grouped(lang: str) -> _Grouped:
    return _Grouped(lang)


@dataclass(frozen=True, slots=True)
class Msg:
    """A message put into words when it is shown, in the reader's language: a key and its fields.

    Diagnostics are made once (and cached) but read in the portal's language, by
    ``sop lint --lang`` and in the English author guide; a field may itself be a
    :class:`Msg` (a phrase), put into words in the same language.
    """

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return t(lang, self.key, **{k: v.text(lang) if isinstance(v, Msg) else v for k, v in self.fields})


def msg(key: str, /, **fields: object) -> Msg:
    """``msg("diag.flow.no_actor", step=3)``: the message, to be put into words later (:class:`Msg`)."""
    return Msg(key, tuple(fields.items()))


class Said(Exception):
    """An error whose reason is a catalogue message: ``said``, put into words in the reader's
    language where it is shown; ``str(exc)`` is the English."""

    def __init__(self, said: Msg) -> None:
        super().__init__(said)
        self.said = said

    def __str__(self) -> str:
        return self.said.text("en")


class Translator:
    """``t(key, **fields)`` in one language; ``t.lang`` says which (for dates and numbers)."""

    def __init__(self, lang: str) -> None:
        self.lang = normalize(lang)

    def __call__(self, key: str, /, **fields: object) -> str:
        return t(self.lang, key, **fields)


def normalize(lang: str | None) -> str:
    lang = (lang or DEFAULT_LANG).split("_")[0].split("-")[0].lower()
    return lang if lang in LANGS else DEFAULT_LANG
