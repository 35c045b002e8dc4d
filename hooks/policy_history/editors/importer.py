"""Bring a policy's past into git: dated versions become commits with their real dates.

Sources: a folder of files named or described by date (``2014-09-07.md``, or front matter
``date:``), or one file's history in another repository. Target: a single-file policy
(``policies/terms.md``) or a folder policy (``policies/terms/``), into which each version is
split at its ``##`` headings into section fragments plus a ``policy.yml``.

Safety rules (see docs/editors.md, "Bringing in past versions"):

* existing history is never rewritten: commits are added on top of the current branch and
  it is fast-forwarded, which git refuses if it would overwrite local changes;
* a version dated before a commit that already touches the target is refused (it would
  become the newest text while being the oldest), unless ``allow_older`` is given;
* every imported commit carries a ``Policy-Import:`` trailer (date and content hash), so a
  second run with the same versions adds nothing;
* an undated source file, a date given twice differently, or two versions with the same
  date and time stop the import before anything is written.

Commits are written with ``git fast-import`` (one process whatever the number of
versions), author and committer dates both set to the version's date; git is asked and
written to only through :mod:`policy_history.repository`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policy_history.errors import GitError, PolicyError
from policy_history.model.assemble import first_heading, headings
from policy_history.model.layout import MARKDOWN_SUFFIXES, METADATA_FILE, slugify_part
from policy_history.model.metadata import load_yaml, split_front_matter
from policy_history.repository.revisions import (
    commit_of,
    file_commits,
    head_commit,
    messages_touching,
    repository_root,
)
from policy_history.repository.trees import contents_at, files_at, uncommitted_paths
from policy_history.repository.writing import NewCommit, append_commits, committer_identity

TRAILER = "Policy-Import"
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_LINE = re.compile(r"^date[ \t]*:.*(?:\n|$)", re.M)


@dataclass(frozen=True)
class PastVersion:
    """One dated text of the policy."""

    when: dt.datetime  # aware
    text: str
    source: str  # for people: a file name, or "commit 1a2b3c4d5e of 'path'"
    author: tuple[str, str] | None = None  # (name, email) of the original author
    subject: str | None = None  # the original commit's subject
    #: position in the source's history: orders versions with the same date (None: a file,
    #: whose order among equal dates is unknown)
    sequence: int | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> str:
        """What the ``Policy-Import:`` trailer records: the same date and text, imported once."""
        return f"{self.when.isoformat()} {self.digest}"


# -- sources ------------------------------------------------------------------------------


def _parse_when(value: object, file: str, line: int | None) -> dt.datetime:
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PolicyError(
            f"expected a date (YYYY-MM-DD) for 'date', but got '{text}'",
            file=file, line=line, fix="write the date like 2014-09-07",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"this file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            file=file, line=data[: exc.start].count(b"\n") + 1,
            fix="save it as UTF-8 in your editor",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _without_date(text: str) -> str:
    """The text without its front matter's ``date:`` (the date becomes the commit's)."""
    raw, body, _offset = split_front_matter(text)
    if raw is None:
        return text
    rest = _DATE_LINE.sub("", raw)
    if not rest.strip():
        return body.lstrip("\n")
    return f"---\n{rest.rstrip()}\n---\n{body}"


def versions_from_folder(folder: Path) -> list[PastVersion]:
    """Every Markdown file of ``folder`` (and its sub-folders), dated by its name
    (``2014-09-07.md``, ``privacy-2014-09-07.md``) or its front matter's ``date:``."""
    if not folder.is_dir():
        raise PolicyError(f"the folder '{folder}' does not exist",
                          fix="name the folder that holds the dated versions")
    versions: list[PastVersion] = []
    problems: list[PolicyError] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith((".", "_")) for part in rel.split("/")) or path.is_dir():
            continue
        shown = str(path)
        if not path.name.lower().endswith((*MARKDOWN_SUFFIXES, ".txt")):
            problems.append(PolicyError("this is not a Markdown file", file=shown,
                                        fix="move it out of the folder (only .md files are "
                                        "imported)"))
            continue
        try:
            versions.append(_dated_file(path, shown))
        except PolicyError as error:
            problems.append(error)
    if problems:
        raise _combined(problems)
    if not versions:
        raise PolicyError(f"there are no Markdown files in '{folder}'",
                          fix="put one file per version there, named by date: 2014-09-07.md")
    return versions


