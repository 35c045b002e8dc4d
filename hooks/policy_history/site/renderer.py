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
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

import markdown
from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from policy_history.manifest import joined_visible_text as manifest_joined
from policy_history.model import fingerprints
from policy_history.rendering import chunks as markdown_chunks
from policy_history.rendering import quick_inline
from policy_history.rendering import sanitise as safe_html
from policy_history.rendering.chunks import Chunker, join, joined
from policy_history.site.workers import forked_processes

#: links that may need resolving: not absolute (a scheme, "/") and not only a fragment;
#: the rest are skipped by the regex engine, not by a Python call each. The pattern starts
#: with the literal '="' so the engine can scan for it fast (an alternation first was 18x
#: slower on a 300 KB redline page); the attribute's name is then checked behind it.
_RELATIVE_LINK = re.compile(
    r"""(="(?:(?<=\Whref=")|(?<=\Wsrc=")))(?![a-zA-Z][a-zA-Z0-9+.-]*:|//|#)([^"]*)(")""")
#: a link from the policies folder's root to a Markdown file (``/abuse/index.md``), as
#: GitHub reads it in a repository of policies
_ROOT_MARKDOWN_LINK = re.compile(
    r"""(="(?:(?<=\Whref=")|(?<=\Wsrc=")))(/(?!/)[^"#?]*\.(?:md|markdown)(?:[#?][^"]*)?)(")""")

#: the renderer of forked worker processes (set just before they are forked)
_FORKED: list[PolicyRenderer] = []

#: What a worker hands back for the texts it rendered: each distinct piece it rendered,
#: with its HTML, its words for the manifest and for fingerprints; and for each text, the
#: pieces it is made of (by number) and its fingerprint digest.
Rendered = tuple[list[tuple[str, str, str]], list[tuple[str, tuple[int, ...], str]]]


class MarkdownRenderer:
    """Markdown → HTML as the site renders it: its extensions (without the one the hook
    adds for MkDocs), the quick inline pass, sanitised (policy_history.rendering.sanitise)."""

    def __init__(self, extensions: Sequence[Any], configs: Mapping[str, Any] | None) -> None:
        self._converter = markdown.Markdown(
            extensions=quick_inline.without_quick_inline(list(extensions)),
            extension_configs=dict(configs or {}))
        quick_inline.install(self._converter)  # the same HTML, a fifth faster

    def _convert(self, text: str) -> str:
        self._converter.reset()
        return self._converter.convert(text)

    def __call__(self, text: str) -> str:
        return safe_html.sanitise(self._convert(text))

    def many(self, texts: Sequence[str], chunker: Chunker) -> list[str]:
        """``[self(text) for text in texts]``, for pieces ``chunker`` cut, in fewer calls
        (``markdown_chunks.render_together``)."""
        return [safe_html.sanitise(html) for html in
                markdown_chunks.render_together(texts, chunker, self._convert)]


def markdown_renderer(extensions: Sequence[Any], configs: Mapping[str, Any] | None
                      ) -> MarkdownRenderer:
    return MarkdownRenderer(extensions, configs)


def _render_share(texts: list[str]) -> Rendered:
    return _FORKED[0].render_texts(texts)


