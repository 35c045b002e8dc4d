"""Issue 9 §3: text from the repository is inert wherever it is shown.

Titles, descriptions, summaries, editorial notes and commit messages are text: escaped on
every page (current, history, version, redline, home, and Material's own <title>, meta
description, navigation and footer), in the feeds and in versions.json. Raw HTML in a
fragment is kept, but anything that runs is removed (docs/reference.md, "Raw HTML").
Nothing outside the repository is read.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from policy_history.rendering.sanitise import sanitise
from tests.support import GitRepo, build, build_cli, page_text, write_config
from tests.trust.sites import policy_yml

HOSTILE = ("<script>alert('x')</script>\"><img src=x onerror=alert(1)> {{ 7*7 }} "
           "[j](javascript:alert(2))")
FRAGMENT = """\
# Privacy

We collect your email. <abbr title="General Data Protection Regulation">GDPR</abbr>

<script>alert('fragment')</script>
<img src="x" onerror="alert('fragment')"> <a href="javascript:alert('a')">click</a>
and [a Markdown link](javascript:alert('md')) <iframe src="https://evil.example/"></iframe>
<div onclick="alert(1)" style="position: fixed; top: 0">styled</div>
<details><summary>More</summary>Kept.</details>
"""
COOKIES = "## Cookies <img src=x onerror=alert('heading')>\n\nWe use cookies.\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = GitRepo.init(tmp_path_factory.mktemp("inert") / "site")
    write_config(repo.path, policies={"recent_change_days": 36500})
    meta = f"description: {json.dumps(HOSTILE)}\n"
    repo.commit(f"First {HOSTILE}", "2020-01-01", {
        "policies/privacy/policy.yml": policy_yml(("2020-01-01", HOSTILE),
                                                  title=HOSTILE, extra=meta),
        "policies/privacy/10-intro.md": FRAGMENT,
        "policies/privacy/20-cookies.md": COOKIES,
        "policies/terms.md": f"---\ntitle: {json.dumps(HOSTILE)}\n"
                             f"description: {json.dumps(HOSTILE)}\n---\n\n# Terms\n\nBe nice.\n",
    })
    repo.commit(f"Editorial {HOSTILE}", "2020-02-01", {
        "policies/privacy/policy.yml": policy_yml(("editorial", HOSTILE), ("2020-01-01", HOSTILE),
                                                  title=HOSTILE, extra=meta),
        "policies/privacy/20-cookies.md": COOKIES.replace("We use", "We  use"),
    })
    repo.commit(f"Second {HOSTILE}", "2020-03-01", {
        "policies/privacy/policy.yml": policy_yml(
            ("2020-03-01", HOSTILE), ("editorial", HOSTILE), ("2020-01-01", HOSTILE),
            title=HOSTILE, extra=meta),
        "policies/privacy/20-cookies.md": COOKIES.replace("cookies.", "two cookies."),
    })
    repo.commit(f"Upcoming {HOSTILE}", "2020-04-01", {
        "policies/privacy/policy.yml": policy_yml(
            ("2099-01-01", HOSTILE), ("2020-03-01", HOSTILE), ("editorial", HOSTILE),
            ("2020-01-01", HOSTILE), title=HOSTILE, extra=meta),
        "policies/privacy/20-cookies.md": COOKIES.replace("cookies.", "three cookies."),
        "policies/terms.md": f"---\ntitle: {json.dumps(HOSTILE)}\n"
                             f"description: {json.dumps(HOSTILE)}\n---\n\n# Terms\n\nBe kind.\n",
    })
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICY_AS_OF", "2020-04-15")
        return build(repo.path / "mkdocs.yml")


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every <script> and <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.titles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in = tag if tag in {"script", "title"} else None
        if tag == "script":
            self.scripts.append("")
        if tag == "title":
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "title":
            self.titles[-1] += data


def assert_inert(html: str, where: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"iframe", "object", "embed"}, (where, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name, value)
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                assert not value.strip().lower().startswith(("javascript:", "data:text")), \
                    (where, tag, value)
    for script in parser.scripts:
        assert "alert(" not in script, (where, script[:200])
    return parser


PAGES = {
    "current": "privacy/index.html",
    "history": "privacy/history/index.html",
    "version": "privacy/versions/2020-01-01/index.html",
    "upcoming version": "privacy/versions/2099-01-01/index.html",
    "compare": "privacy/compare/2020-01-01/2020-03-01/index.html",
    "home": "index.html",
    "file policy": "terms/index.html",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_repository_text_is_escaped_on_every_page_type(hostile_site: Path, page: str) -> None:
    html = (hostile_site / PAGES[page]).read_text("utf-8")
    parser = assert_inert(html, page)
    text = page_text(html)
    assert HOSTILE in text  # shown, as the text it is
    assert "{{ 7*7 }}" in text and " 49 " not in text  # never templated
    assert parser.titles and all("<" not in title or HOSTILE in title
                                 for title in parser.titles)
    # Material's own places: <title>, meta description, header and navigation
    assert "<script>alert('x')" not in html
    assert 'onerror=alert(1)>' not in html.replace("&gt;", "")


def test_every_file_of_the_site_is_inert(hostile_site: Path) -> None:
    checked = 0
    for path in sorted(hostile_site.rglob("*.html")):
        assert_inert(path.read_text("utf-8"), str(path.relative_to(hostile_site)))
        checked += 1
    assert checked >= 10
    index = json.loads((hostile_site / "search/search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        assert "<script" not in doc["text"] + doc["title"], doc
        assert "<img" not in doc["text"] + doc["title"], doc


def test_feeds_and_versions_json_carry_the_text_as_data(hostile_site: Path) -> None:
    for feed in ("privacy/feed.xml", "feed.xml"):
        root = ET.fromstring((hostile_site / feed).read_bytes())
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = root.findall("a:entry", ns)
        assert entries
        for entry in entries:
            summary = entry.findtext("a:summary", namespaces=ns)
            assert summary == HOSTILE or "No summary was declared" in (summary or "")
            content = entry.findtext("a:content", namespaces=ns) or ""
            assert_inert(content, f"{feed} content")  # the HTML a feed reader shows
            assert "<script>" not in content
    data = json.loads((hostile_site / "privacy/feed.json").read_text("utf-8"))
    for item in data["items"]:
        assert_inert(item["content_html"], "feed.json content_html")
    manifest = json.loads((hostile_site / "privacy/versions.json").read_text("utf-8"))
    assert manifest["policy"]["title"] == HOSTILE
    assert {v["summary"] for v in manifest["versions"]} == {HOSTILE}


def test_raw_html_in_a_fragment_is_kept_without_what_runs(hostile_site: Path) -> None:
    for page in ("current", "version", "compare"):
        html = (hostile_site / PAGES[page]).read_text("utf-8")
        assert '<abbr title="General Data Protection Regulation">GDPR</abbr>' in html, page
        assert "<details><summary>More</summary>Kept.</details>" in html or page == "compare"
        assert 'style="position' not in html, page
        assert "alert('fragment')" not in html, page
        assert "click" in page_text(html) and "a Markdown link" in page_text(html), page


@pytest.mark.parametrize(("raw", "kept"), [
    ("<p>Plain <b>bold</b> <em>em</em> <code>x</code></p>", None),
    ('<p><a href="https://example.com/" title="t">x</a> <a href="../terms/">y</a> '
     '<a href="#cookies">z</a> <a href="mailto:a@b.c">m</a></p>', None),
    ('<h2 id="cookies">Cookies<a class="headerlink" href="#cookies" title="Permanent link">'
     "¶</a></h2>", None),
    ('<table>\n<thead>\n<tr>\n<th style="text-align:center">a</th>\n</tr>\n</thead>\n'
     "</table>", None),
    ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
    ('<p><img src="x" onerror="alert(1)"></p>', '<p><img src="x"></p>'),
    ('<p><a href="JaVaScRiPt:alert(1)">x</a></p>', "<p><a>x</a></p>"),
    ('<p><a href="java&#x09;script:alert(1)">x</a></p>', "<p><a>x</a></p>"),
    ('<svg onload="alert(1)"><circle/></svg><p>x</p>', "<p>x</p>"),
    ('<p style="background:url(javascript:alert(1))">x</p>', '<p style="">x</p>'),
    ("<!-- policy_history:section intro -->", None),
])
def test_sanitiser_keeps_markup_and_drops_what_runs(raw: str, kept: str | None) -> None:
    assert sanitise(raw) == (raw if kept is None else kept)


def test_drafts_are_read_only_inside_the_repository(repo: GitRepo, tmp_path: Path) -> None:
    """``mkdocs serve`` reads uncommitted files; a link leading out is refused, not read."""
    write_config(repo.path)
    repo.commit("First", "2020-01-01", {
        "policies/privacy/policy.yml": policy_yml(("2020-01-01", "First.")),
        "policies/privacy/10-intro.md": "We collect your email.\n",
    })
    outside = tmp_path / "secret.md"
    outside.write_text("SECRET OUTSIDE\n", encoding="utf-8")
    (repo.path / "policies/privacy/20-leak.md").symlink_to(outside)
    (repo.path / "policies/privacy/10-intro.md").write_text("Draft words.\n", "utf-8")
    site = build(repo.path / "mkdocs.yml", command="serve")
    html = (site / "privacy/index.html").read_text("utf-8")
    assert "SECRET" not in html
    assert "We collect your email." in page_text(html)  # the draft was refused as a whole
    assert outside.read_text("utf-8") == "SECRET OUTSIDE\n"


def test_symlinked_policies_folder_outside_the_repository(repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "privacy").mkdir(parents=True)
    (outside / "privacy/index.md").write_text("# Secret\n\nSECRET OUTSIDE\n", "utf-8")
    write_config(repo.path)
    (repo.path / "policies").symlink_to(outside)
    repo.commit("Link the policies", "2020-01-01")
    result = build_cli(repo.path)
    assert result.returncode != 0
    assert "outside the repository" in result.stderr and "Traceback" not in result.stderr
    assert not re.search("SECRET", result.stdout + result.stderr)


def test_the_editors_preview_of_a_pull_request_is_inert(repo: GitRepo, tmp_path: Path) -> None:
    """scripts/preview renders a branch's redline as HTML for reviewers: the same policy."""
    from policy_history.editors.preview_cli import main as preview_main
    from tests.scripts.support import make_site, run_main

    make_site(repo)
    repo.write({"policies/privacy/20-cookies.md": "## Cookies\n\n" + FRAGMENT.split("\n\n", 1)[1]})
    page = tmp_path / "preview.html"
    comment = tmp_path / "comment.md"
    result = run_main(preview_main, "--base", "main", "--html", str(page), "--markdown",
                      str(comment), cwd=repo.path)
    assert result.code == 0, result.output
    for html in (page.read_text("utf-8"), comment.read_text("utf-8")):
        assert_inert(html, "preview")
        assert "alert('fragment')" not in html and "GDPR" in html


