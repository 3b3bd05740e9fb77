"""The UI messages: every one in both languages, with the same fields, and every key the code asks
for is in the catalogue (a missing key is a KeyError, and only where that text is shown)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from sop_plugin import i18n

ROOT = Path(__file__).resolve().parent.parent
# t("key" / ctx.t("key" / sop_t("key" / i18n.t(lang, "key" / msg("key" (a deferred message)
# -- not material's own lang.t("key"
CALL = re.compile(r"""(?<!lang\.)\b(?:(?:sop_)?t|msg)\(\s*(?:[\w.]+,\s*)?["']([a-z][\w]*\.[\w.]*)["']\s*([~+]?)""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_both_languages_with_the_same_fields():
    catalogue = i18n.catalogue()
    assert len(catalogue) > 300
    for key, texts in catalogue.items():
        assert set(texts) == set(i18n.LANGS), key
        assert texts["id"].strip() and texts["en"].strip(), key
        assert _fields(texts["id"]) == _fields(texts["en"]), key


def _asked_for() -> dict[str, str]:
    """Every literal message key the package and the theme overrides look up, with one place each."""
    out: dict[str, str] = {}
    files = [*(ROOT / "sop_plugin").rglob("*.py"), *(ROOT / "sop_plugin").rglob("*.html"),
             *(ROOT / "overrides").rglob("*.html")]
    for path in files:
        for m in CALL.finditer(path.read_text(encoding="utf-8")):
            key, joined = m.groups()
            if not joined and not key.endswith((".", "_")):  # "banner." ~ kind: a prefix
                out.setdefault(key, path.relative_to(ROOT).as_posix())
    return out


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    asked = _asked_for()
    assert len(asked) > 250 and "approvals.title" in asked and "notfound.title" in asked
    missing = {key: where for key, where in asked.items() if not i18n.has(key)}
    assert not missing, missing


@pytest.mark.parametrize("source, found", [
    ('t("approvals.empty")', "approvals.empty"),
    ("ctx.t('identity.nip', nip=n)", "identity.nip"),
    ('i18n.t(lang, "search.none")', "search.none"),
    ('{{ sop_t("notfound.title") }}', "notfound.title"),
    ('{{ lang.t("search.reset") }}', None),       # material's own messages
    ('{{ t("banner." ~ kind) }}', None),           # a prefix
    ('raise Refused(msg("cli.sign.no_id"))', "cli.sign.no_id"),
    ('msg(f"cli.sign.order.{why}")', None),         # built at run time
])
def test_the_scan_finds_lookups_and_only_those(source, found):
    keys = [k for k, joined in CALL.findall(source) if not joined and not k.endswith((".", "_"))]
    assert keys == ([found] if found else [])


@pytest.mark.parametrize("lang, limit, maximum", [("id", "10.000.000", "1.000.000"), ("en", "10,000,000", "1,000,000")])
def test_large_numbers_in_messages_are_grouped_as_the_language_groups_them(lang, limit, maximum):
    """``{n:,}`` groups digits with Babel in the reader's language: Python's ',' would write
    "10,000,000" in Indonesian too, where ',' is the decimal comma."""
    assert limit in i18n.t(lang, "diag.duration.too_long", duration="9999999 jam", limit=10_000_000.0)
    text = i18n.t(lang, "diag.frontmatter.too_large", label="versi", maximum=1_000_000, value="2000000")
    assert maximum in text and "2000000" in text  # the author's value stays as written
    note = i18n.t(lang, "analysis.histogram_note", cases=12500, seed=2026, p50="2 jam", p90="3 jam")
    assert ("12.500" if lang == "id" else "12,500") in note and "2026" in note  # a seed (or year) is not a quantity
    said = i18n.Msg("diag.simulate.step_limit", (("sop", "SOP-X"), ("stopped", 3), ("cases", 20000), ("max_steps", 400)))
    assert ("20.000" if lang == "id" else "20,000") in said.text(lang)
    thousands = "1.250" if lang == "id" else "1,250"
    for key in ("cli.count.sop.other", "cli.count.file.other", "cli.count.error.other", "cli.count.page.other",
                "monev.more", "monev.hidden", "monev.days_over", "analysis.stopped", "diag.parse.size_bytes"):
        assert thousands in i18n.t(lang, key, n=1250), key  # counts a portal of 1,000+ SOPs reaches
    # a field formatted already, or a placeholder the browser fills in, is left as it is
    assert i18n.t(lang, "diag.frontmatter.too_large", label="x", maximum="{max}", value="1").count("{max}") == 1
