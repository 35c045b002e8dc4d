"""A company's policy site, ready to commit: ``policy-history new-site DIR --name "Acme"``.

The files come from ``site_template/`` (package data): ``*.tmpl`` files have their
``$placeholders`` filled in, with each value escaped for the format it lands in (YAML,
Markdown); ``gitignore`` and ``github/`` become ``.gitignore`` and ``.github/``
(setuptools leaves hidden files out of a package). ``plan_site`` only computes the
files; ``create_site`` writes them into a new folder and makes the first commit.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from policy_history import __version__
from policy_history.errors import PolicyError
from policy_history.model.layout import slugify_part
from policy_history.model.text_limits import check_markdown, check_size
from policy_history.repository.writing import committer_identity, start_repository

TEMPLATE_DIR = Path(__file__).resolve().parent / "site_template"
#: the starter policy's folder in the template, replaced by an imported one
STARTER_POLICY = "policies/privacy"
#: hidden names the package cannot carry
_RENAMED = {"gitignore": ".gitignore", "github": ".github"}
_MAX_NAME = 100
#: characters a name may not hold: controls (newlines …), and format characters such as
#: bidirectional overrides, which make a name read differently from what it is
_REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
#: what Python-Markdown lets a backslash escape (``<`` and ``&`` become entities instead)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SECTION_HEADING = re.compile(r"^ {0,3}## +(.+?)(?: +#+)? *$")
_TITLE_HEADING = re.compile(r"^ {0,3}# +(.+?)(?: +#+)? *$")


@dataclass(frozen=True)
class SiteSpec:
    """What the new site is called and where it goes; the rest has defaults."""

    name: str  # the company, as visitors read it
    effective: dt.date  # when the first version takes effect (its change entry)
    site_url: str | None = None  # None: the deploy workflow sets SITE_URL
    repo_url: str | None = None  # for "edit this page" links
    requirement: str = f"policy-history=={__version__}"  # what its CI installs
    policy_file: Path | None = None  # an existing policy to start from, cut into sections
    policy_slug: str | None = None  # its address (default: from the file's name)


def plan_site(spec: SiteSpec) -> dict[str, str]:
    """The new site's files: relative path → text."""
    _check_name(spec.name)
    values = {
        "company": _markdown_text(spec.name),
        "title": _markdown_text(f"{spec.name} Policies"),
        "company_name": _yaml_string(spec.name),
        "site_name": _yaml_string(f"{spec.name} Policies"),
        "site_description": _yaml_string(
            f"The policies of {spec.name}, with every past version and what changed."),
        "site_url": _site_url_setting(spec.site_url),
        "repo_url": _repo_url_setting(spec.repo_url),
        "requirement": _requirement(spec.requirement),
        "effective": spec.effective.isoformat(),
    }
    files: dict[str, str] = {}
    for source in sorted(TEMPLATE_DIR.rglob("*")):
        relative = source.relative_to(TEMPLATE_DIR).as_posix()
        if source.is_dir() or "__pycache__" in relative:
            continue
        if spec.policy_file is not None and relative.startswith(STARTER_POLICY + "/"):
            continue
        text = source.read_text(encoding="utf-8")
        if relative.endswith(".tmpl"):
            relative = relative.removesuffix(".tmpl")
            text = string.Template(text).substitute(values)
        first, _, rest = relative.partition("/")
        files["/".join(filter(None, (_RENAMED.get(first, first), rest)))] = text
    if spec.policy_file is not None:
        files.update(imported_policy(spec.policy_file, spec.effective, spec.policy_slug))
    return files


def create_site(target: Path, spec: SiteSpec) -> tuple[list[str], str]:
    """Write the site into ``target`` (new or empty) and commit it; its files and commit."""
    files = plan_site(spec)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PolicyError(
            f"{target} already exists and is not an empty folder",
            fix="new-site never writes over files: name a new folder")
    committer_identity(target.parent if target.parent.exists() else Path.cwd())
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    commit = start_repository(target, f"Start the policy site of {spec.name}\n\n"
                              "Made by policy-history new-site.")
    return sorted(files), commit


