"""Issue 20: in a policy that declares nothing, a version is a change of the words a
reader reads, dated as its text states it; everything else is editorial, of a named kind.

Plain data in (a log of commits), the history model out; Python-Markdown renders."""

from __future__ import annotations

import datetime as dt

import markdown
import pytest

from policy_history.model.fingerprints import joined_signature, signature
from policy_history.model.timeline import (
    DATE_FROM_COMMIT,
    DATE_FROM_TEXT,
    EDITORIAL,
    IMPORTED,
    LINKS,
    MATERIAL,
    REDATED,
    UNCHANGED,
    UNDATED,
    PolicyHistory,
    build_history,
)
from tests.core.test_timeline import Log, render

AS_OF = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
TERMS = "policies/terms.md"


_md = markdown.Markdown(extensions=["tables", "attr_list"])


def render_with_attributes(text: str) -> str:
    """The corpora's Markdown: attr_list reads mozilla's ``{: datetime="…" }``."""
    return _md.reset().convert(text)


def history_of(log: Log, text_dates: str = "all") -> PolicyHistory:
    site = build_history(log.commits, log.blobs, policies_dir="policies",
                         render=render_with_attributes, as_of=AS_OF, text_dates=text_dates)
    return site.policies["terms"]


def kinds(history: PolicyHistory) -> list[tuple[str, str]]:
    return [(revision.kind, revision.reason) for revision in history.revisions]


BASE = "# Terms\n\nBe nice. Read [the rules](https://example.com/rules).\n\n## Payment\n\nPay.\n"


@pytest.mark.parametrize(("edit", "reason"), [
    # link targets: the same words
    (BASE.replace("https://example.com/rules", "https://example.com/site-policy/rules"), LINKS),
    # a link added to words that were already there
    (BASE.replace("Pay.", "[Pay](https://example.com/pay)."), LINKS),
    # a heading one level deeper: the sections are cut elsewhere, no word moves
    (BASE.replace("## Payment", "### Payment"), UNCHANGED),
    # emphasis, list style, numbering, HTML comments, whitespace
    (BASE.replace("Be nice.", "**Be nice.**"), UNCHANGED),
    (BASE.replace("Pay.", "<!-- reviewed -->\nPay."), UNCHANGED),
    (BASE.replace("Pay.", "Pay.   "), UNCHANGED),
])
def test_edits_that_change_no_word_are_editorial(edit: str, reason: str) -> None:
    log = Log()
    log.commit("2020-01-01", {TERMS: BASE})
    log.commit("2020-02-01", {TERMS: edit})
    history = history_of(log)
    assert kinds(history) == [(MATERIAL, IMPORTED), (EDITORIAL, reason)]
    assert history.current is history.revisions[0]  # "Last updated" did not move
    assert history.revisions[1].kind_note


def test_a_list_renumbered_is_formatting() -> None:
    log = Log()
    log.commit("2020-01-01", {TERMS: "# Terms\n\n1. One\n2. Two\n"})
    log.commit("2020-02-01", {TERMS: "# Terms\n\n1. One\n1. Two\n"})
    log.commit("2020-03-01", {TERMS: "# Terms\n\n- One\n- Two\n"})
    assert kinds(history_of(log))[1:] == [(EDITORIAL, UNCHANGED), (EDITORIAL, UNCHANGED)]


def test_a_change_of_words_is_a_version_dated_by_its_commit() -> None:
    log = Log()
    log.commit("2020-01-01", {TERMS: BASE})
    log.commit("2020-02-01T23:30:00-05:00", {TERMS: BASE.replace("Pay.", "Pay monthly.")})
    history = history_of(log)
    assert kinds(history) == [(MATERIAL, IMPORTED), (MATERIAL, IMPORTED)]
    second = history.revisions[1]
    assert second.effective == dt.date(2020, 2, 1)  # the committer's own day
    assert second.date_source == DATE_FROM_COMMIT


def test_a_stated_date_dates_the_version_and_a_change_without_a_new_date_is_editorial(
) -> None:
    log = Log()
    dated = "# Terms\n\n*Last updated: April 20, 2023*\n\nBe nice.\n"
    log.commit("2023-04-18", {TERMS: dated})
    log.commit("2023-05-02", {TERMS: dated.replace("Be nice.", "Be very nice.")})  # typo fix
    log.commit("2023-06-01", {TERMS: dated.replace("April 20", "June 5")
                              .replace("Be nice.", "Be very nice.")})
    history = history_of(log)
    assert kinds(history) == [(MATERIAL, IMPORTED), (EDITORIAL, UNDATED), (MATERIAL, IMPORTED)]
    first, fix, bump = history.revisions
    assert (first.effective, first.date_source) == (dt.date(2023, 4, 20), DATE_FROM_TEXT)
    assert first.stated is not None and "Last updated: April 20, 2023" in first.stated.written
    assert "not the date the text states" in (fix.kind_note or "")
    assert bump.effective == dt.date(2023, 6, 5)
    assert [v.version_id for v in history.versions] == ["2023-04-20", "2023-06-05"]
    assert fix.edition_id == "2023-04-20.1"