def _dated_file(path: Path, shown: str) -> PastVersion:
    text = _decode(path.read_bytes(), shown)
    named = _DATE_IN_NAME.findall(path.stem)
    from_name = None
    if len(named) > 1:
        raise PolicyError("the file name has more than one date", file=shown,
                          fix="rename it with one date, like 2014-09-07.md")
    if named:
        from_name = _parse_when("-".join(named[0]), shown, None)
    from_meta = None
    raw, _body, _offset = split_front_matter(text)
    if raw:
        data, lines = load_yaml(raw, shown, line_offset=1)
        if isinstance(data, dict) and data.get("date") is not None:
            from_meta = _parse_when(data["date"], shown, lines.get(("date",)))
    if from_name and from_meta and from_name.date() != from_meta.date():
        raise PolicyError(
            f"the file name says {from_name.date().isoformat()} but 'date:' says "
            f"{from_meta.date().isoformat()}", file=shown,
            fix="make them agree (or remove one)")
    when = from_meta or from_name
    if when is None:
        raise PolicyError(
            "this file has no date", file=shown,
            fix="name it by the date the version took effect (2014-09-07.md), or add "
            "'date: 2014-09-07' to its front matter")
    return PastVersion(when, _without_date(text), path.name)


def versions_from_repository(repo: Path, file: str, rev: str = "HEAD",
                             dates: str = "committer") -> list[PastVersion]:
    """Each version of ``file`` on the first-parent line of ``rev`` in another repository,
    dated by its commit (``dates``: "committer", when it landed, as the site dates it; or
    "author"), following renames, with the original authors."""
    if not repo.is_dir():
        raise PolicyError(f"the repository '{repo}' does not exist",
                          fix="clone it first (git clone …)")
    root = repository_root(repo)
    sha = commit_of(root, rev)
    if sha is None:
        raise GitError(f"'{rev}' is not a branch, tag or commit of '{repo}'",
                       fix="name one that exists there, e.g. --rev main")
    commits = file_commits(root, sha, file)
    if not commits:
        raise PolicyError(f"'{file}' has no history in '{repo}'",
                          fix="give its path inside that repository, e.g. --file "
                          "'Facebook/Privacy Policy.md'")
    texts = contents_at(root, [(commit.sha, commit.path) for commit in commits])
    versions = []
    for number, commit in enumerate(reversed(commits)):
        source = f"commit {commit.sha[:10]} of '{commit.path}'"
        text = _decode(texts[commit.sha, commit.path], source)
        versions.append(PastVersion(commit.moment(dates), text, source, commit.author,
                                    commit.subject, number))
    return versions


def _combined(problems: Sequence[PolicyError]) -> PolicyError:
    if len(problems) == 1:
        return problems[0]
    first = problems[0]
    return PolicyError(first.problem, file=first.file, line=first.line, fix=first.fix,
                       detail="\n".join(str(p) for p in problems[1:]))


# -- splitting a document into section fragments -------------------------------------------


def split_document(markdown: str) -> tuple[str | None, list[tuple[str, str]]]:
    """A single-file policy as (title, [(fragment name, text)]): cut at each ``##`` heading;
    the ``#`` title becomes the title; text before the first ``##`` is the introduction."""
    lines = markdown.split("\n")
    title = None
    starts: list[tuple[int, str]] = []
    drop: set[int] = set()
    for index, level, text, setext in headings(lines):
        if level == 1 and title is None and not starts:
            title = first_heading(f"# {text}")
            drop.update({index, index + (1 if setext else 0)})
        elif level == 2:
            starts.append((index, first_heading(f"## {text}") or "section"))
    kept = [(n, line) for n, line in enumerate(lines) if n not in drop]
    chunks: list[tuple[str, list[str]]] = [("introduction", [])]
    bounds = dict(starts)
    for n, line in kept:
        if n in bounds:
            chunks.append((bounds[n], []))
        chunks[-1][1].append(line)
    parts = [(heading, "\n".join(body).strip("\n")) for heading, body in chunks]
    parts = [(heading, text) for heading, text in parts if text.strip()]
    width = max(2, len(str(len(parts) * 10)))
    seen: dict[str, int] = {}
    named = []
    for number, (heading, text) in enumerate(parts, 1):
        slug = slugify_part(heading)[:60].strip("-") or "section"
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}-{seen[slug]}"
        named.append((f"{number * 10:0{width}d}-{slug}.md", text + "\n"))
    return title, named


# -- planning and writing -------------------------------------------------------------------


@dataclass
class PlannedCommit:
    version: PastVersion
    files: dict[str, str | None]  # repository path → new text (None: delete)
    message: str


@dataclass
class ImportPlan:
    root: Path
    target: str  # repository path of the policy (file or folder)
    parent: str
    commits: list[PlannedCommit] = field(default_factory=list)
    already: int = 0  # versions found imported before
    unchanged: int = 0  # versions whose text equals the one before
    warnings: list[str] = field(default_factory=list)


def _existing(root: Path, target: str) -> tuple[set[str], dt.datetime | None, str | None]:
    """Imported keys, the newest commit date touching ``target``, and that commit."""
    keys: set[str] = set()
    newest: dt.datetime | None = None
    newest_sha = None
    for commit in messages_touching(root, target):
        for line in commit.message.splitlines():
            if line.startswith(f"{TRAILER}: "):
                keys.add(line[len(TRAILER) + 2 :].strip())
        if newest is None or commit.committed > newest:
            newest, newest_sha = commit.committed, commit.sha
    return keys, newest, newest_sha


