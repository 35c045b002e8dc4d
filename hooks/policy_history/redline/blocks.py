"""Split a Markdown document into blocks the way Python-Markdown reads it.

Blocks are headings (ATX and Setext), paragraphs, list items (one block per item, nested
items included, each with its depth), table rows (the header row too), blockquotes, fenced
and indented code, raw HTML blocks and rules. Reference-link definitions are not blocks:
they are appended to the source of every block that uses them, so ``[x][1]`` still
resolves when the block is rendered on its own, and they are part of the block's key, so a
changed link target is a change.

Each block gets a *key*: its text with whitespace collapsed and list markers removed, so
that whitespace-only and list-marker-only edits (``*`` → ``-``, ``1. `` → ``1.  ``,
renumbered items) compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_RE = re.compile(r"^(#{1,6})(.*?)#*[ \t]*$")
SETEXT_RE = re.compile(r"^[=-]+ *$")
HR_RE = re.compile(r"^ {0,3}(?:(?:-+ {0,2}){3,}|(?:_+ {0,2}){3,}|(?:\*+ {0,2}){3,})$")
ITEM_RE = re.compile(r"^( {0,3})(\d+\.|[*+-])( +)(.*)$")
QUOTE_RE = re.compile(r"^ {0,3}> ?")
REFDEF_RE = re.compile(r"^ {0,3}\[([^\[\]^][^\[\]]*)\]:[ \t]*(\S.*)$")  # not footnotes
ADMONITION_RE = re.compile(r"^(!!!|\?\?\?\+?) ")
HTML_START_RE = re.compile(r"^ {0,3}<(!--|[A-Za-z][A-Za-z0-9]*)(?=[\s/>]|$)")
TABLE_SEP_CELL_RE = re.compile(r"^\s*:?-+:?\s*$")
HARD_BREAK_RE = re.compile(r" {2,}\n")
SPACE_RE = re.compile(r"\s+")
#: Every block marker above (fence, HTML, ATX heading, rule, list item, admonition, quote)
#: starts with one of these characters after at most three spaces. Most lines start with a
#: letter: this one test spares them the whole list of patterns.
MARKER_START_RE = re.compile(r" {0,3}[`~<#\-_*+>!?\d]")
#: What splitting a table row looks at: an escape (with the character it escapes), a
#: backtick (code spans keep their pipes) or a pipe.
ROW_SPECIAL_RE = re.compile(r"\\.|[`|]", re.S)
INLINE_MARKUP_RE = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|\{[#.:][^}]*\}|[*_`\[\]]")
#: a backslash escape Python-Markdown reads as the character alone ("1\\. Scope" shows "1. Scope")
ESCAPE_RE = re.compile(r"\\([\\`{}()>#+\-.!|])")


def _words(text: str) -> list[str]:
    return text.split()


# Python-Markdown's block-level tags: a line starting with one of these opens raw HTML.
BLOCK_TAGS = frozenset(
    _words(
        "address article aside blockquote details div dl fieldset figcaption figure footer form "
        "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul canvas "
        "colgroup dd body dt group html iframe li legend math map noscript output object option "
        "progress script style summary tbody td textarea tfoot th thead tr video"
    )
)
VOID_TAGS = frozenset({"hr", "br", "img", "input", "col", "embed", "source", "track", "wbr"})


def normalise(text: str) -> str:
    """Collapse whitespace; a hard line break (two trailing spaces) counts as ``<br>``."""
    if "  \n" in text:
        text = HARD_BREAK_RE.sub(" <br> ", text)
    # str.split() and the regex \s agree on what whitespace is; split/join is much faster.
    return " ".join(text.split())


def plain_title(text: str) -> str:
    """A heading's Markdown reduced to plain text for summaries."""
    return ESCAPE_RE.sub(r"\1", normalise(
        INLINE_MARKUP_RE.sub(lambda m: "]" if m.group().startswith("]") else "", text)
    ).replace("]", ""))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dedent(line: str, width: int) -> str:
    return line[min(width, _indent(line)) :]