def test_a_stated_date_after_the_commit_is_upcoming_until_then() -> None:
    log = Log()
    log.commit("2026-04-01", {TERMS: "# Terms\n\nEffective March 1, 2026\n\nBe nice.\n"})
    log.commit("2026-04-28", {TERMS: "# Terms\n\nEffective May 4, 2026\n"
                              '{: datetime="2026-05-04" }\n\nBe very nice.\n'})
    site = build_history(log.commits, log.blobs, policies_dir="policies", render=render,
                         as_of=dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc))
    history = site.policies["terms"]
    assert history.current is history.revisions[0]
    assert history.upcoming == [history.revisions[1]]
    assert history.revisions[1].stated is not None
    assert history.revisions[1].stated.kind == "datetime attribute"


@pytest.mark.parametrize(("mode", "effective"), [
    ("all", dt.date(2023, 4, 20)),
    ("machine", dt.date(2023, 4, 18)),
    ("off", dt.date(2023, 4, 18)),
])
def test_the_setting_limits_which_stated_dates_are_read(mode: str,
                                                        effective: dt.date) -> None:
    log = Log()
    log.commit("2023-04-18", {TERMS: "# Terms\n\nLast updated: April 20, 2023\n\nHi.\n"})
    assert history_of(log, mode).revisions[0].effective == effective


def test_a_front_matter_date_is_read() -> None:
    log = Log()
    log.commit("2023-04-18", {TERMS: "---\ntitle: Terms\nlast_updated: 2023-03-01\n---\n\nHi.\n"})
    revision = history_of(log).revisions[0]
    assert revision.effective == dt.date(2023, 3, 1)
    assert revision.stated is not None and revision.stated.kind == "front matter"


def test_a_declared_policy_keeps_todays_rule() -> None:
    """With `changes:`, a link-only change without an entry is still an undeclared
    version (and warned about): every change needs its entry."""
    log = Log()
    meta = "title: Privacy\nchanges:\n  - effective: 2020-01-01\n    summary: First.\n"
    log.commit("2020-01-01", {"policies/privacy/policy.yml": meta,
                              "policies/privacy/10-intro.md": "See [x](https://a.example).\n"})
    log.commit("2020-02-01", {"policies/privacy/10-intro.md": "See [x](https://b.example).\n"})
    site = build_history(log.commits, log.blobs, policies_dir="policies", render=render,
                         as_of=AS_OF)
    assert [r.reason for r in site.policies["privacy"].revisions] == ["declared", "undeclared"]


def test_words_signatures_combine_across_any_cut() -> None:
    words = "One two three. Four five six."
    for cut in range(1, len(words)):
        left, right = words[:cut].strip(), words[cut:].strip()
        if words[:cut].endswith(" ") or words[cut:].startswith(" "):
            assert joined_signature([signature(left), signature(right)]) == signature(words)
    assert signature("ab") != signature("ba")
    assert joined_signature([signature(""), signature("a")]) == signature("a")


@pytest.mark.parametrize(("heading", "title"), [
    ('<span class="privacy-header-firefox">MDN Plus</span> '
     '<span class="privacy-header-policy">Datenschutzhinweis</span>',
     "MDN Plus Datenschutzhinweis"),
    ("Cookies {: #cookies }", "Cookies"),
    ("**Bold** and [a link](https://example.com) \\*kept\\*", "Bold and a link *kept*"),
    ("AT&amp;T &lt;rules&gt;", "AT&T <rules>"),
    ("1\\. Scope", "1. Scope"),
    ("snake\\_case   and  spaces", "snake_case and spaces"),
])
def test_titles_are_the_text_of_headings_with_markup(heading: str, title: str) -> None:
    """Issue 20: mozilla's `## <span …>MDN Plus</span> …` showed its tags in <title>, the
    page's <h1> and the navigation. A page's title is its heading's text."""
    log = Log()
    log.commit("2020-01-01", {TERMS: f"## {heading}\n\nWords.\n"})
    assert history_of(log).text.title == title


def test_a_new_stated_date_with_the_same_words_dates_the_version_anew() -> None:
    """mozilla's privacy policy, 2020-09-09: 'September 8' became 'September 9' (the
    machine date unchanged: editorial), then the machine date alone. The version is
    effective as the text now says; no new version."""
    log = Log()
    text = '# Privacy\n\n{}\n{{: datetime="{}" }}\n\nWords.\n'
    log.commit("2020-09-08", {TERMS: text.format("September 8, 2020", "2020-09-08")})
    log.commit("2020-09-09", {TERMS: text.format("September 9, 2020", "2020-09-08")})
    log.commit("2020-09-09T12:00:01+00:00",
               {TERMS: text.format("September 9, 2020", "2020-09-09")})
    history = history_of(log)
    assert kinds(history) == [(MATERIAL, IMPORTED), (EDITORIAL, UNDATED),
                              (EDITORIAL, REDATED)]
    assert [v.version_id for v in history.versions] == ["2020-09-09"]
    assert "dated so" in (history.revisions[2].kind_note or "")
