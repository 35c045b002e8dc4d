"""Python-Markdown's inline pass, without trying patterns that cannot match.

For every piece of text in a document, Python-Markdown runs each inline pattern over it in
turn (code spans, escapes, links, images, autolinks, line breaks, raw HTML, entities,
emphasis), a Python call and a regex scan each, even when the text holds none of the
characters the pattern starts with. Most of a policy's text is plain words, so over a long
history that is a fifth of all rendering time. ``install`` teaches a converter's inline
processor to skip a built-in pattern when none of what it needs is in the text.

Python-Markdown 3.11 finds where each link's brackets close with a loop over every
character of the text, again after each link it makes. ``BracketEnds`` gives the same
answers from the brackets alone, found by a regex. It reads each link's target with a loop
over its characters too (a policy's links are often long tracking URLs); a target with no
bracket or quote in it (no title) is read by a regex, to the same result.

Skipping is what trying would do, to the byte: a pattern's regex must match before it can
make anything, and a text without the characters the regex requires cannot match it; such
a pattern is passed over exactly as one that found nothing (the next pattern starts at the
text's start). Patterns not built into Python-Markdown, or built-in classes used with a
regex this table does not know, are always tried. Tests render the corpora both ways.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from markdown import Markdown, inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

#: the regexes of Python-Markdown's own patterns, each with what a text must contain (any
#: one of them) for it to match; ``getattr``: some exist only in some versions. (The
#: reference patterns use the link and image regexes: REFERENCE_RE is LINK_RE.)
_NEEDS: dict[str, tuple[str, ...]] = {
    regex: needs
    for name, needs in [
        ("BACKTICK_RE", ("`",)),
        ("ESCAPE_RE", ("\\",)),
        ("LINK_RE", ("[",)),
        ("IMAGE_LINK_RE", ("![",)),
        ("AUTOLINK_RE", ("<",)),
        ("AUTOMAIL_RE", ("<",)),
        ("HTML_RE", ("<",)),
        ("ENTITY_RE", ("&",)),
        ("LINE_BREAK_RE", ("  \n",)),
        ("NOT_STRONG_RE", ("*", "_")),
    ]
    if isinstance(regex := getattr(inlinepatterns, name, None), str)
}
# the emphasis processors of Python-Markdown before 3.11 (one delimiter each)
_NEEDS.setdefault(r"\*", ("*",))
_NEEDS.setdefault("_", ("_",))


def needs_of(pattern: Any) -> tuple[str, ...] | None:
    """What a text must contain for ``pattern`` to match it (None: try it always)."""
    if type(pattern).__module__ != inlinepatterns.__name__:
        return None  # an extension's own pattern: its regex may be anything
    delimiters = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiters is not None and isinstance(pattern, delimiters):
        tokens = tuple(pattern.tokens)  # its regex is these, each escaped, any of them
        return tokens if tokens and all(tokens) else None
    regex = getattr(pattern, "pattern", None)
    return _NEEDS.get(regex) if isinstance(regex, str) else None


_BRACKET = re.compile(r"[\[\]]")
#: Python-Markdown's own bracket scan (3.11 and later), which ``BracketEnds`` stands in
#: for, and the getText that calls it
_FIND_BRACKET_ENDS = getattr(inlinepatterns.LinkInlineProcessor, "_findBracketEnds", None)
_GET_TEXT = inlinepatterns.LinkInlineProcessor.getText


class BracketEnds:
    """``LinkInlineProcessor._findBracketEnds(data)``, answer for answer: for each index of
    ``data``, the index just past the ``]`` that closes a bracket opened before it, or None.

    The depth of brackets only changes after a bracket, so every index between two
    brackets has the same answer: it is worked out once per such stretch, over the
    brackets' positions only."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, data: str) -> None:
        brackets = [(m.start(), m.group()) for m in _BRACKET.finditer(data)]
        #: where each stretch of equal depth starts: the text's start, and past each bracket
        self._starts = [0, *(at + 1 for at, _ in brackets)]
        self._ends: list[int | None] = [None] * len(self._starts)
        waiting: list[tuple[int, int]] = []  # (stretch, its depth), depths rising
        depth = 0
        for stretch, start in enumerate(self._starts):
            while waiting and depth < waiting[-1][1]:
                self._ends[waiting.pop()[0]] = start
            waiting.append((stretch, depth))
            if stretch < len(brackets):
                depth += 1 if brackets[stretch][1] == "[" else -1

    def __getitem__(self, index: int) -> int | None:
        return self._ends[bisect_right(self._starts, index) - 1]