def split_row(line: str) -> list[str]:
    """Cells of a pipe-table row (escaped pipes and pipes in code spans kept)."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    if "`" not in row and "\\" not in row:
        return row.split("|")
    # Only escapes, backticks and pipes matter: jump from one to the next (rows of policy
    # tables run to thousands of characters).
    cells, start, in_code = [], 0, False
    for match in ROW_SPECIAL_RE.finditer(row):
        char = match.group()
        if char == "`":
            in_code = not in_code
        elif char == "|" and not in_code:
            cells.append(row[start : match.start()])
            start = match.end()
    cells.append(row[start:])
    return cells


def _is_table(lines: list[str], i: int) -> bool:
    if i + 1 >= len(lines) or not lines[i + 1].strip() or "|" not in lines[i]:
        return False
    head = lines[i].strip()
    width = len(split_row(head))
    if width < 2 and not (head.startswith("|") or head.endswith("|")):
        return False
    sep = split_row(lines[i + 1])
    return len(sep) == width and all(TABLE_SEP_CELL_RE.match(cell) for cell in sep)


def _marked(line: str) -> bool:
    """Whether the line may start with a block marker (see MARKER_START_RE)."""
    return MARKER_START_RE.match(line) is not None


def _html_start(line: str) -> str:
    match = HTML_START_RE.match(line)
    if match is None:
        return ""
    tag = match.group(1).lower()
    return tag if tag == "!--" or tag in BLOCK_TAGS else ""


@dataclass
class _Raw:
    kind: str
    lines: list[str]
    line: int
    depth: int = 0
    list_type: str = ""
    level: int = 0
    title: str = ""
    body: str = ""  # text used for the key (list marker or table separator removed)
    header: list[str] = field(default_factory=list)  # table rows: the header + separator


class Splitter:
    def __init__(self, text: str) -> None:
        # each only where it changes something: expandtabs goes over the whole text even
        # without a tab, which was a fifth of parsing a long policy
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\t" in text:
            text = text.expandtabs(4)
        self.lines = ["" if not line.strip() else line for line in text.split("\n")]
        self.refdefs: dict[str, str] = {}
        self.raws: list[_Raw] = []
        #: Whether the last ``split(stop)`` ended exactly at line ``stop`` (see there).
        self.landed = True
        if "]:" in text:  # else there is no definition to look for
            self._strip_refdefs()

    @classmethod
    def of_lines(cls, lines: list[str]) -> Splitter:
        """A splitter over lines another one already prepared (normalised, definitions
        stripped): a piece of a document."""
        splitter = cls("")
        splitter.lines = lines
        return splitter

    def _strip_refdefs(self) -> None:
        fence = ""
        for n, line in enumerate(self.lines):
            match = FENCE_RE.match(line)
            if match and (not fence or match.group(1).startswith(fence)):
                fence = "" if fence else match.group(1)[0] * 3
                continue
            ref = REFDEF_RE.match(line)
            if ref and not fence and not ITEM_RE.match(line):
                self.refdefs.setdefault(ref.group(1).strip().lower(), line.strip())
                self.lines[n] = ""

    # ----------------------------------------------------------------------------------
    def split(self, stop: int | None = None) -> list[_Raw]:
        """The blocks of the lines (of ``lines[:stop]``: then ``landed`` tells whether the
        last block ended exactly at ``stop``, none reading on past it)."""
        lines, n, i = self.lines, len(self.lines), 0
        end = n if stop is None else stop
        in_list = False
        while i < end:
            line = lines[i]
            if not line:
                i += 1
                continue
            indent = _indent(line)
            if indent >= 4:
                if in_list:
                    i = self._list_continuation(i)
                    continue
                i = self._indented_code(i)
                continue
            in_list = False
            marked = _marked(line)
            if marked and FENCE_RE.match(line):
                i = self._fenced(i)
            elif marked and _html_start(line):
                i = self._html(i)
            elif _is_table(lines, i):
                i = self._table(i)
            elif marked and ATX_RE.match(line):
                self._heading_atx(i)
                i += 1
            elif i + 1 < n and lines[i + 1] and SETEXT_RE.match(lines[i + 1]):
                level = 1 if lines[i + 1].startswith("=") else 2
                title = line.strip()
                self.raws.append(
                    _Raw("heading", lines[i : i + 2], i, level=level, title=title, body=title)
                )
                i += 2
            elif marked and HR_RE.match(line):
                self.raws.append(_Raw("hr", [line], i, body="hr"))
                i += 1
            elif marked and ITEM_RE.match(line):
                i = self._list_item(i, 0, line)
                in_list = True
            elif marked and ADMONITION_RE.match(line):
                i = self._admonition(i)
            elif marked and QUOTE_RE.match(line):
                i = self._quote(i)
            else:
                i = self._paragraph(i)
        self.landed = i == end
        return self.raws

    def _interrupts(self, line: str) -> bool:
        if not line:
            return True
        return _marked(line) and bool(
            ATX_RE.match(line)
            or HR_RE.match(line)
            or QUOTE_RE.match(line)
            or FENCE_RE.match(line)
            or _html_start(line)
        )

    def _paragraph(self, i: int) -> int:
        start, lines = i, self.lines
        i += 1
        while i < len(lines) and not self._interrupts(lines[i]):
            i += 1
        text = "\n".join(lines[start:i])
        self.raws.append(_Raw("paragraph", lines[start:i], start, body=text))
        return i

    def _admonition(self, i: int) -> int:
        """``!!! note`` (or ``??? note``) and every indented line after it, blank lines too."""
        start, lines = i, self.lines
        end = i = i + 1
        while i < len(lines) and (not lines[i] or _indent(lines[i]) >= 4):
            if lines[i]:
                end = i + 1
            i += 1
        body = "\n".join(lines[start:end])
        self.raws.append(_Raw("admonition", lines[start:end], start, body=body))
        return end

    def _quote(self, i: int) -> int:
        start, lines = i, self.lines
        while i < len(lines) and lines[i] and not (i > start and ATX_RE.match(lines[i])):
            i += 1
        body = "\n".join(QUOTE_RE.sub("", line, count=1) for line in lines[start:i])
        self.raws.append(_Raw("blockquote", lines[start:i], start, body=body))
        return i

    def _heading_atx(self, i: int) -> None:
        match = ATX_RE.match(self.lines[i])
        assert match is not None
        title = match.group(2).strip()
        self.raws.append(
            _Raw("heading", [self.lines[i]], i, level=len(match.group(1)), title=title, body=title)
        )

    def _fenced(self, i: int) -> int:
        start, lines = i, self.lines
        match = FENCE_RE.match(lines[i])
        assert match is not None
        fence = match.group(1)
        i += 1
        while i < len(lines):
            close = FENCE_RE.match(lines[i])
            i += 1
            if close and close.group(1).startswith(fence) and not lines[i - 1].strip(" `~"):
                break
        body = "\n".join(line.rstrip() for line in lines[start:i])
        self.raws.append(_Raw("code", lines[start:i], start, body=body))
        return i

    def _indented_code(self, i: int) -> int:
        start, lines = i, self.lines
        end = i
        while i < len(lines) and (not lines[i] or _indent(lines[i]) >= 4):
            if lines[i]:
                end = i + 1
            i += 1
        body = "\n".join(line.rstrip() for line in lines[start:end])
        self.raws.append(_Raw("code", lines[start:end], start, body=body))
        return end

    def _html(self, i: int) -> int:
        start, lines = i, self.lines
        tag = _html_start(lines[i])
        if tag == "!--":
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
        elif tag not in VOID_TAGS:
            opener = re.compile(rf"<{tag}(?=[\s/>])", re.I)
            closer = re.compile(rf"</{tag}\s*>", re.I)
            depth = 0
            while i < len(lines):
                depth += len(opener.findall(lines[i])) - len(closer.findall(lines[i]))
                if depth <= 0:
                    break
                i += 1
        end = min(i + 1, len(lines))
        self.raws.append(_Raw("html", lines[start:end], start, body="\n".join(lines[start:end])))
        return end

    def _table(self, i: int) -> int:
        lines = self.lines
        header = [lines[i].strip(), lines[i + 1].strip()]
        self.raws.append(
            _Raw(
                "table_header",
                [lines[i]],
                i,
                header=header,
                body="|".join(normalise(c) for c in split_row(lines[i])),
            )
        )
        i += 2
        while i < len(lines) and lines[i]:
            body = "|".join(normalise(c) for c in split_row(lines[i]))
            self.raws.append(_Raw("table_row", [lines[i]], i, header=header, body=body))
            i += 1
        return i

    # ----------------------------------------------------------------------------------
    def _list_item(self, i: int, depth: int, first: str) -> int:
        """One item starting at line i (``first`` is that line dedented to its depth)."""
        match = ITEM_RE.match(first)
        assert match is not None
        marker = match.group(2)
        list_type = "ol" if marker[0].isdigit() else "ul"
        raw = _Raw("list_item", [first], i, depth=depth, list_type=list_type)
        self.raws.append(raw)
        body = [match.group(4)]
        lines = self.lines
        i += 1
        while i < len(lines) and lines[i]:
            line = lines[i]
            indent = _indent(line)
            marked = _marked(line)  # never with 4 spaces or more
            if marked and (ITEM_RE.match(line) or FENCE_RE.match(line) or _html_start(line)):
                break
            if indent >= 4:
                level = min(indent // 4, depth + 1)
                child = _dedent(line, 4 * level)
                if _marked(child) and ITEM_RE.match(child) and level >= 1:
                    break
            if marked and (ATX_RE.match(line) or HR_RE.match(line)):
                break
            raw.lines.append(_dedent(line, 4 * depth))
            body.append(line)
            i += 1
        raw.body = "\n".join(body)
        return i

    def _list_continuation(self, i: int) -> int:
        """An indented line inside a list: a nested item or another paragraph of an item."""
        line = self.lines[i]
        last = next(r for r in reversed(self.raws) if r.kind == "list_item")
        level = min(_indent(line) // 4, last.depth + 1)
        child = _dedent(line, 4 * level)
        if ITEM_RE.match(child):
            return self._list_item(i, level, child)
        # A paragraph continuing an item: it belongs to the last item one level up.
        owner_depth = level - 1
        start, lines = i, self.lines
        i += 1
        # Python-Markdown reads the whole indented chunk as one paragraph: even a line that
        # looks like a list item is lazy text until the next blank line.
        while i < len(lines) and lines[i] and not (ATX_RE.match(lines[i]) or HR_RE.match(lines[i])):
            i += 1
        chunk = [_dedent(line, 4 * (owner_depth + 1)) for line in lines[start:i]]
        if last.depth == owner_depth and self.raws[-1] is last:
            last.lines.extend(["", *("    " + c for c in chunk)])
            last.body += "\n\n" + "\n".join(chunk)
        else:  # after deeper items: keep reading order, as a paragraph at that depth
            self.raws.append(
                _Raw("paragraph", chunk, start, depth=owner_depth, body="\n".join(chunk))
            )
        return i
