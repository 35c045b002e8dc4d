"""versions.json on plain data: records, order, the schema, and the two hashes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import html5lib
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_history import manifest
from policy_history.site.following import addresses
from tests.core.test_timeline import Log, meta, render
from tests.support import ROOT

SCHEMA = json.loads((ROOT / "docs/schemas/versions.schema.json").read_text("utf-8"))
SITE = "https://policies.example.com/sub/"


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def entry(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


INTRO_1 = "We collect your *email*.\n"
INTRO_2 = "We collect your email & logs.\n\n\n"
COOKIES = "## Cookies\n\nWe use cookies.\n"


@pytest.fixture
def log() -> Log:
    log = Log()
    log.commit("2020-01-10T09:00:00-05:00", {
        "policies/privacy/policy.yml": meta(entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": INTRO_1,
        "policies/privacy/20-cookies.md": COOKIES,
    })
    log.commit("2020-06-01T12:00:00+02:00", {
        "policies/privacy/policy.yml": meta("  - editorial: Typo.\n",
                                            entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use  cookies.\n",
    })
    log.commit("2021-03-01T23:30:00+05:30", {
        "policies/privacy/policy.yml": meta(entry("2021-03-03", "Logs."),
                                            "  - editorial: Typo.\n",
                                            entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": INTRO_2,
    })
    log.commit("2021-04-01", {
        "policies/privacy/policy.yml": meta(entry("2021-03-03", "Same day."),
                                            entry("2021-03-03", "Logs."),
                                            "  - editorial: Typo.\n",
                                            entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nNo cookies.\n",
    })
    log.commit("2021-05-01", {
        "policies/privacy/policy.yml": meta(entry("2022-01-01", "Later."),
                                            entry("2021-03-03", "Same day."),
                                            entry("2021-03-03", "Logs."),
                                            "  - editorial: Typo.\n",
                                            entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": "We collect nothing.\n",
    })
    return log


def build_manifest(log: Log, as_of: str = "2021-06-01") -> dict:
    history = log.history(as_of).policies["privacy"]
    hashes = {v.version_id: "0" * 64 for v in history.versions}
    return manifest.manifest(history, addresses(history, SITE), hashes,
                             edition_hash=lambda revision: "1" * 64)


def test_manifest_lists_every_version_newest_first_and_validates(log: Log) -> None:
    data = build_manifest(log)
    validator().validate(data)
    ids = [v["id"] for v in data["versions"]]
    assert ids == ["2022-01-01", "2021-03-03-2", "2021-03-03", "2020-01-10"]
    assert data["current"] == "2021-03-03-2" and data["upcoming"] == ["2022-01-01"]
    assert [v["state"] for v in data["versions"]] == ["upcoming", "current", "past", "past"]
    first = data["versions"][-1]
    assert first["cite"] == "privacy@2020-01-10"
    assert first["in_force_until"] == "2021-03-02"
    # a second version the same day: the first of that day was never in force alone
    assert data["versions"][2]["in_force_until"] is None
    # the committer's own offset is kept, not converted
    assert first["published"] == "2020-01-10T09:00:00-05:00"
    assert data["versions"][2]["published"] == "2021-03-01T23:30:00+05:30"
    assert first["urls"] == {
        "text": f"{SITE}privacy/versions/2020-01-10/",
        "history": f"{SITE}privacy/history/#v-2020-01-10",
        "source": f"{SITE}privacy/versions/2020-01-10/source.md",
        "redline": None,
        "since": f"{SITE}privacy/since/2020-01-10/",
    }
    assert data["policy"]["feeds"]["atom"] == f"{SITE}privacy/feed.xml"


def test_source_hash_is_of_the_sections_markdown_joined_by_a_blank_line(log: Log) -> None:
    data = build_manifest(log)
    by_id = {v["id"]: v for v in data["versions"]}
    # rebuilt here from the fragments as committed: stripped of newlines, blank line between
    expected = {
        "2020-01-10": INTRO_1.strip("\n") + "\n\n" + COOKIES.strip("\n") + "\n",
        "2021-03-03": INTRO_2.strip("\n") + "\n\n## Cookies\n\nWe use  cookies.\n",
    }
    for version_id, text in expected.items():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert by_id[version_id]["sha256"]["source"] == digest


def test_schema_rejects_what_a_consumer_could_not_rely_on(log: Log) -> None:
    data = build_manifest(log)
    check = validator()
    for path, bad in [
        (("versions", 0, "sha256", "text"), "ABC"),
        (("versions", 0, "id"), "next week"),
        (("versions", 0, "published"), "2021-05-01 12:00"),
        (("versions", 0, "urls", "text"), "/privacy/versions/x/"),
        (("manifest_version",), 2),
    ]:
        broken = json.loads(json.dumps(data))
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
        assert list(check.iter_errors(broken)), path


def html5lib_text(fragment: str) -> str:
    """The same definition, on a real HTML5 tree (independent of policy_history's parser)."""
    tree = html5lib.parseFragment(f"<section>{fragment}</section>", namespaceHTMLElements=False)
    section = tree.find("section")

    def drop(element) -> None:
        for child in list(element):
            classes = (child.get("class") or "").split()
            if {"headerlink", "policy-section__changed"} & set(classes):
                tail = child.tail
                index = list(element).index(child)
                element.remove(child)
                if tail:  # keep the text after the removed element
                    if index:
                        previous = element[index - 1]
                        previous.tail = (previous.tail or "") + tail
                    else:
                        element.text = (element.text or "") + tail
            else:
                drop(child)

    drop(section)

    def text(element) -> str:  # the DOM's textContent: comments have no text
        inner = (element.text or "") + "".join(text(c) + (c.tail or "") for c in element)
        return inner if isinstance(element.tag, str) else ""

    return re.sub(r"[ \t\n\f\r]+", " ", text(section)).strip(" ")


@pytest.mark.parametrize("markdown_text", [
    "## Cookies\n\nWe use *cookies* &amp; [links](https://example.com/?a=1&b=2).\n",
    "A&nbsp;non-breaking space, a &lt;tag&gt; and &#x201C;quotes&#x201D;.\n\n- one\n- two\n",
    "<div markdown>Raw <b>HTML</b><br>with a break</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "Text<!-- a comment --> after.\n\n```\ncode   block\n```\n",
    "Controls &#1 and &#x7f; and &#65534; a browser keeps; &#128; &#0; &#xD800; it maps.\n",
])
def test_visible_text_matches_an_html5_parser(markdown_text: str) -> None:
    html = render(markdown_text)
    assert manifest.visible_text(html) == html5lib_text(html)


def test_visible_text_leaves_out_chrome_only() -> None:
    html = ('<p class="policy-section__changed">Section changed on <time>May 1</time></p>\n'
            '<h2 id="x">Cookies<a class="headerlink" href="#x">¶</a></h2>\n<p>We  use\n'
            "cookies.</p>")
    assert manifest.visible_text(html) == "Cookies We use cookies."
    assert manifest.rendered_text([html, "<p>Second</p>"]) == "Cookies We use cookies.\nSecond"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
                | st.sampled_from(["&", "<b>", "</i>", "*", "`", "\n\n", "  ", "#", "\u00a0"]),
                max_size=12))
