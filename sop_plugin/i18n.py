"""UI strings: Indonesian by default, English available.

Each module registers its own strings next to the code that uses them::

    i18n.register({"analysis.title": {"id": "Analisis", "en": "Analysis"}})

and looks them up with ``t(lang, key, **fields)``.  A missing language falls
back to Indonesian; a missing key is a programming error (KeyError), so the
tests catch it.
"""

from __future__ import annotations

DEFAULT_LANG = "id"
LANGS = ("id", "en")

_MESSAGES: dict[str, dict[str, str]] = {}


def register(messages: dict[str, dict[str, str]]) -> None:
    for key, texts in messages.items():
        if "id" not in texts:
            raise ValueError(f"message {key!r} needs an Indonesian text")
        _MESSAGES[key] = texts


def t(lang: str, key: str, **fields: object) -> str:
    texts = _MESSAGES[key]
    text = texts.get(lang) or texts[DEFAULT_LANG]
    return text.format(**fields) if fields else text


def normalize(lang: str | None) -> str:
    lang = (lang or DEFAULT_LANG).split("_")[0].split("-")[0].lower()
    return lang if lang in LANGS else DEFAULT_LANG


register({
    "status.draft": {"id": "Draf", "en": "Draft"},
    "status.review": {"id": "Dalam reviu", "en": "In review"},
    "status.approved": {"id": "Disetujui", "en": "Approved"},
    "status.effective": {"id": "Berlaku", "en": "In force"},
    "status.retired": {"id": "Tidak berlaku", "en": "Retired"},
    "status.unknown": {"id": "Status tidak diketahui", "en": "Unknown status"},
    "role.maker": {"id": "Pembuat", "en": "Maker"},
    "role.reviewer": {"id": "Pemeriksa", "en": "Reviewer"},
    "role.leader": {"id": "Pimpinan", "en": "Leader"},
    "role.maker.meaning": {"id": "Disusun oleh", "en": "Prepared by"},
    "role.reviewer.meaning": {"id": "Diperiksa oleh", "en": "Reviewed by"},
    "role.leader.meaning": {"id": "Disahkan oleh", "en": "Approved by"},
})
