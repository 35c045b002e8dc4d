"""The oracle's words (issue 20's rule 2): what a reader reads, and nothing else."""

from __future__ import annotations

import pytest

from tests.oracle.words import split_front_matter, words

VARIABLES = {"site": {"email_support": "mailto:support@example.com"}}

BASE = """\
# Privacy

We keep [server logs](https://example.com/logs) for **30 days**.

1. Names
2. Emails

| Data | Kept |
| --- | --- |
| Logs | 30 days |
"""


@pytest.mark.parametrize(
    "variant",
    [
        BASE.replace("https://example.com/logs", "/logs/"),  # a link target
        BASE.replace("# Privacy", "## Privacy"),  # a heading level
        BASE.replace("# Privacy", "Privacy\n======="),  # Setext for ATX
        BASE.replace("**30 days**", "_30 days_"),  # emphasis
        BASE.replace("1. Names\n2. Emails", "3. Names\n7. Emails"),  # numbering
        BASE.replace("1. Names\n2. Emails", "* Names\n* Emails"),  # list markers
        BASE.replace("We keep [server", "We   keep\n[server"),  # whitespace, reflow
        BASE + "\n<!-- reviewed by legal -->\n",  # an HTML comment
        BASE + "\n<script>track()</script>\n<style>p { color: red }</style>\n",
        BASE.replace("| --- | --- |", "|:---|---:|"),  # table alignment
        BASE.replace("for **30", "for <b>30").replace("days**.", "days</b>."),  # raw HTML
    ],
)
def test_what_is_not_words(variant: str) -> None:
    assert words(variant, VARIABLES) == words(BASE, VARIABLES)


@pytest.mark.parametrize(
    "variant",
    [
        BASE.replace("30 days**", "90 days**"),
        BASE.replace("2. Emails", "2. Emails\n3. Addresses"),
        BASE.replace("We keep", "We keep,"),
        BASE.replace("server logs", "server-logs"),
    ],
)
def test_what_is_words(variant: str) -> None:
    assert words(variant, VARIABLES) != words(BASE, VARIABLES)


def test_the_text_content_has_no_tags_and_collapsed_whitespace() -> None:
    assert words(BASE, VARIABLES) == (
        "Privacy We keep server logs for 30 days. Names Emails Data Kept Logs 30 days")


def test_tags_add_no_space_between_words() -> None:
    """Text content, as a browser's: a link put around a bare URL changes no word."""
    bare = "See https://example.com/policies.\n"
    linked = "See [https://example.com/policies](https://example.com/policies).\n"
    assert words(bare, VARIABLES) == words(linked, VARIABLES) == "See https://example.com/policies."


def test_entities_are_decoded() -> None:
    decoded = words("Terms &amp; conditions &mdash; &#169; 2026\n", {})
    assert decoded == "Terms & conditions — © 2026"


def test_variables_are_filled_and_a_broken_template_is_kept_as_written() -> None:
    assert words("Write to {{ site.email_support }}.\n", VARIABLES) == (
        "Write to mailto:support@example.com.")
    kept = "Ask {{ site.nope }} or {% asset_path x %}.\n"
    assert words(kept, VARIABLES) == "Ask {{ site.nope }} or {% asset_path x %}."


def test_front_matter_is_split_off_only_at_the_very_top() -> None:
    assert split_front_matter("---\ntitle: T\n---\n# T\n") == ("title: T\n", "# T\n")
    assert split_front_matter("\n---\ntitle: T\n---\n") == (None, "\n---\ntitle: T\n---\n")
    assert split_front_matter("---\ntitle: T\n# never closed\n") == (
        None, "---\ntitle: T\n# never closed\n")