# -- the pull request's preview comment and the editor tools' output ----------------------

#: a summary that ends the quote it is shown in, says what a harmless change says, and
#: opens an HTML comment that would hide everything after it: the redline
COMMENT_ATTACK = "Tweak.\n\n**Formatting only**: nothing visitors read changed.\n\n<!--"
#: text that would start blocks, raw HTML, a mention and a table if it were Markdown
MARKDOWN_ATTACK = ("Note\r\n# Approved\u2028- [x] reviewed\u2029> quoted <details><summary>ok"
                   "</summary> @octocat `x` | a | b | \u202eright-to-left")
#: a section's heading with HTML, a code span, emphasis, a link and a mention
SECTION_ATTACK = "Cookies <!-- `x` *y* [z](javascript:alert(1)) @octocat | |"
#: the comment's own lines: everything else in it would be a line of the repository's text
OUR_LINES = re.compile(r"<!-- policy-history:preview -->$|### Policy changes|Compared with "
                       r"|#### |`+[^`]|> |Editorial note: |\d+ words? added|<details open>$"
                       r"|<summary>Redline</summary>$|</details>$|<sub>Made by scripts/preview"
                       r"|_… \d+ more change")
OUR_TAGS = ("<!-- policy-history:preview -->", "<details open>", "<summary>Redline</summary>",
            "</details>", "<sub>", "</sub>")


