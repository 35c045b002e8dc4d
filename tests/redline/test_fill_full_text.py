"""fill_full_text: the folds' links and the links to places a fold took away, sent to the
full version; checked against the plain statement of the rule (a link ``href="#x"`` after
a space goes to the full version unless an ``id="x"`` after a space is on the page)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_history.redline.views import FULL_TEXT, fill_full_text

URL = "../../versions/2024-01-01/"


def _expected(html: str) -> str:
    ids = set(re.findall(r'\sid="([^"]*)"', html))
    relinked = re.sub(r'(\shref=")#([^"]*)"',
                      lambda m: m.group(0) if m.group(2) in ids
                      else f'{m.group(1)}{FULL_TEXT}#{m.group(2)}"', html)
    return relinked.replace(FULL_TEXT, URL)


def test_links_to_kept_and_folded_places() -> None:
    html = (f'<p id="kept">a <a href="#kept">here</a> <a href="#gone">there</a></p>'
            f'<div class="redline-fold"><a href="{FULL_TEXT}#section-a">2 unchanged</a></div>')
    assert fill_full_text(html, URL) == (
        f'<p id="kept">a <a href="#kept">here</a> <a href="{URL}#gone">there</a></p>'
        f'<div class="redline-fold"><a href="{URL}#section-a">2 unchanged</a></div>')


#: markup made of the pieces that matter: ids and fragment links, after a space or not,
#: quotes, spaces of every kind, and text around them
PARTS = st.lists(st.sampled_from([
    ' id="a"', 'id="a"', ' id="b"', '\nid="c"', ' href="#a"', ' href="#b"', 'href="#c"',
    '\thref="#d"', ' href="#"', '"', " ", "\u00a0", "x", "<p", ">", "</p>", ' id="',
    ' href="#', FULL_TEXT]), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(PARTS)
def test_the_same_as_the_rule(html: str) -> None:
    assert fill_full_text(html, URL) == _expected(html)
