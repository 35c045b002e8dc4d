"""Issue 20: every document of every corpus is dated as the independent oracle says.

Each corpus is built once "as of" 2026-12-01 with the project's hook; then, for every
Markdown document at the tip, the "Last updated" of its current page and the number of
versions on its history page must be what tests/oracle works out from git alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.oracle.built_site import pages_of, policy_pages, shown
from tests.oracle.compare import figures, report, verdicts
from tests.oracle.declared import from_attributes, window
from tests.oracle.honest_dates import Expected, expected
from tests.oracle.words import split_front_matter
from tests.support import CORPUS_VARIABLES, build, write_config

pytestmark = pytest.mark.corpus

AS_OF = "2026-12-01T00:00:00Z"
AS_OF_DAY = dt.date(2026, 12, 1)
CORPORA = ["basecamp-policies", "legalmattic", "ota-pga-versions", "mozilla-legal-docs"]


@dataclass(frozen=True)
class DatedCorpus:
    clone: Path
    site: Path
    expected: dict[str, Expected]


@contextlib.contextmanager
def as_of(moment: str) -> Iterator[None]:
    """POLICY_AS_OF for a build made outside a test's own environment (session scope)."""
    previous = os.environ.get("POLICY_AS_OF")
    os.environ["POLICY_AS_OF"] = moment
    try:
        yield
    finally:
        if previous is None:
            del os.environ["POLICY_AS_OF"]
        else:
            os.environ["POLICY_AS_OF"] = previous


@pytest.fixture(scope="session")
def dated_corpus(corpus_clones: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
                 ) -> Callable[[str], DatedCorpus]:
    """A corpus built once per session, with the oracle's expectations: the builds take a
    while (ota-pga-versions: minutes), and several tests read them."""
    built: dict[str, DatedCorpus] = {}

    def get(name: str) -> DatedCorpus:
        if name not in built:
            clone = corpus_clones(name)
            root = tmp_path_factory.mktemp(f"dates-{name}")
            config = write_config(root, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                                  home=False)
            with as_of(AS_OF):
                site = build(config)
            built[name] = DatedCorpus(clone, site, expected(clone, AS_OF_DAY, CORPUS_VARIABLES))
        return built[name]

    return get


@pytest.mark.parametrize("name", CORPORA)
def test_every_document_is_dated_as_the_oracle_says(
    dated_corpus: Callable[[str], DatedCorpus], name: str
) -> None:
    corpus = dated_corpus(name)
    results = verdicts(corpus.site, corpus.expected)
    assert len(results) == len(corpus.expected) > 0
    counted = figures(results)
    if counted.last_updated_disagree or counted.versions_disagree:
        pytest.fail("the site and the oracle disagree:\n" + report(name, results),
                    pytrace=False)


def test_mozilla_shows_the_date_each_text_declares_for_machines(
    dated_corpus: Callable[[str], DatedCorpus],
) -> None:
    """mozilla-legal-docs: a text with ``{: datetime="…"}`` under its title shows exactly
    that date, whatever day its commit landed (translations land days after)."""
    corpus = dated_corpus("mozilla-legal-docs")
    known = policy_pages(corpus.site)
    checked, wrong = 0, []
    for path in sorted(corpus.expected):
        _, body = split_front_matter((corpus.clone / path).read_text("utf-8-sig"))
        declared = from_attributes(window(body))
        if declared is None or declared.source != "attr_list" or declared.day > AS_OF_DAY:
            continue
        pages = pages_of(corpus.site, known, path)
        shown_date = shown(pages).last_updated if pages else "no page"
        if shown_date != declared.day:
            wrong.append(f"{path}: shows {shown_date}, declares {declared.evidence!r}")
        checked += 1
    # 276 of the 336 documents; 59 have no such attribute, and one has an impossible one
    # (nl/firefox_privacy_notice_preview.md: datetime="17-12-2025")
    assert checked >= 270
    assert not wrong, f"{len(wrong)} of {checked} documents:\n" + "\n".join(wrong)