def _redlines(comment: str) -> tuple[str, list[str]]:
    """The comment without its redlines' HTML, and that HTML (one per policy)."""
    pattern = re.compile(r"(?<=<summary>Redline</summary>\n\n)(.*?)(?=\n\n</details>)", re.S)
    return pattern.sub("", comment), pattern.findall(comment)


def _hostile_pull_request(repo: GitRepo) -> None:
    from tests.scripts.support import make_site

    make_site(repo, {"policies/coo``kies/policy.yml": policy_yml(("2020-01-01", "First."),
                                                                 title="Cookie policy"),
                     "policies/coo``kies/10-text.md": "## Cookies\n\nWe use one cookie.\n"})
    repo.write({
        "policies/privacy/policy.yml": policy_yml(
            ("2031-01-01", COMMENT_ATTACK), ("2020-01-01", "First version."),
            title=json.dumps(MARKDOWN_ATTACK)),
        "policies/privacy/20-cookies.md": f"## {SECTION_ATTACK}\n\nWe sell your data.\n",
        "policies/coo``kies/policy.yml": policy_yml(("editorial", MARKDOWN_ATTACK),
                                                    ("2020-01-01", "First."),
                                                    title="Cookie policy"),
        "policies/coo``kies/10-text.md": "## Cookies\n\nWe use two cookies.\n",
        "policies/terms.md": "# Terms\n\nBe nice <!-- or else.\n",
    })


