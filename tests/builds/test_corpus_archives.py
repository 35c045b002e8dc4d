"""Every archived version of a real repository says exactly what its commit said."""

from __future__ import annotations

import contextlib
import html as html_lib
import re
import subprocess
from pathlib import Path

import jinja2
import markdown
import pytest

from policy_history.model.metadata import split_front_matter
from tests.support import CORPUS_VARIABLES, build, page_text, write_config

pytestmark = pytest.mark.corpus


def committed_text(clone: Path, sha: str, path: str) -> str:
    """The policy's words at ``sha``, rendered here without the project's pipeline."""
    source = subprocess.run(["git", "show", f"{sha}:{path}"], cwd=clone,
                            capture_output=True, check=True).stdout.decode("utf-8")
    body = split_front_matter(source)[1]
    with contextlib.suppress(jinja2.TemplateError):  # kept as written, as the site does
        body = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(body).render(
            CORPUS_VARIABLES)
    html = markdown.markdown(body, extensions=["toc", "attr_list", "tables"])
    return page_text(html)


def archived_text(page: str) -> str:
    text = page[page.index('<div class="policy-text">'):page.index("</article>")]
    text = re.sub(r'<p class="policy-section__changed">.*?</p>', " ", text, flags=re.S)
    return page_text(text)


def test_each_archived_version_matches_its_commit(corpus, tmp_path: Path) -> None:
    clone = corpus("basecamp-policies")
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False))
    checked = 0
    for history in sorted(site.glob("**/history/index.html")):
        slug = history.parent.parent.relative_to(site).as_posix()
        ids = re.findall(r'id="v-([\w-]+)"', history.read_text("utf-8"))
        assert ids, slug
        for version_id in ids:
            page = (history.parent.parent / "versions" / version_id / "index.html").read_text(
                "utf-8")
            # the page names its commit and source file; a wrong one would not match
            sha = re.search(r'data-commit="([0-9a-f]{40})"', page).group(1)
            source = html_lib.unescape(re.search(r'data-source="([^"]+)"', page).group(1))
            assert archived_text(page) == committed_text(clone, sha, source), (slug, version_id)
            checked += 1
    assert checked > 150  # basecamp: 191 versions (changes of words) across 26 policies


def test_legalmattic_builds_history_for_every_document(corpus, tmp_path: Path) -> None:
    clone = corpus("legalmattic")
    site = build(write_config(tmp_path, policies_dir=str(clone), home=False))
    at_tip = [path for path in subprocess.run(
        ["git", "ls-files"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.splitlines() if path.endswith(".md")]
    # every document at the tip, and the withdrawn translations its English terms list
    # (which ones: test_legalmattic_translations)
    history = (site / "terms-of-service/wordpress-com/en-terms-of-service/history"
               / "index.html").read_text("utf-8")
    listed = re.search(r'<section class="policy-translations".*?</section>', history, re.S)
    translations = listed.group(0).count("<li>") if listed else 0
    assert len(at_tip) == 10 and translations > 13
    histories = list(site.glob("**/history/index.html"))
    assert len(histories) == len(at_tip) + translations
    versions = list(site.glob("**/versions/*/index.html"))
    assert len(versions) > 150  # 200 versions (changes of words) across 10 documents