def plan_import(target: Path, versions: Iterable[PastVersion], *, title: str | None = None,
                allow_older: bool = False, origin: str = "") -> ImportPlan:
    """What importing ``versions`` into ``target`` adds (nothing is written)."""
    folder = not target.name.lower().endswith(MARKDOWN_SUFFIXES)
    root = repository_root(target.parent if not target.exists() else target)
    absolute = target.resolve() if target.exists() else target.parent.resolve() / target.name
    try:
        rel = absolute.relative_to(root).as_posix()
    except ValueError:
        raise PolicyError(f"'{target}' is outside the repository at '{root}'",
                          fix="import into a path inside the site's repository") from None
    parent = head_commit(root)
    if parent is None:
        raise GitError("the repository has no commits yet",
                       fix="commit something first (e.g. mkdocs.yml), then import on top")
    if uncommitted_paths(root, [f":(top){rel}"]):
        raise PolicyError(f"'{rel}' has uncommitted changes", file=rel,
                          fix="commit or stash them first: the import adds commits on top")
    ordered = sorted(versions, key=lambda v: (v.when, v.sequence or 0))
    for earlier, later in itertools.pairwise(ordered):
        unordered = earlier.sequence is None or later.sequence is None
        if earlier.when == later.when and earlier.text != later.text and unordered:
            raise PolicyError(
                f"two versions have the same date, {later.when.isoformat()}: "
                f"{earlier.source} and {later.source}",
                fix="give one a time ('date: 2014-09-07T15:00:00') or remove one")
    keys, newest, newest_sha = _existing(root, rel)
    plan = ImportPlan(root, rel, parent)
    current = _tree_texts(root, parent, rel)
    owns_metadata = folder and posixpath.join(rel, METADATA_FILE) not in current
    previous_text: str | None = None
    for version in ordered:
        if version.key in keys:
            plan.already += 1
            previous_text = version.text
            continue
        if version.text == previous_text:
            plan.unchanged += 1
            continue
        previous_text = version.text
        if newest is not None and version.when <= newest and not allow_older:
            assert newest_sha is not None
            raise PolicyError(
                f"'{rel}' already has history up to {newest.date().isoformat()} (commit "
                f"{newest_sha[:10]}), but {version.source} is dated "
                f"{version.when.date().isoformat()}: appended after it, the older text would "
                "become the newest",
                fix="import into a new path, or pass --allow-older to append it anyway "
                "(history is never rewritten)")
        files = _files_for(version, rel, folder, current, owns_metadata, title)
        if not files:
            plan.unchanged += 1
            continue
        for path, text in files.items():
            if text is None:
                current.pop(path, None)
            else:
                current[path] = text
        plan.commits.append(PlannedCommit(version, files, _message(version, rel, origin)))
    return plan


def _tree_texts(root: Path, commit: str, rel: str) -> dict[str, str]:
    files = files_at(root, commit, [rel])
    return {path: file.data.decode("utf-8", "replace") for path, file in files.items()}


def _files_for(version: PastVersion, rel: str, folder: bool, current: dict[str, str],
               owns_metadata: bool, title: str | None) -> dict[str, str | None]:
    """The changes to the tree that make ``rel`` hold ``version``."""
    if not folder:
        return {} if current.get(rel) == version.text else {rel: version.text}
    _raw, body, _offset = split_front_matter(version.text)
    heading, fragments = split_document(body)
    wanted: dict[str, str | None] = {posixpath.join(rel, name): text for name, text in fragments}
    if owns_metadata:
        name = title or heading or (first_heading(body) or posixpath.basename(rel))
        meta = ("# Imported with scripts/import; declare later changes under 'changes:' "
                "(see docs/editors.md).\n" + yaml.safe_dump({"title": name}, allow_unicode=True,
                                                             sort_keys=False))
        wanted[posixpath.join(rel, METADATA_FILE)] = meta
    for path in current:
        if (posixpath.dirname(path) == rel and path.lower().endswith(MARKDOWN_SUFFIXES)
                and path not in wanted):
            wanted[path] = None
    return {path: text for path, text in wanted.items() if current.get(path) != text}


def _message(version: PastVersion, rel: str, origin: str) -> str:
    lines = [f"Import {rel}: version of {version.when.date().isoformat()}", ""]
    lines.append(f"From {version.source}{f' in {origin}' if origin else ''}.")
    if version.subject:
        lines.append(f"Original message: {version.subject}")
    lines += ["", f"{TRAILER}: {version.key}"]
    return "\n".join(lines) + "\n"


def write_import(plan: ImportPlan, author: tuple[str, str] | None = None) -> list[str]:
    """Write the planned commits on top of HEAD and fast-forward the branch to them."""
    if not plan.commits:
        return []
    committer = committer_identity(plan.root)
    commits = [
        NewCommit(author or planned.version.author or committer, committer,
                  planned.version.when, planned.message, planned.files)
        for planned in plan.commits
    ]
    return append_commits(plan.root, plan.parent, commits)
