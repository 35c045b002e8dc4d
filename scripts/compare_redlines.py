"""Compare our redline with difflib, redlines and lxml htmldiff on real policy changes.

    python scripts/compare_redlines.py [--corpora ../shared/corpora] [--output PAGE]

Clones the corpus bundles into a temporary folder, runs every tool on each change listed in
``tests/redline/comparison.py`` (the same cases and counts as its test), prints the table in
Markdown and writes ``docs/redline-comparison.md``. Needs the test extras (redlines, lxml).
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT / "tests" / "redline")]

from comparison import (  # noqa: E402
    CASES,
    TOOL_NAMES,
    TOOLS,
    Comparison,
    Render,
    compare,
    excerpt,
    failure_modes,
    line_excerpt,
)
from redline_helpers import make_render  # noqa: E402

PAGE = ROOT / "docs" / "redline-comparison.md"
#: The changes whose outputs the page shows in full (well, in excerpt).
SHOWN = ("bluesky-pbc", "link-target")


def clone_corpora(corpora: Path, names: set[str], into: Path) -> dict[str, Path]:
    repos = {}
    for name in sorted(names):
        bundle = corpora / f"{name}.bundle"
        if not bundle.is_file():
            sys.exit(f"corpus bundle {bundle} is missing")
        repos[name] = into / name
        subprocess.run(["git", "clone", "-q", str(bundle), str(repos[name])], check=True)
    return repos


def cell(result: Comparison, tool: str) -> str:
    marked = result.marked[tool].total
    if result.truth.total == 0:
        return f"{marked} (exact)" if marked == 0 else f"{marked} (all spurious)"
    return f"{marked} ({result.ratio(tool)})"


def counts_table(results: list[Comparison]) -> str:
    head = ["change", "changed (truth)", *(TOOL_NAMES[tool] for tool in TOOLS)]
    rows = [
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(head) - 1)) + " |",
    ]
    for result in results:
        truth = result.truth
        values = [
            f"`{result.case.key}`",
            f"{truth.total} (−{truth.deleted} +{truth.inserted})",
            *(cell(result, tool) for tool in TOOLS),
        ]
        rows.append("| " + " | ".join(values) + " |")
    return "\n".join(rows)


def changes_table(results: list[Comparison]) -> str:
    rows = ["| change | corpus | file | commit | what changed |", "| --- | --- | --- | --- | --- |"]
    for result in results:
        case = result.case
        rows.append(
            f"| `{case.key}` | {case.corpus} | `{case.path}` | `{result.commit[:8]}` "
            f"({result.date}) | {case.what} |"
        )
    return "\n".join(rows)


def fenced(text: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def outputs_section(result: Comparison) -> str:
    case = result.case
    parts = [
        f"### `{case.key}`: {case.path} at `{result.commit[:8]}`",
        "",
        case.what,
        "",
        f"**{TOOL_NAMES['ours']}** (changed blocks only; `redline-sr` spans are the "
        "visually hidden “inserted”/“deleted” labels):",
        "",
        fenced(excerpt(result.ours_changes), "html"),
        "",
        f"**{TOOL_NAMES['difflib']}** (`unified_diff`, no context; long lines cut here):",
        "",
        fenced(line_excerpt(result.outputs["difflib"]), "diff"),
        "",
        f'**{TOOL_NAMES["redlines"]}** (`markdown_style="none"`, around its marks):',
        "",
        fenced(excerpt(result.outputs["redlines"]), "markdown"),
        "",
        f"**{TOOL_NAMES['lxml']}** (around its marks):",
        "",
        fenced(excerpt(result.outputs["lxml"]), "html"),
    ]
    return "\n".join(parts)


def failures_section(results: list[Comparison], render: Render) -> str:
    lines = []
    for result in results:
        for tool, problem in failure_modes(result, render):
            lines.append(f"- `{result.case.key}`, {TOOL_NAMES[tool]}: {problem}.")
    if not lines:
        return "None of the checks below found a problem in these outputs."
    return "\n".join(lines)


def page(results: list[Comparison], render: Render) -> str:
    versions = ", ".join(f"{name} {version(name)}" for name in ("redlines", "lxml", "markdown"))
    shown = [r for r in results if r.case.key in SHOWN]
    return f"""# Redline comparison on real changes

<!-- Written by scripts/compare_redlines.py; edit that script, not this page. -->

How our redline compares with three common ways of showing what changed, on
{len(results)} real changes to real policies (the git bundles in `../shared/corpora`).
Every tool gets the same two versions of the same file. The numbers count the words each
tool marks as changed; the first number column is what actually changed. The test
`tests/redline/test_redline_comparison.py` checks the same numbers on every run: ours
never marks fewer words than changed, and never more than a couple of words beyond that.

## What changed, in words

- A **word** is a run of letters and digits, joined across `'`, `’`, `.` and `-`
  (`don’t`, `third-party` and `bsky.app` are one word each). Punctuation is not a word.
- A version's **word sequence** is the words of its visible text, in order, as
  Python-Markdown renders it (extensions `tables`, `attr_list`, `toc`). Block elements
  (paragraphs, list items, table cells) and `<br>` separate words; inline tags do not.
  Each word is paired with the target of the link it is in, so a link whose target
  changes counts as changed even though its words are the same.
- **What changed** (the truth) is what `difflib.SequenceMatcher(None, old, new,
  autojunk=False)` finds between the two word sequences: the old words of its `delete`
  and `replace` opcodes plus the new words of its `insert` and `replace` opcodes.
  “−2 +5” means 2 words deleted and 5 inserted.

Each tool's count uses the same notion of a word:

- **ours**: the words inside `<ins>` and `<del>` of `render_inline` (the whole document),
  leaving out the visually hidden labels.
- **difflib (lines)**: `difflib.unified_diff` of the Markdown lines with no context, as
  `git diff` shows a change: every word on each `-` and `+` line.
- **redlines**: the text of the spans its `output_markdown` wraps in `<del>` and `<ins>`
  (`Redlines(old, new).changes`), run on the Markdown.
- **lxml htmldiff**: the words inside `<ins>` and `<del>` of
  `lxml.html.diff.htmldiff(render(old), render(new))`.

For difflib and redlines, which mark Markdown source, link targets `](…)`, HTML tags and
list markers at the start of a line are not counted as words.

## The changes

{changes_table(results)}

## Words marked as changed

Each cell: words marked (marked ÷ actually changed).

{counts_table(results)}

## Problems seen in the outputs

Checked in each output rather than assumed: `<ins>`/`<del>` around block elements or
directly inside a list, table or row (ours and lxml, read off the tags as written);
lxml's “Link: …” text for a changed link target; and, for redlines, marks inside a link
target `](…)` and the list items and table rows its Markdown still has when rendered
(each side: its output without the other side's spans, against that version).

{failures_section(results, render)}

## What each tool shows

{chr(10).join(outputs_section(result) + chr(10) for result in shown)}
Generated with {versions} and Python {platform.python_version()}'s difflib.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--output", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    render = make_render()
    with tempfile.TemporaryDirectory(prefix="compare-redlines-") as tmp:
        repos = clone_corpora(args.corpora, {case.corpus for case in CASES}, Path(tmp))
        results = [compare(case, repos[case.corpus], render) for case in CASES]
        text = page(results, render)
    print(changes_table(results))
    print()
    print(counts_table(results))
    args.output.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