def test_repository_text_in_the_preview_comment_stays_text(repo: GitRepo,
                                                            tmp_path: Path) -> None:
    """Issue 19 §1: summaries, notes, titles, section titles and paths are escaped for
    GitHub's Markdown; nothing of theirs can start a block, be HTML or hide the redline."""
    from policy_history.editors.preview_cli import main as preview_main
    from tests.scripts.support import run_main

    _hostile_pull_request(repo)
    comment_file, page_file = tmp_path / "comment.md", tmp_path / "redline.html"
    result = run_main(preview_main, "--base", "main", "--markdown", str(comment_file),
                      "--html", str(page_file), cwd=repo.path)
    assert result.code == 0, result.output
    comment = comment_file.read_text("utf-8")
    text, redlines = _redlines(comment)
    # every policy's redline is there, after its summary, not hidden in a comment
    assert len(redlines) == 3 and comment.count("<!--") == 1
    assert any("We sell your data." in page_text(redline) for redline in redlines)
    assert comment.index("> Tweak") < comment.index("<ins>We sell your data.</ins>")
    assert "<ins>Be nice &lt;!-- or else.</ins>" in comment  # the policy's "<!--" is text
    # the repository's text starts no line of its own: no block, no raw HTML
    assert [line for line in text.splitlines() if line and not OUR_LINES.match(line)] == []
    assert sum(line.startswith("#### ") for line in text.splitlines()) == 3
    assert sum(line.startswith("> ") for line in text.splitlines()) == 1  # the one summary
    remaining = text
    for tag in OUR_TAGS:
        remaining = remaining.replace(tag, "")
    assert "<" not in remaining and ">" not in remaining.replace("\n> ", "\n")
    assert "&lt;\\!\\-\\-" in text and "@octocat" not in comment  # shown, mentions no one
    assert "\u2028" not in comment and "\u202e" not in comment and "\r" not in comment
    assert "```policies/coo``kies/```" in text  # the path whole, in one code span
    # the HTML page shows the same text as it is
    page = page_text(page_file.read_text("utf-8"))
    assert "Tweak. **Formatting only**: nothing visitors read changed. <!--" in page
    assert "\\" not in page and "&lt;" not in page


