"""scripts/preview: the redline of a branch or the working tree, for a PR comment and as HTML."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_history.editors.preview import (
    COMMENT_MARKER,
    _inline_markdown,
    github_html,
    markdown_code,
    markdown_text,
    one_line,
)
from policy_history.editors.preview_cli import main as preview_main
from tests.scripts.support import (
    COOKIES,
    POLICY_YML,
    make_site,
    material,
    meta,
    needs_redline,
    run_main,
    run_script,
)
from tests.support import GitRepo


@pytest.fixture
def site(repo: GitRepo) -> GitRepo:
    return make_site(repo)


def preview(site: GitRepo, *args: str):
    return run_main(preview_main, *args, cwd=site.path)


def test_nothing_changed_says_so(site: GitRepo, tmp_path: Path) -> None:
    result = preview(site, "--base", "main", "--html", str(tmp_path / "r.html"))
    assert result.code == 0
    assert result.out.startswith(COMMENT_MARKER)
    assert "Nothing to show: no policy text changes in this pull request." in result.out
    assert "Nothing to show" in (tmp_path / "r.html").read_text("utf-8")


@needs_redline
def test_a_declared_change_shows_its_redline_date_and_summary(site: GitRepo,
                                                              tmp_path: Path) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n",
                POLICY_YML: meta(material("2031-05-01", "Cookies last 90 days."))})
    html_file = tmp_path / "redline.html"
    result = preview(site, "--base", "main", "--markdown", str(tmp_path / "c.md"),
                     "--html", str(html_file), "--html-url", "https://ci.example/run/1")
    assert result.code == 0, result.output
    comment = (tmp_path / "c.md").read_text("utf-8")
    assert comment.startswith(COMMENT_MARKER)
    assert "#### Privacy" in comment
    assert "**Material change**, effective **May 1, 2031 (upcoming)**." in comment
    assert "> Cookies last 90 days." in comment
    assert "1 word added, 1 removed · Sections: *Cookies* (changed)" in comment
    assert "<del>30 </del><ins>90 </ins>" in comment
    assert "[the full redline](https://ci.example/run/1)" in comment
    from policy_history.redline import extract_text

    page = html_file.read_text("utf-8")
    assert page.startswith("<!doctype html>")
    redline = page[page.index('<div class="redline'):]
    assert "We use cookies for 90 days." in extract_text(redline, drop="del")
    assert "We use cookies for 30 days." in extract_text(redline, drop="ins")


def test_an_undeclared_change_is_flagged(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    result = preview(site, "--base", "main")
    assert "⚠️ **Not declared**: the words changed, but no change entry was added to " \
        f"`{POLICY_YML}`" in result.out


def test_formatting_only_is_said_plainly(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use   cookies\nfor 30 days.\n"})
    result = preview(site, "--base", "main")
    assert "**Formatting only**: what visitors read does not change" in result.out
    assert "<details" not in result.out


@needs_redline
def test_a_branch_is_compared_from_where_it_left_the_base(site: GitRepo) -> None:
    site.branch("rights")
    site.commit("Rights", "2020-03-01", {
        "policies/privacy/30-rights.md": "## Your rights\n\nAsk us to delete your data.\n",
        POLICY_YML: meta(material("2031-01-01", "A section on your rights.")),
    })
    site.checkout("main")
    site.commit("Terms", "2020-04-01", {"policies/terms.md": "# Terms\n\nNew terms.\n"})
    result = preview(site, "--base", "main", "--head", "rights")
    assert result.code == 0, result.output
    assert "1 policy changed" in result.out  # not the terms changed on main meanwhile
    assert "*Your rights* (added)" in result.out
    assert "<ins>Ask us to delete your data.</ins>" in result.out


@needs_redline
def test_the_comment_is_bounded_and_points_at_the_full_redline(site: GitRepo) -> None:
    paragraphs = "".join(f"Paragraph {n} says something quite long about cookies.\n\n"
                         for n in range(200))
    site.write({COOKIES: f"## Cookies\n\n{paragraphs}",
                POLICY_YML: meta(material("2031-05-01", "Much more on cookies."))})
    result = preview(site, "--base", "main", "--max-chars", "4000", "--html", "full.html")
    assert len(result.out) <= 4000
    assert re.search(r"_… \d+ more changes not shown: see the full redline in `full.html`._",
                     result.out)
    assert "</details>" in result.out


def test_comment_html_survives_githubs_markdown() -> None:
    html = ('<div class="redline">\n  <div id="r-1" class="redline-block">\n\n'
            '<p>We <del class="redline-del"><span class="redline-sr">[deleted: </span>sell'
            '<span class="redline-sr">]</span></del> data.</p>\n'
            '<h2 id="x">Cookies<a class="headerlink" href="#x">¶</a></h2></div></div>')
    out = github_html(html)
    assert "\n\n" not in out and not any(line.startswith(" ") for line in out.splitlines())
    assert "class=" not in out and "id=" not in out and "¶" not in out
    assert "<del>sell</del>" in out


@given(st.text())
def test_escaped_repository_text_loses_nothing(text: str) -> None:
    """What markdown_text and markdown_code write reads back as the text, on one line: the
    HTML page reads it from the same Markdown (a mention gets a zero-width space)."""
    flat = one_line(text, 10_000).replace("\u200b", "")
    shown = html.unescape(_inline_markdown(markdown_text(text, 10_000)))
    assert shown.replace("\u200b", "") == flat
    if flat:
        code = html.unescape(_inline_markdown(f"in {markdown_code(text, 10_000)}."))
        assert code.replace("\u200b", "") == f"in <code>{flat}</code>."


@pytest.mark.parametrize(("text", "escaped"), [
    ("1. First\r\n# Second\u2028> third", r"1\. First \# Second &gt; third"),
    ("<!-- hidden", r"&lt;\!\-\- hidden"),
    ("**bold** _em_ `code` [link](x) ~~gone~~ $x$ | a |",
     r"\*\*bold\*\* \_em\_ \`code\` \[link\]\(x\) \~\~gone\~\~ \$x\$ \| a \|"),
    ("Ask @legal-team or privacy@example.com.",
     "Ask @\u200blegal\\-team or privacy@example.com."),  # a mention, not an address
    ("We keep logs for 30 days, not 90.", "We keep logs for 30 days, not 90."),
])
def test_markdown_text_escapes_what_github_would_read(text: str, escaped: str) -> None:
    assert markdown_text(text) == escaped


@pytest.mark.parametrize(("path", "span"), [
    ("policies/privacy/", "`policies/privacy/`"),
    ("policies/a`b.md", "``policies/a`b.md``"),
    ("`x``", "``` `x`` ```"),
    ("policies/a\nb.md", "`policies/a b.md`"),
])
def test_markdown_code_cannot_be_closed_by_the_text(path: str, span: str) -> None:
    assert markdown_code(path) == span


def test_long_repository_text_is_cut() -> None:
    assert markdown_text("word " * 1_000, 20) == "word word word word…"


def test_preview_as_a_script_with_a_missing_base(site: GitRepo) -> None:
    result = run_script("preview", "--base", "no-such-branch", cwd=site.path)
    assert result.code == 2
    assert "Traceback" not in result.output
    assert "the base revision 'no-such-branch' does not exist" in result.err


@pytest.mark.parametrize("option", ["--html", "--markdown"])
def test_an_output_file_in_a_missing_folder_is_explained(site: GitRepo, option: str) -> None:
    """Said before any work, with the file and the fix; nothing is written or created."""
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    result = run_script("preview", "--base", "main", option, "out/redline", cwd=site.path)
    assert result.code == 2
    assert "Traceback" not in result.output and "Errno" not in result.output
    assert result.err == (f"error: out/redline: the folder 'out/' does not exist — create it "
                          f"(mkdir -p out) or choose another path for {option}\n")
    assert result.out == "" and not (site.path / "out").exists()


@pytest.mark.parametrize(("path", "message"), [
    ("policies", "policies: 'policies' is a folder, not a file — name a file for --html, "
                 "e.g. 'policies/redline.html'"),
    ("policies/terms.md/r.html", "policies/terms.md/r.html: 'policies/terms.md' is a file, "
                                 "not a folder — choose another path for --html"),
])
def test_an_output_path_that_is_not_a_file_is_explained(site: GitRepo, path: str,
                                                        message: str) -> None:
    result = run_script("preview", "--base", "main", "--html", path, cwd=site.path)
    assert result.code == 2
    assert result.err == f"error: {message}\n"


def test_without_the_redline_engine_a_line_diff_stands_in(site: GitRepo, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import policy_history.editors.preview

    monkeypatch.setattr(policy_history.editors.preview, "_redline", None)
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    result = preview(site, "--base", "main", "--html", str(tmp_path / "r.html"))
    assert result.code == 0, result.output
    assert "```diff\n" in result.out
    assert "-We use cookies for 30 days.\n+We use cookies for 90 days." in result.out
    assert "+We use cookies for 90 days." in (tmp_path / "r.html").read_text("utf-8")
