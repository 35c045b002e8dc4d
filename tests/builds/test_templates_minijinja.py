"""Our partials render the same HTML under MiniJinja as under Jinja.

Zensical, Material's successor, renders templates with MiniJinja, a Rust engine that
follows Jinja's syntax. Policy History's markup is in ``policy_history/theme/partials``;
this renders each partial of every kind of page of the sample again with MiniJinja, from
the same page data (tests/builds/minijinja_templates_hook.py), and compares the two as
parsed HTML: MiniJinja's ``| e`` also escapes ``/``, which changes bytes, not the page.
``main.html`` is left out: it extends Material's ``base.html``, which is Material's to port.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import html5lib
import pytest

from tests.builds.test_templates_strict import rendered_again

MINIJINJA_HOOK = Path(__file__).resolve().parent / "minijinja_templates_hook.py"


def as_html(markup: str) -> str:
    """``markup`` parsed and written back: the same for the same document."""
    fragment = html5lib.parseFragment(markup, namespaceHTMLElements=False)
    text = html5lib.serialize(fragment, tree="etree", quote_attr_values="always",
                              minimize_boolean_attributes=False, omit_optional_tags=False)
    return re.sub(r"\s+", " ", text).strip()


def test_every_partial_renders_the_same_under_minijinja(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("minijinja", reason="installed by the test extras")
    rendered = rendered_again(MINIJINJA_HOOK, "MINIJINJA_REPORT", tmp_path, monkeypatch,
                              stamp=False)
    kinds = Counter(entry["page"] for entry in rendered)
    assert {"current", "history", "version", "compare", None} <= set(kinds), kinds
    for entry in rendered:
        assert "<" in entry["jinja"] or entry["template"].endswith("feed-links.html"), entry
        assert as_html(entry["minijinja"]) == as_html(entry["jinja"]), (
            entry["src_uri"], entry["template"])