class _Balance(HTMLParser):
    """Where an HTML fragment leaves what it opens: comments, unclosed or stray elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.folded = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"br", "hr", "img", "input", "wbr", "col", "area"}:
            self.open.append(tag)
        self.folded += tag == "details" and "open" not in dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"a comment: <!--{data[:40]}")


HIDING_HTML = """\
## Cookies

We sell your data.

<details><summary>Minor wording</summary>

We also sell your contacts.

</details>

</details></div>

Text with id="kept" and class="kept" in it, for @octocat.

<div>
<!-- a note to ourselves -->
</div>
"""


def test_policy_html_cannot_reach_out_of_its_redline_in_the_comment(repo: GitRepo) -> None:
    """Issue 19 §1: the redline's HTML in the comment is closed whatever the policy holds:
    no comment (an unclosed one would hide the rest), no folded <details>, no stray end."""
    from policy_history.editors.preview_cli import main as preview_main
    from tests.scripts.support import make_site, run_main

    make_site(repo)
    repo.write({"policies/privacy/20-cookies.md": HIDING_HTML})
    result = run_main(preview_main, "--base", "main", cwd=repo.path)
    assert result.code == 0, result.output
    _text, (redline,) = _redlines(result.out)
    balance = _Balance()
    balance.feed(redline)
    balance.close()
    assert balance.problems == [] and balance.open == [] and balance.folded == 0
    shown = page_text(redline)
    assert "We also sell your contacts." in shown  # unfolded
    assert 'Text with id="kept" and class="kept" in it' in shown  # text, not attributes
    assert "@octocat" not in shown and "@\u200boctocat" in shown


#: a title and a section heading that would silence every annotation after them (and a
#: fragment whose name would add properties to one) if the check's output carried them
COMMAND_TITLE = "Privacy\n::stop-commands::pwned"
COMMAND_FILES = {
    "policies/privacy/policy.yml": policy_yml(("2020-01-01", "First version."),
                                              title=json.dumps(COMMAND_TITLE)),
    "policies/privacy/20-cookies.md": "## Cookies ##[stop-commands]pwned\n\nWe use cookies "
                                      "for 90 days.\n\n```\n  ::add-mask::x\n```\n",
    "policies/a,line=1::b.md": "# Contact\n\nWrite to {{ company.mail }}.\n",
}


@pytest.mark.parametrize("command", [
    ("check", "--base", "main"),
    ("check", "--base", "main", "--format", "github"),
    ("preview", "--base", "main"),
], ids=["check", "check --format github", "preview"])
def test_repository_text_cannot_issue_workflow_commands(repo: GitRepo,
                                                        command: tuple[str, ...]) -> None:
    """Issue 19 §2: GitHub Actions reads a step's output for commands; the only ones in the
    tools' output are the check's own annotations, whatever the titles and paths say."""
    from tests.scripts.support import make_site, run_script, workflow_commands

    make_site(repo)
    repo.write(COMMAND_FILES)
    result = run_script(*command, cwd=repo.path)
    assert result.code == (0 if command[0] == "preview" else 1), result.output
    assert "stop-commands" in result.output  # shown as the text it is
    found = workflow_commands(result.out) + workflow_commands(result.err)
    ours = [c for c in found if c.name == "error" and c.properties.get("title") == "Policy check"]
    assert found == ours
    if "github" in command:
        files = {c.properties.get("file") for c in ours}
        assert {"policies/privacy/policy.yml", "policies/a,line=1::b.md"} <= files
        assert any(COMMAND_TITLE in c.data for c in ours)
    else:
        assert ours == []
