"""Policy text rendered for archived and redline pages, outside MkDocs' page pipeline.

Those pages live deeper than the policy's own page (``<slug>/versions/<id>/``), but their
text was written next to the policy's source, so its relative links must be resolved from
the policy's page, as MkDocs does for the current text. Rendering here also means each
distinct section is rendered once for all the versions that share it.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from policykit import markdown_chunks
from policykit.markdown_chunks import Chunker, join
from policykit.site.workers import forked_pool

#: links that may need resolving: not absolute (a scheme, "/") and not only a fragment;
#: the rest are skipped by the regex engine, not by a Python call each. The pattern starts
#: with the literal '="' so the engine can scan for it fast (an alternation first was 18x
#: slower on a 300 KB redline page); the attribute's name is then checked behind it.
_RELATIVE_LINK = re.compile(
    r"""(="(?:(?<=\Whref=")|(?<=\Wsrc=")))(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"]*)(")""")

#: the renderer of forked worker processes (set just before they are forked)
_FORKED: PolicyRenderer | None = None


def _render_batch(pieces: list[str]) -> list[str]:
    assert _FORKED is not None
    return [_FORKED.render_piece(piece) for piece in pieces]


def _visible_batch(texts: list[str]) -> list[str]:
    assert _FORKED is not None
    return [_FORKED.visible(text) for text in texts]


class PolicyRenderer:
    """Markdown → HTML with the site's extensions; links fixed up for the page shown on.

    Texts are rendered by pieces (policykit.markdown_chunks) when the site's extensions
    allow it: a paragraph shared by many versions' sections is rendered once."""

    def __init__(self, render: Callable[[str], str], files: Files | None = None, *,
                 visible: Callable[[str], str] = lambda html: html,
                 chunker: Chunker | None = None) -> None:
        """``visible``: a rendered text's words (for the manifest's text hashes);
        ``chunker``: how texts may be cut (None: each rendered whole)."""
        self._render = render
        #: the site's files, to resolve links against (set once MkDocs has gathered them)
        self.files = files
        self._visible = visible
        self._chunker = chunker
        self._cache: dict[str, str] = {}
        self._pieces: dict[str, str] = {}
        self._visible_cache: dict[str, str] = {}

    def markdown_many(self, texts: list[str], workers: int = 1) -> list[str]:
        """HTML of each of ``texts``, rendered in ``workers`` processes when there are
        many (forked: they share this renderer); each remembered, as ``markdown`` does."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        cut = {text: self.pieces(text) for text in missing}
        pieces = [piece for piece in dict.fromkeys(
            piece for parts in cut.values() for piece in parts) if piece not in self._pieces]
        global _FORKED
        _FORKED = self
        try:
            # each distinct piece once, then the words of each text (from its joined HTML)
            for piece, html in zip(pieces, self._map(_render_batch, pieces, workers),
                                   strict=True):
                self._pieces[piece] = html
            for text, parts in cut.items():
                self._cache[text] = join(self._pieces[piece] for piece in parts)
            for text, words in zip(missing, self._map(_visible_batch, missing, workers),
                                   strict=True):
                self._visible_cache[text] = words
        finally:
            _FORKED = None
        return [self._cache[text] for text in texts]

    @staticmethod
    def _map(work: Callable[[list[str]], list[str]], items: list[str], workers: int
             ) -> list[str]:
        """``work`` over ``items`` in batches, on forked workers when there are many."""
        batches = [items[i:i + 32] for i in range(0, len(items), 32)]
        pool = forked_pool(workers) if len(items) >= 64 else None
        if pool is None:
            return [result for batch in batches for result in work(batch)]
        with pool:
            return [result for done in pool.map(work, batches) for result in done]

    def visible(self, text: str) -> str:
        """The words ``text`` renders to (``visible`` of its HTML); each worked out once.
        Resolving links does not change them: only addresses change."""
        words = self._visible_cache.get(text)
        if words is None:
            words = self._visible_cache[text] = self._visible(self.markdown(text))
        return words

    def pieces(self, text: str) -> list[str]:
        """The pieces ``text`` is rendered by (itself alone if it may not be cut)."""
        return markdown_chunks.pieces(text, self._chunker)

    def render_piece(self, piece: str) -> str:
        html = self._pieces.get(piece)
        if html is None:
            html = self._pieces[piece] = self._render(piece)
        return html

    def markdown(self, text: str) -> str:
        """HTML of ``text`` as written (links not yet resolved); each text rendered once,
        by its pieces."""
        html = self._cache.get(text)
        if html is None:
            html = self._cache[text] = markdown_chunks.render_by_pieces(
                text, self._chunker, self.render_piece)
        return html

    def links(self, html: str, *, written_at: str, shown_at: str) -> str:
        """Resolve relative links written in the page ``written_at`` (a src_uri), for a page
        whose URL is ``shown_at``. Links to other pages and files become relative URLs."""

        files = self.files
        assert files is not None, "links are resolved once the site's files are known"

        def fix(match: re.Match[str]) -> str:
            url = html_lib.unescape(match.group(2))
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
                return match.group(0)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(written_at),
                                                       parts.path))
            found = files.get_file_from_path(target)
            if found is None:
                if target.endswith("/index.md") or not target.endswith(".md"):
                    return match.group(0)
                found = files.get_file_from_path(target[:-3] + "/index.md")
                if found is None:
                    return match.group(0)
            new = get_relative_url(found.url or ".", shown_at)
            if parts.fragment:
                new += "#" + parts.fragment
            return match.group(1) + html_lib.escape(new, quote=True) + match.group(3)

        return _RELATIVE_LINK.sub(fix, html)
