"""A long replay from scratch renders its sections in batches first, each as the dry
replay finds them (on several cores in a real build): the history must come out exactly
as when each is rendered on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from policy_history.loader import PRERENDER_BATCHES, PRERENDER_FROM, load_history
from policy_history.model.fingerprints import section_print, visible_parts
from tests.redline.redline_helpers import make_render

AS_OF = dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)


def shape(loaded: object) -> list[tuple[str, int, str, str, str | None, tuple[object, ...]]]:
    site = loaded.site  # type: ignore[attr-defined]
    return [(slug, r.number, r.commit.sha, r.kind, r.version_id, r.fingerprint)
            for slug, history in site.policies.items() for r in history.revisions]


def test_sections_rendered_in_batches_give_the_same_history(
        corpus: Callable[[str], Path], tmp_path: Path) -> None:
    repo = corpus("legalmattic")
    render = make_render()  # the site's Markdown extensions
    batches: list[list[str]] = []

    def prerender(groups: Iterator[dict[str, list[str]]]) -> dict[str, str]:
        for group in groups:
            batches.append([text for texts in group.values() for text in texts])
        return {text: section_print([visible_parts(render(text))]) for texts in batches
                for text in texts}

    batched = load_history(repo, render=render, as_of=AS_OF, cache_dir=tmp_path / "a",
                           prerender=prerender)
    # the replay had 300 commits to go: slices of 64, each a batch of the sections it
    # found first
    assert len(batches) == min(PRERENDER_BATCHES, -(-300 // PRERENDER_FROM))
    assert all(batches) and sum(map(len, batches)) > 100
    texts = [text for batch in batches for text in batch]
    assert len(texts) == len(set(texts)), "a section is handed over once"
    assert sum(len(h.revisions) for h in batched.site.policies.values()) >= PRERENDER_FROM / 2
    count = len(batches)
    one_by_one = load_history(repo, render=render, as_of=AS_OF, cache_dir=tmp_path / "b")
    assert shape(batched) == shape(one_by_one)
    again = load_history(repo, render=render, as_of=AS_OF, cache_dir=tmp_path / "a",
                         prerender=prerender)  # the saved replay: nothing to render
    assert len(batches) == count and shape(again) == shape(batched)