def _quicken_links(pattern: Any) -> None:
    """Give Python-Markdown's own link patterns ``BracketEnds`` (the getText of 3.11 and
    later calls ``self._findBracketEnds``) and ``QuickTarget``; any other pattern is left
    as it is."""
    if type(pattern).__module__ != inlinepatterns.__name__:
        return
    if (_FIND_BRACKET_ENDS is not None
            and getattr(type(pattern), "_findBracketEnds", None) is _FIND_BRACKET_ENDS
            and getattr(type(pattern), "getText", None) is _GET_TEXT):
        pattern._findBracketEnds = BracketEnds
    if (_RE_LINK is not None and getattr(type(pattern), "getLink", None) is _GET_LINK
            and getattr(pattern, "RE_LINK", None) is _RE_LINK
            and not isinstance(vars(pattern).get("getLink"), QuickTarget)):
        pattern.getLink = QuickTarget(pattern)


_GET_LINK = inlinepatterns.LinkInlineProcessor.getLink
#: the regex Python-Markdown's getLink starts with: ``(``, and a target in ``<>`` (group 1)
_RE_LINK = getattr(inlinepatterns.LinkInlineProcessor, "RE_LINK", None)
#: a target with nothing Python-Markdown's loop would weigh (nested brackets, a title's
#: quotes), up to the ``)`` that ends it
_PLAIN_TARGET = re.compile(r"[^()'\"]*\)")


class QuickTarget:
    """``LinkInlineProcessor.getLink``, answer for answer. Where the target holds no
    bracket and no quote, the loop only moves on to the first ``)``, which ends the link:
    its target is everything before it, unescaped and stripped, and there is no title.
    Anything else is read by Python-Markdown's own loop."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: Any) -> None:
        self._pattern = pattern

    def __call__(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        pattern = self._pattern
        match = pattern.RE_LINK.match(data, pos=index)
        if match is not None and not match.group(1):
            start = match.end()
            plain = _PLAIN_TARGET.match(data, start)
            if plain is not None:
                end = plain.end()
                return pattern.unescape(data[start:end - 1]).strip(), None, end, True
        result: tuple[str, str | None, int, bool] = _GET_LINK(pattern, data, index)
        return result


class QuickInlineProcessor(InlineProcessor):
    """``InlineProcessor`` whose per-text loop passes over the patterns that cannot match.

    The loop below is Python-Markdown's own ``__handleInline`` plus the skip; it overrides
    that private method by its mangled name (``install`` checks both names exist)."""

    _needs: list[tuple[str, ...] | None]

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # Worked out per document: an extension may change the patterns between runs.
        self._needs = [needs_of(pattern) for pattern in self.inlinePatterns]
        for pattern in self.inlinePatterns:
            _quicken_links(pattern)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, util.AtomicString):
            start = 0
            patterns, needs = self.inlinePatterns, self._needs
            count = len(patterns)
            apply = self._InlineProcessor__applyPattern
            while patternIndex < count:
                need = needs[patternIndex]
                if need is not None:
                    for part in need:
                        if part in data:
                            break
                    else:  # as if tried and not found: the next pattern starts at 0
                        patternIndex += 1
                        start = 0
                        continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
        return data


def install(md: Markdown) -> bool:
    """Make ``md``'s inline pass skip patterns that cannot match; False (``md`` left as it
    is) if its inline processor is not Python-Markdown's own or the internals moved."""
    if "inline" not in md.treeprocessors:  # a Registry: no get()
        return False
    processor = md.treeprocessors["inline"]
    if type(processor) is not InlineProcessor or not all(
        hasattr(InlineProcessor, name)
        for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")
    ):
        return False
    # The same object, given the subclass's behaviour: its place among the tree
    # processors, and any state extensions gave it, stay as they are.
    processor.__class__ = QuickInlineProcessor
    return True


class QuickInline(Extension):
    """The same, as a Markdown extension: MkDocs renders the site's pages with it."""

    def extendMarkdown(self, md: Markdown) -> None:
        install(md)


def without_quick_inline(extensions: list[Any]) -> list[Any]:
    """The site's own extensions (what its rendered text depends on)."""
    return [extension for extension in extensions if not isinstance(extension, QuickInline)]
