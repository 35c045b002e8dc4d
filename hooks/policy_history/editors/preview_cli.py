"""``scripts/preview``: the redline of a branch or the working tree against a base revision.

    scripts/preview --base main                       # Markdown on stdout
    scripts/preview --base origin/main --markdown comment.md --html redline.html \\
        --html-url https://…/artifacts/…              # for a pull-request comment

Exit status: 0 (also when there is nothing to show), 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from policy_history.editors.cli_common import base_tree, compare_site, fail, head_tree, load_site
from policy_history.editors.output import add_version, log_safe, say
from policy_history.editors.preview import (
    DEFAULT_MAX_CHARS,
    build_preview,
    preview_html,
    preview_markdown,
)
from policy_history.errors import PolicyError


def parser(prog: str = "scripts/preview") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Show what visitors will see change: the redline of each changed policy "
        "against a base revision, as Markdown (for a pull-request comment) and HTML.",
    )
    add_version(p)
    p.add_argument("--base", metavar="REV", default="main",
                   help="compare with this branch, tag or commit, from where the current "
                   "branch left it (default: main)")
    p.add_argument("--head", metavar="REV",
                   help="show this revision instead of the working tree")
    p.add_argument("-f", "--config-file", metavar="FILE",
                   help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    p.add_argument("--markdown", metavar="FILE",
                   help="write the comment's Markdown here (default: print it)")
    p.add_argument("--html", metavar="FILE", help="also write the full redline as one HTML page")
    p.add_argument("--html-url", metavar="URL",
                   help="where readers of the comment find the HTML page (linked from it)")
    p.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, metavar="N",
                   help=f"longest comment to write (default: {DEFAULT_MAX_CHARS}; GitHub's "
                   "limit is 65536)")
    return p


#: an example file name for each option that writes one
_EXAMPLE = {"--html": "redline.html", "--markdown": "preview.md"}


def output_file(path: str, option: str) -> Path:
    """The file an option names, refused before any work when it cannot be written there:
    a folder that does not exist is said, not created (a mistyped folder would otherwise
    be made somewhere unexpected), as ``cp`` or the shell's ``>`` would."""
    target = Path(path)
    if target.is_dir():
        raise PolicyError(f"'{path}' is a folder, not a file", file=path,
                          fix=f"name a file for {option}, e.g. '{target / _EXAMPLE[option]}'")
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise PolicyError(f"'{folder}' is a file, not a folder", file=path,
                          fix=f"choose another path for {option}")
    if not folder.exists():
        raise PolicyError(f"the folder '{folder}/' does not exist", file=path,
                          fix=f"create it (mkdir -p {shlex.quote(str(folder))}) or choose "
                          f"another path for {option}")
    return target


def write_output(target: Path, text: str, option: str) -> None:
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"this file cannot be written: {error.strerror or error}",
                          file=str(target), fix=f"check that the folder may be written to and "
                          f"has room, or choose another path for {option}") from None


def main(argv: Sequence[str] | None = None, prog: str = "scripts/preview") -> int:
    command = parser(prog)
    args = command.parse_args(argv)
    try:
        html_file = output_file(args.html, "--html") if args.html else None
        markdown_file = output_file(args.markdown, "--markdown") if args.markdown else None
        site = load_site(args.config_file)
        head = head_tree(site, args.head)
        base = base_tree(site, args.base, args.head)
        preview = build_preview(compare_site(site, base, head), site.render)
        if html_file:
            write_output(html_file, preview_html(preview), "--html")
        text = preview_markdown(preview, max_chars=args.max_chars, full_url=args.html_url,
                                full_path=args.html)
        if markdown_file:
            write_output(markdown_file, text, "--markdown")
        else:
            sys.stdout.write(log_safe(text))  # a CI log reads it: no workflow commands
    except PolicyError as error:
        return fail(error)
    except OSError as error:
        say(f"error: {error}", sys.stderr)
        return 2
    what = "nothing to show" if preview.is_empty else (
        f"{len(preview.policies)} changed polic{'y' if len(preview.policies) == 1 else 'ies'}")
    say(f"Preview of {head.label} against {base.label}: {what}.", sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
