"""Feed entries and their Atom / JSON Feed bytes, on plain data."""

from __future__ import annotations

import datetime as dt
import json

import feedparser
import pytest

from policy_history import feeds
from policy_history.site.following import addresses
from tests.core.test_manifest import entry
from tests.core.test_timeline import Log, meta

SITE = "https://policies.example.com/"
UTC = dt.timezone.utc


@pytest.fixture
def log() -> Log:
    log = Log()
    # published late on Jan 10 in New York: Jan 11 in UTC
    log.commit("2020-01-10T21:00:00-05:00", {
        "policies/privacy/policy.yml": meta(entry("2020-01-10", "First <b>bold</b> & co.")),
        "policies/privacy/10-intro.md": "We collect your email.\n",
    })
    log.commit("2020-06-01", {
        "policies/privacy/policy.yml": meta("  - editorial: Typo.\n",
                                            entry("2020-01-10", "First <b>bold</b> & co.")),
        "policies/privacy/10-intro.md": "We collect your e-mail.\n",
    })
    # announced on Feb 1 in Berlin (Jan 31 in UTC), effective on Mar 3
    log.commit("2021-02-01T00:30:00+01:00", {
        "policies/privacy/policy.yml": meta(entry("2021-03-03", "Logs."), "  - editorial: Typo.\n",
                                            entry("2020-01-10", "First <b>bold</b> & co.")),
        "policies/privacy/10-intro.md": "We collect your e-mail and logs.\n",
    })
    return log


def entries(log: Log, as_of: str, **options: bool) -> list[feeds.FeedEntry]:
    history = log.history(as_of).policies["privacy"]
    return feeds.policy_entries(history, addresses(history, SITE),
                                as_of=dt.datetime.fromisoformat(as_of).replace(tzinfo=UTC),
                                **options)


def test_one_entry_per_version_newest_first_with_stable_ids(log: Log) -> None:
    found = entries(log, "2021-02-15")
    assert [e.id for e in found] == [f"{SITE}privacy/versions/2021-03-03/",
                                     f"{SITE}privacy/versions/2020-01-10/"]
    assert [e.kind for e in found] == ["version", "version"]
    assert found[0].published.isoformat() == "2021-02-01T00:30:00+01:00"
    # a later "as of" changes nothing about the entries (announced once, when published)
    later = entries(log, "2022-01-01")
    assert [(e.id, e.published, e.title) for e in later] == \
        [(e.id, e.published, e.title) for e in found]


def test_optional_entries_for_editorial_revisions_and_taking_effect(log: Log) -> None:
    before = entries(log, "2021-03-02T23:59:59", editorial=True, takes_effect=True)
    assert [e.kind for e in before] == ["version", "editorial", "version"]
    assert before[1].id == f"{SITE}privacy/history/#commit-{'2'.zfill(40)}"
    assert before[1].url == f"{SITE}privacy/history/#v-2020-01-10"
    after = entries(log, "2021-03-03", editorial=True, takes_effect=True)
    assert [e.kind for e in after] == ["takes-effect", "version", "editorial", "version"]
    assert after[0].id == f"{SITE}privacy/versions/2021-03-03/#takes-effect"
    assert after[0].published == dt.datetime(2021, 3, 3, tzinfo=UTC)
    # the first version took effect before it was published: nothing to announce later
    assert sum(e.kind == "takes-effect" for e in entries(log, "2030-01-01",
                                                          takes_effect=True)) == 1


def test_newest_first_compares_instants_not_local_times() -> None:
    log = Log()
    log.commit("2020-01-01T23:00:00-08:00", {  # 07:00 UTC on Jan 2
        "policies/a.md": "# A\n\nOne.\n"})
    log.commit("2020-01-02T08:00:00+09:00", {  # 23:00 UTC on Jan 1: committed "earlier"
        "policies/b.md": "# B\n\nOne.\n"})
    site = log.history("2021-01-01")
    every = []
    for history in site.policies.values():
        every += feeds.policy_entries(history, addresses(history, SITE),
                                      as_of=dt.datetime(2021, 1, 1, tzinfo=UTC))
    assert [e.slug for e in feeds.newest_first(every)] == ["a", "b"]
    assert [e.slug for e in feeds.newest_first(every, 1)] == ["a"]


def feed_of(log: Log, redline=None) -> feeds.Feed:
    history = log.history("2021-03-03").policies["privacy"]
    urls = addresses(history, SITE)
    found = feeds.with_content(entries(log, "2021-03-03"), redline)
    return feeds.Feed(id=urls.atom, title="Privacy <Policy> & co: changes", description="d",
                      home_url=urls.history, atom_url=urls.atom, json_url=urls.json,
                      author="Example & Co.", entries=tuple(found),
                      fallback_updated=dt.datetime(2000, 1, 1, tzinfo=UTC))


def test_atom_parses_and_keeps_time_zones_and_escaping(log: Log) -> None:
    data = feeds.atom(feed_of(log))
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Privacy <Policy> & co: changes"
    assert parsed.feed.id == f"{SITE}privacy/feed.xml"
    # the feed's updated is the newest entry's, not the build time
    assert parsed.feed.updated == "2021-02-01T00:30:00+01:00"
    first = parsed.entries[-1]
    assert first.published == "2020-01-10T21:00:00-05:00"
    assert first.published_parsed[:5] == (2020, 1, 11, 2, 0)  # the same instant in UTC
    assert first.summary == "First <b>bold</b> & co."  # text, not markup
    assert "First &lt;b&gt;bold&lt;/b&gt; &amp; co." in first.content[0].value
    assert first.link == f"{SITE}privacy/versions/2020-01-10/"
    assert first.content[0].base == first.link


def test_content_carries_the_redline_when_given(log: Log) -> None:
    calls = []

    def redline(old, new) -> str:
        calls.append((old.version_id, new.version_id))
        return "<ins>logs</ins>"

    parsed = feedparser.parse(feeds.atom(feed_of(log, redline)))
    newest = parsed.entries[0].content[0].value
    assert "<h2>What changed</h2>" in newest and "<ins>logs</ins>" in newest
    assert calls == [("2020-01-10", "2021-03-03")]  # the first version has nothing before it
    assert "first version" in parsed.entries[1].content[0].value


def test_json_feed_has_the_required_fields(log: Log) -> None:
    data = json.loads(feeds.json_feed(feed_of(log)))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and isinstance(data["items"], list)
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item["content_html"], str)
        dt.datetime.fromisoformat(item["date_published"])
        assert item["_policy_history"]["policy"] == "privacy"
    assert data["items"][0]["date_published"] == "2021-02-01T00:30:00+01:00"


def test_characters_xml_forbids_are_dropped(log: Log) -> None:
    feed = feed_of(log)
    broken = feeds.Feed(**{**feed.__dict__, "title": "Form\x0cfeed"})
    assert not feedparser.parse(feeds.atom(broken)).bozo