def test_visible_text_matches_an_html5_parser_on_generated_markdown(pieces: list[str]) -> None:
    html = render("".join(pieces))
    assert manifest.visible_text(html) == html5lib_text(html)


#: HTML the quick reading of visible_text must read as the parser does, or leave to it
TRICKY_HTML = [
    '<p title="a>b" data-x=\'c>d\'>Text &amp; more</p>',
    "a &am<b>p; c &amp d&lt",
    "<p>One<!-- a -- b --> two<!----> three<!-- x --->four<!-- y -- >five --></p>",
    "<P CLASS=x>Upper</P><BR/>case",
    "<p>a < b and c<d</p>",
    "<style>p { x: 1 }</style><p>styled</p><script>var a = '<b>';</script>",
    "<textarea><b>raw</b></textarea> and <title>&amp;</title>",
    '<h2 id="x">Title<a class="headerlink" href="#x">&para;</a></h2>',
    "plain text, no markup at all",
    "<!DOCTYPE html><?pi x?><p>after declarations</p>",
    "",
]


@pytest.mark.parametrize("html", TRICKY_HTML)
def test_the_quick_reading_of_visible_text_is_the_parser_s(html: str) -> None:
    html = manifest._browser_charrefs(html)
    quick = manifest._quick_text(html)
    assert quick is None or quick == manifest._parsed_text(html)


def test_the_quick_reading_is_taken_for_rendered_policy_text() -> None:
    html = render("## Cookies\n\nWe use *cookies* &amp; [links](https://e.com/?a=1&b=2).\n")
    assert manifest._quick_text(html) == manifest._parsed_text(html)
    assert manifest._quick_text('<p title="a>b">x</p>') == "x"


def test_text_hash_is_sha256_of_the_utf8_rendered_text() -> None:
    sections = ["<p>Caf\u00e9</p>", "<p>Na\u00efve</p>"]
    assert manifest.text_sha256(sections) == hashlib.sha256(
        "Caf\u00e9\nNa\u00efve".encode()).hexdigest()


def test_dumps_is_stable_utf8_json() -> None:
    data = {"b": "\u201cx\u201d", "a": 1}
    assert manifest.dumps(data) == manifest.dumps(dict(data))
    assert manifest.dumps(data).decode("utf-8").endswith("}\n")
    assert "\u201c" in manifest.dumps(data).decode("utf-8")


def test_schema_file_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert Path(ROOT / "docs/feeds.md").read_text("utf-8").count("versions.schema.json") >= 1