class PolicyRenderer:
    """Markdown → HTML with the site's extensions; links fixed up for the page shown on.

    Texts are rendered by pieces (policy_history.rendering.chunks) when the site's extensions
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

    @property
    def keeps_to_blocks(self) -> bool:
        """Whether the site's extensions keep to their own block (``markdown_chunks``):
        texts are cut into pieces, and redlines render list items together."""
        return self._chunker is not None

    def prerender(self, batches: Iterable[Mapping[str, Sequence[str]]], workers: int = 1
                  ) -> dict[str, str]:
        """Render the texts of each of ``batches`` (policy → its sections' Markdown) on
        ``workers`` processes, each distinct piece once: their HTML and words are
        remembered (as ``markdown`` and ``visible`` would), and what the fingerprints keep
        of each text (``fingerprints.section_print`` of its HTML) returned.

        A batch goes to the workers as soon as it comes, while the caller makes the next
        (the loader's dry replay, on its own core). A policy's texts always go to the same
        process, which renders the pieces its versions share once; a policy new to the
        workers goes to the one with the fewest bytes to render so far."""
        pools: list[ProcessPoolExecutor] | None = None
        loads: list[int] = []
        owners: dict[str, int] = {}
        futures: list[Future[Rendered]] = []
        digests: dict[str, str] = {}
        _FORKED[:] = [self]
        try:
            for groups in batches:
                todo = {slug: [text for text in dict.fromkeys(texts) if text not in self._cache]
                        for slug, texts in groups.items()}
                todo = {slug: texts for slug, texts in todo.items() if texts}
                if todo and pools is None:
                    pools = forked_processes(workers)
                    loads = [0] * len(pools)
                if not pools:
                    self._remember(self.render_texts(
                        [text for texts in todo.values() for text in texts]), digests)
                    continue
                sizes = {slug: sum(map(len, texts)) for slug, texts in todo.items()}
                # the longest first: placed while the loads are still even
                for slug in sorted(todo, key=lambda slug: -sizes[slug]):
                    owner = owners.get(slug)
                    if owner is None:
                        owner = owners[slug] = loads.index(min(loads))
                    loads[owner] += sizes[slug]
                    futures.append(pools[owner].submit(_render_share, todo[slug]))
            for future in as_completed(futures):
                self._remember(future.result(), digests)
        finally:
            for pool in pools or ():
                pool.shutdown(wait=True, cancel_futures=True)
            _FORKED.clear()
        return digests

    def _remember(self, rendered: Rendered, digests: dict[str, str]) -> None:
        """Keep what a worker rendered (the same whichever worker, in whichever order)."""
        pieces, texts = rendered
        for piece, html, _ in pieces:
            self._pieces.setdefault(piece, html)
        for text, numbers, digest in texts:
            self._cache[text] = join(pieces[n][1] for n in numbers)
            self._visible_cache[text] = manifest_joined(pieces[n][2] for n in numbers)
            digests[text] = digest

    def render_texts(self, texts: Sequence[str]) -> Rendered:
        """Render ``texts`` by pieces, each distinct piece once (see ``prerender``). A
        text whose pieces' ids are renumbered once joined comes back as one piece of its
        own, its whole HTML."""
        numbered: dict[str, int] = {}
        cuts = [markdown_chunks.cut(text, self._chunker) for text in texts]
        for cut in cuts:
            for piece in cut.pieces:
                numbered.setdefault(piece, len(numbered))
        pieces: list[tuple[str, str, str]] = []
        parts: list[fingerprints.VisibleParts] = []
        for piece, html in zip(numbered, self.render_pieces(list(numbered)), strict=True):
            pieces.append((piece, html, self._visible(html)))
            parts.append(fingerprints.visible_parts(html))
        out: list[tuple[str, tuple[int, ...], str]] = []
        for text, cut in zip(texts, cuts, strict=True):
            numbers = [numbered[piece] for piece in cut.pieces]
            if cut.renumber:  # the permalinks' targets are renumbered too: digest anew
                html = joined(cut, (pieces[n][1] for n in numbers)) or self._render(text)
                words = manifest_joined(pieces[n][2] for n in numbers)
                printed = fingerprints.section_print([fingerprints.visible_parts(html)])
                numbers = [len(pieces)]
                pieces.append((text, html, words))
                parts.append(("", ()))  # no other text is made of it
            else:
                printed = fingerprints.section_print(parts[n] for n in numbers)
            out.append((text, tuple(numbers), printed))
        return pieces, out

    def render_pieces(self, pieces: list[str]) -> list[str]:
        """The HTML of each of ``pieces`` (remembered, as ``render_piece``), those not
        rendered yet many to a Markdown call where the renderer can."""
        self._render_new(pieces)
        return [self.render_piece(piece) for piece in pieces]

    def _render_new(self, pieces: Iterable[str]) -> None:
        """Remember the HTML of those of ``pieces`` not rendered yet, rendered many to a
        Markdown call if the renderer can (else ``render_piece`` renders each later)."""
        many = getattr(self._render, "many", None)
        if many is None or self._chunker is None:
            return
        todo = [piece for piece in dict.fromkeys(pieces) if piece not in self._pieces]
        if len(todo) > 1:
            self._pieces.update(zip(todo, many(todo, self._chunker), strict=True))

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

    def render_ahead(self, texts: Iterable[str]) -> None:
        """Render ahead the pieces of ``texts`` not rendered yet, many to a Markdown call
        where the renderer can (``markdown`` then finds them): a redline's blocks that
        the history's texts did not hold."""
        self._render_new(piece for text in texts if text not in self._cache
                         for piece in markdown_chunks.cut(text, self._chunker).pieces)

    def rendered(self, text: str) -> str | None:
        """What ``markdown`` gives for ``text`` if it was rendered already, as a text or as
        a piece of one (a piece renders alone as it does in its text); None: nothing is
        rendered here."""
        html = self._cache.get(text)
        return html if html is not None else self._pieces.get(text)

    def __call__(self, text: str) -> str:
        return self.markdown(text)

    def markdown(self, text: str) -> str:
        """HTML of ``text`` as written (links not yet resolved); each text rendered once,
        by its pieces."""
        html = self._cache.get(text)
        if html is None:
            html = self._cache[text] = markdown_chunks.render_by_pieces(
                text, self._chunker, self.render_piece)
        return html

    def links(self, html: str, *, written_at: str, shown_at: str,
              root_only: bool = False) -> str:
        """Resolve relative links written in the page ``written_at`` (a src_uri), for a page
        whose URL is ``shown_at``. Links to other pages and files become relative URLs; so
        do links to a Markdown file from the policies folder's root (``/terms.md``).
        ``root_only``: only those (MkDocs resolved the others already)."""

        files = self.files
        assert files is not None, "links are resolved once the site's files are known"

        def fix(match: re.Match[str]) -> str:
            url = html_lib.unescape(match.group(2))
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                return match.group(0)
            if url.startswith("/"):
                if not parts.path.endswith((".md", ".markdown")):
                    return match.group(0)  # an address of the site's host, as written
                target = posixpath.normpath(parts.path.lstrip("/"))
            else:
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

        if root_only:
            return _ROOT_MARKDOWN_LINK.sub(fix, html) if '="/' in html else html
        return _RELATIVE_LINK.sub(fix, html)
