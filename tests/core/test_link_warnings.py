"""MkDocs' warnings about a policy page's links, told at the fragment and line of the link.

The messages here are MkDocs 1.6's own forms (``mkdocs.structure.pages``); the build test
(``tests/builds/test_bad_input.py``) has MkDocs write them for real."""

from __future__ import annotations

import logging

from policy_history.model.assemble import Section
from policy_history.site.link_warnings import MKDOCS_PAGES, LinkWarnings, where_written

SECTIONS = (
    Section("intro", "", "policies/privacy/10-intro.md", 1,
            "We are Acme.\n\nThe word missing.md is not a link here.\n"),
    Section("cookies", "Cookies", "policies/privacy/20-cookies.md", 1,
            "## Cookies\n\nSee [the list](missing.md).\n\n[ref]: other.md\n"),
    Section("rights", "Rights", "policies/privacy/30-rights.md", 3,
            "## Rights\n\nAgain [the list](missing.md), <other.md>.\n"),
)
PAGE = "privacy/index.md"


def told(message: str, warnings: LinkWarnings) -> str:
    record = logging.LogRecord(MKDOCS_PAGES, logging.WARNING, "pages.py", 1, message, None, None)
    assert warnings.filter(record)
    return record.getMessage()


def not_found(link: str, target: str) -> str:
    return (f"Doc file '{PAGE}' contains a link '{link}', but the target '{target}' is not "
            "found among documentation files.")


def test_a_link_is_found_where_it_is_a_link_not_where_its_words_appear() -> None:
    assert where_written(SECTIONS, "missing.md") == "policies/privacy/20-cookies.md:3"
    # a reference definition and an autolink are links too; lines count from the section's
    assert where_written(SECTIONS, "other.md") == "policies/privacy/20-cookies.md:5"
    assert where_written(SECTIONS, "other.md", 1) == "policies/privacy/30-rights.md:5"


def test_a_link_the_text_does_not_hold_names_the_policys_files() -> None:
    assert where_written(SECTIONS, "made-by-a-variable.md") == (
        "policies/privacy/10-intro.md, policies/privacy/20-cookies.md, "
        "policies/privacy/30-rights.md")


def test_each_warning_about_the_same_link_names_the_next_place() -> None:
    warnings = LinkWarnings({PAGE: SECTIONS})
    first = told(not_found("missing.md", "privacy/missing.md"), warnings)
    second = told(not_found("missing.md", "privacy/missing.md"), warnings)
    assert first == (
        "policies/privacy/20-cookies.md:3: this text contains a link 'missing.md', but the "
        "target 'privacy/missing.md' is not found among documentation files (it is published "
        "on the page 'privacy/index.md') — fix the link: a path is relative to this file; or "
        "add the page it leads to")
    assert second.startswith("policies/privacy/30-rights.md:5: ")


def test_other_forms_of_mkdocs_warnings_are_placed_too() -> None:
    warnings = LinkWarnings({PAGE: SECTIONS})
    absolute = told(f"Doc file '{PAGE}' contains an absolute link 'other.md', it was left "
                    "as is.", warnings)
    assert absolute.startswith("policies/privacy/20-cookies.md:5: ")
    anchor = told(f"Doc file '{PAGE}' contains a link 'missing.md', but there is no such "
                  "anchor on this page.", warnings)
    assert anchor.startswith("policies/privacy/20-cookies.md:3: ")


def test_warnings_about_other_pages_and_other_messages_are_left_alone() -> None:
    warnings = LinkWarnings({PAGE: SECTIONS})
    other_page = not_found("missing.md", "missing.md").replace(PAGE, "index.md")
    assert told(other_page, warnings) == other_page
    assert told("Something else entirely.", warnings) == "Something else entirely."


def test_a_hostile_link_cannot_issue_a_workflow_command_or_break_the_line() -> None:
    hostile = "x\r::error::pwned##[set-output]\x1b[31m.md"
    sections = (Section("a", "", "policies/p/a.md", 1, f"[x]({hostile})\n"),)
    message = told(not_found(hostile, "p/" + hostile).replace(PAGE, "p/index.md"),
                   LinkWarnings({"p/index.md": sections}))
    assert message.startswith("policies/p/a.md:1: ")
    assert "\r" not in message and "\x1b" not in message and "\n" not in message
    assert not message.lstrip().startswith("::") and "##[" not in message


def test_the_filter_is_attached_once_and_removed() -> None:
    logger = logging.getLogger(MKDOCS_PAGES)
    warnings = LinkWarnings({})
    warnings.attach()
    warnings.attach()
    assert logger.filters.count(warnings) == 1
    warnings.detach()
    assert warnings not in logger.filters
