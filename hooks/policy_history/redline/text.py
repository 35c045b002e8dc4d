"""Reading text back out of redline HTML, and marking a whole block as inserted or deleted.

:func:`extract_text` is how tests (and anyone checking a redline) verify it: drop the
``<ins>`` elements and the text is the old document's; drop the ``<del>`` elements and it
is the new one's. Screen-reader labels (``.redline-sr``) and notes (``.redline-note``, e.g.
"moved to …" links) are never part of the document's text.
"""

from __future__ import annotations

from html.parser import HTMLParser

from policy_history.redline.markup import SR_TEXT, Mark, sr
from policy_history.redline.tokens import NO_TEXT, RAW_TEXT, STRUCTURAL, TAG_RE, tag_name


def _words(text: str) -> list[str]:
    return text.split()


#: Elements whose edges separate words (everything else is inline).
BREAKS = frozenset(
    _words(
        "address article aside blockquote body br caption dd details div dl dt figcaption figure "
        "footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td "
        "tfoot th thead tr ul"
    )
)
VOID = frozenset(_words("area base br col embed hr img input link meta param source track wbr"))
HIDDEN_CLASSES = ("redline-sr", "redline-note")


class _TextParser(HTMLParser):
    def __init__(self, drop: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.drop = drop
        self.stack: list[tuple[str, bool]] = []
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BREAKS and not self.hidden:
            self.parts.append(" ")
        if tag in VOID:
            return
        classes = next((value or "" for name, value in attrs if name == "class"), "").split()
        hide = tag == self.drop or any(c in classes for c in HIDDEN_CLASSES)
        self.stack.append((tag, hide))
        self.hidden += hide

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BREAKS and not self.hidden:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BREAKS and not self.hidden:
            self.parts.append(" ")
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                self.hidden -= sum(hide for _, hide in self.stack[depth:])
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden and self.stack_allows():
            self.parts.append(data)

    def stack_allows(self) -> bool:
        return not any(tag in RAW_TEXT for tag, _ in self.stack)


def extract_text(html: str, *, drop: str | None = None) -> str:
    """The text of ``html`` with whitespace collapsed; ``drop="ins"`` (or ``"del"``) leaves
    out those elements. Screen-reader labels and redline notes are always left out."""
    parser = _TextParser(drop)
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def mark_all(html: str, mark: Mark, announce: str) -> str:
    """Mark every text run of a block (a whole-block insertion or deletion).

    Each run is wrapped inside its innermost element, so lists and tables stay valid; the
    screen-reader label opens in the first run and closes in the last.
    """
    pieces: list[tuple[bool, str]] = []  # (is text to mark, html)
    pos, raw_until = 0, ""
    parents: list[str] = []  # open block-level elements

    def add_text(text: str) -> None:
        if text:
            stray = bool(parents) and parents[-1] in NO_TEXT
            pieces.append((not raw_until and not stray and not text.isspace(), text))

    for match in TAG_RE.finditer(html):
        add_text(html[pos : match.start()])
        tag = match.group()
        name = tag_name(tag)
        if raw_until and tag.startswith("</") and name == raw_until:
            raw_until = ""
        elif name in RAW_TEXT and not tag.startswith("</"):
            raw_until = name
        if name in STRUCTURAL and name not in VOID and not tag.endswith("/>"):
            if not tag.startswith("</"):
                parents.append(name)
            elif name in parents:
                del parents[len(parents) - 1 - parents[::-1].index(name) :]
        pieces.append((False, tag))
        pos = match.end()
    add_text(html[pos:])
    marked = [n for n, (is_text, _) in enumerate(pieces) if is_text]
    if not marked:
        return html
    first, last = marked[0], marked[-1]
    out = []
    opening = f'<{mark.tag} class="{mark.cls}">'
    closing = f"</{mark.tag}>"
    for n, (is_text, piece) in enumerate(pieces):
        if not is_text:
            out.append(piece)
            continue
        label = sr(announce) if n == first else ""
        end = sr("]") if n == last else ""
        out.append(f"{opening}{label}{piece}{end}{closing}")
    return "".join(out)


__all__ = ["SR_TEXT", "extract_text", "mark_all"]