def imported_policy(source: Path, effective: dt.date, slug: str | None) -> dict[str, str]:
    """A policy folder made from one Markdown file: its ``# Title``, and a fragment for
    the text before the first ``##`` heading and for each ``##`` section after it."""
    label = str(source)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise PolicyError(f"cannot read the policy to start from ({error.strerror})",
                          file=label, fix="give the path of a Markdown file") from None
    check_size(data, label)
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PolicyError("the file is not UTF-8 text", file=label, line=line,
                          fix="save it as UTF-8 and run new-site again") from None
    text = text.removeprefix("\ufeff")
    if text.startswith("---\n"):
        raise PolicyError(
            "the file starts with front matter, which new-site does not read", file=label,
            line=1, fix="remove the front matter; put the title as a '# Title' first line")
    check_markdown(text, label)
    title, parts = _cut_sections(text, label)
    slug = slug or slugify_part(source.stem)[:60].strip("-")
    if not slug or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise PolicyError(f"'{slug}' cannot be the policy's address", file=label,
                          fix="give one with --slug, in lowercase letters, digits and '-'")
    folder = f"policies/{slug}"
    files = {f"{folder}/policy.yml": _policy_yml(title, effective)}
    for number, (name, body) in enumerate(parts, start=1):
        files[f"{folder}/{number * 10:02d}-{name}.md"] = body
    return files


def _cut_sections(text: str, label: str) -> tuple[str, list[tuple[str, str]]]:
    """The title and (fragment name, text) for each section, cut at ``##`` headings
    outside fenced code."""
    lines = text.split("\n")
    title = ""
    parts: list[tuple[str, list[str]]] = [("introduction", [])]
    fence = ""
    for number, line in enumerate(lines, start=1):
        marker = _FENCE.match(line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            fence = "" if fence else marker.group(1)[0] * 3
        if not fence and not title and not any(p[1] for p in parts):
            heading = _TITLE_HEADING.match(line)
            if heading:
                title = heading.group(1).strip()
                continue
        heading = None if fence else _SECTION_HEADING.match(line)
        if heading:
            name = slugify_part(heading.group(1))[:60].strip("-") or f"section-{number}"
            taken = {p[0] for p in parts}
            unique, n = name, 2
            while unique in taken:
                unique, n = f"{name}-{n}", n + 1
            parts.append((unique, []))
        parts[-1][1].append(line)
    sections = [(name, "\n".join(body).strip("\n") + "\n") for name, body in parts
                if "\n".join(body).strip()]
    if not sections:
        raise PolicyError("the file has no text to publish", file=label,
                          fix="give a Markdown file with the policy's text")
    if not title:
        raise PolicyError(
            "the file has no title", file=label, line=1,
            fix="start it with the policy's title as a heading, e.g. '# Privacy Policy'")
    return title, sections


def _policy_yml(title: str, effective: dt.date) -> str:
    return (
        f"title: {_yaml_string(title)}\n\n"
        "# Every change to the text is declared here, newest first, in the same pull\n"
        "# request as the change (README.md, \"Change a policy\").\n"
        "changes:\n"
        f"  - effective: {effective.isoformat()}\n"
        "    summary: First published version.\n")


def _check_name(name: str) -> None:
    if not name.strip():
        raise PolicyError("the company's name is empty",
                          fix='give it with --name, e.g. --name "Acme"')
    if len(name) > _MAX_NAME:
        raise PolicyError(f"the company's name is {len(name)} characters long",
                          fix=f"give one of at most {_MAX_NAME} characters")
    for char in name:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise PolicyError(
                f"the company's name holds the control character U+{ord(char):04X}",
                fix="give the name as plain text on one line")


def _yaml_string(text: str) -> str:
    """``text`` as a YAML scalar: a JSON string is a valid double-quoted YAML one."""
    return json.dumps(text, ensure_ascii=False)


def _markdown_text(text: str) -> str:
    """``text`` as literal Markdown text: no markup, no HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _site_url_setting(url: str | None) -> str:
    if url is None:
        return ("# The address the site is published at (feeds and versions.json need it).\n"
                "# The deploy workflow sets SITE_URL for GitHub Pages; for another host,\n"
                "# write the address here instead.\n"
                "site_url: !ENV SITE_URL")
    return f"site_url: {_yaml_string(_web_address(url, '--url'))}"


def _repo_url_setting(url: str | None) -> str:
    if url is None:
        return ""
    return (f"# \"Edit this page\" links on each policy go to its section files here.\n"
            f"repo_url: {_yaml_string(_web_address(url, '--repo-url'))}\n"
            "edit_uri: edit/main/")


def _web_address(url: str, option: str) -> str:
    if not re.fullmatch(r"https?://[^\s\"'<>\\]+", url):
        raise PolicyError(f"{option} '{url}' is not a web address",
                          fix=f"give one like {option} https://policies.example.com/")
    return url


def _requirement(requirement: str) -> str:
    if not requirement.strip() or "\n" in requirement or requirement.lstrip().startswith("-"):
        raise PolicyError(f"--requirement '{requirement}' is not one requirement line",
                          fix="give what pip installs, e.g. policy-history==0.1.0 or "
                          "policy-history @ git+https://github.com/…@v0.1.0")
    return requirement.strip()
