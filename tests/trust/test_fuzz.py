"""Issue 9 §4: random histories in real throwaway repositories, checked against invariants.

Hypothesis draws a short history of a folder policy: fragment edits, whitespace-only
edits, fragments added, deleted and renamed (with or without an edit), and pull requests
merged with ``--no-ff`` (with a commit on the main line in between, so the merge has two
real parents); each change declared material, declared editorial, or not declared. Each
history is committed with git and built with MkDocs, then:

1. the build succeeds, and warns only of what docs/bad-inputs.md documents;
2. each version's archived page shows the text at its commit: the fragments read back
   with ``git show`` and rendered on their own with python-markdown;
3. the history page lists exactly the material revisions, computed by an independent
   model of docs/reference.md's rules (declared entry, else words changed);
4. each redline page of consecutive versions, its folds filled from the version page as
   "Show all" fills them, has the redline properties: dropping ``<ins>`` gives the older
   text, dropping ``<del>`` the newer one.

Bounded: 15 examples of at most 6 steps (``POLICY_FUZZ_EXAMPLES`` for more;
``POLICY_FUZZ_RANDOM=1`` for new random draws instead of the fixed ones CI uses).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import markdown
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policy_history.redline import extract_text
from tests.folds import fill_folds
from tests.support import GitRepo, build, page_text, write_config
from tests.trust.sites import manifest, policy_yml, version_ids

FOLDER = "policies/privacy"
WORDS = ["we", "collect", "your", "email", "address", "keep", "logs", "for", "30", "90",
         "days", "never", "sell", "data", "to", "partners", "cookies", "may", "share"]
KEYS = ["intro", "cookies", "logs", "rights", "contact"]
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list"]  # write_config's, with MkDocs'
#: warnings a random history may rightly get (docs/bad-inputs.md)
DOCUMENTED = ("without a change entry", "is before the previous version's")


# -- drawing a history ---------------------------------------------------------------------

sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(
    lambda words: " ".join(words).capitalize() + ".")
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)
bodies = st.lists(st.one_of(paragraphs, paragraphs.map(lambda p: f"- {p}\n- {p[::-1]}")),
                  min_size=1, max_size=3)
declarations = st.sampled_from(["material", "editorial", "none"])
prefixes = st.sampled_from(["10", "20", "30", "40", "50"])

steps = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 9), bodies, declarations),
    st.tuples(st.just("whitespace"), st.integers(0, 9), declarations),
    st.tuples(st.just("add"), prefixes, st.sampled_from(KEYS), bodies, declarations),
    st.tuples(st.just("delete"), st.integers(0, 9), declarations),
    st.tuples(st.just("rename"), st.integers(0, 9), prefixes, st.sampled_from(KEYS),
              st.one_of(st.none(), bodies), declarations),
    st.tuples(st.just("merge"), st.lists(st.tuples(st.integers(0, 9), bodies), min_size=1,
                                         max_size=2), st.booleans(), declarations),
)
histories = st.tuples(st.lists(st.tuples(prefixes, st.sampled_from(KEYS), bodies),
                               min_size=1, max_size=3, unique_by=lambda f: f[1]),
                      st.lists(steps, min_size=1, max_size=6))


def fragment(key: str, body: list[str]) -> str:
    return f"## {key.capitalize()}\n\n" + "\n\n".join(body) + "\n"


@dataclass
class Writer:
    """Commits a drawn history; keeps the change entries as the editors would."""

    repo: GitRepo
    files: dict[str, str] = field(default_factory=dict)  # fragment name → text
    entries: list[tuple[str, str]] = field(default_factory=list)  # newest first
    day: dt.date = dt.date(2020, 1, 1)

    def next_day(self) -> str:
        self.day += dt.timedelta(days=3)
        return self.day.isoformat()

    def pick(self, index: int) -> str:
        names = sorted(self.files)
        return names[index % len(names)]

    def commit(self, message: str, changes: dict[str, str | None], declare: str) -> None:
        day = self.next_day()
        if declare == "material":
            self.entries.insert(0, (day, f"{message}."))
        elif declare == "editorial":
            self.entries.insert(0, ("editorial", f"{message}."))
        for name, text in changes.items():
            if text is None:
                self.files.pop(name, None)
            else:
                self.files[name] = text
        files: dict[str, str | bytes | None] = {f"{FOLDER}/{n}": t for n, t in changes.items()}
        if declare != "none":
            files[f"{FOLDER}/policy.yml"] = policy_yml(*self.entries)
        self.repo.commit(message, day, files)

    def step(self, step: tuple) -> None:  # type: ignore[type-arg]
        kind = step[0]
        if kind == "edit":
            name = self.pick(step[1])
            key = name.split("-", 1)[1][:-3]
            self.commit(f"Edit {name}", {name: fragment(key, step[2])}, step[3])
        elif kind == "whitespace":
            name = self.pick(step[1])
            self.commit(f"Reflow {name}", {name: self.files[name].replace(" ", "  ", 1)
                                           + "\n"}, step[2])
        elif kind == "add":
            name = f"{step[1]}-{step[2]}.md"
            if name in self.files:
                return
            self.commit(f"Add {name}", {name: fragment(step[2], step[3])}, step[4])
        elif kind == "delete":
            if len(self.files) > 1:
                name = self.pick(step[1])
                self.commit(f"Delete {name}", {name: None}, step[2])
        elif kind == "rename":
            old = self.pick(step[1])
            new = f"{step[2]}-{step[3]}.md"
            if new in self.files:
                return
            text = self.files[old] if step[4] is None else fragment(step[3], step[4])
            self.commit(f"Rename {old} to {new}", {old: None, new: text}, step[5])
        elif kind == "merge":
            self.merge(step[1], step[2], step[3])

    def merge(self, edits: list[tuple[int, list[str]]], main_too: bool, declare: str) -> None:
        """A pull request: edits on a branch (the last one declares), merged with --no-ff
        after, optionally, an undeclared edit of another fragment on the main line."""
        branch = f"pr-{self.day.isoformat()}"
        self.repo.branch(branch)
        touched = set()
        for number, (index, body) in enumerate(edits):
            name = self.pick(index)
            touched.add(name)
            key = name.split("-", 1)[1][:-3]
            last = number == len(edits) - 1
            self.commit(f"PR edit {name}", {name: fragment(key, body)},
                        declare if last else "none")
        entries, files = list(self.entries), dict(self.files)
        self.repo.checkout("main")
        # main as it was: the branch's edits are not there yet
        self.entries, self.files = self._main_state
        others = [n for n in sorted(self.files) if n not in touched]
        if main_too and others:
            name = others[0]
            key = name.split("-", 1)[1][:-3]
            self.commit(f"Main edit {name}", {name: fragment(key, ["Main line words."])}, "none")
            files[name] = self.files[name]
        self.entries, self.files = entries, files
        self.repo.merge(branch, f"Merge {branch}", self.next_day())

    _main_state: tuple[list[tuple[str, str]], dict[str, str]] = ([], {})

    def remember_main(self) -> None:
        self._main_state = (list(self.entries), dict(self.files))


# -- the independent model -------------------------------------------------------------------

_render = markdown.Markdown(extensions=EXTENSIONS)


def render(text: str) -> str:
    _render.reset()
    return _render.convert(text)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", page_text(html)).strip()


def git_text(repo: GitRepo, commit: str) -> list[tuple[str, str]]:
    """(section key, Markdown) of the policy at ``commit``, read with git alone."""
    names = subprocess.run(["git", "ls-tree", "--name-only", commit, f"{FOLDER}/"],
                           cwd=repo.path, capture_output=True, text=True, check=True).stdout
    sections, seen = [], {}
    for path in sorted(names.split()):
        if not path.endswith(".md"):
            continue
        text = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=repo.path,
                              capture_output=True, text=True, check=True).stdout
        if not text.strip():
            continue
        key = path.rsplit("/", 1)[1][:-3].split("-", 1)[1]
        seen[key] = seen.get(key, 0) + 1
        sections.append((key if seen[key] == 1 else f"{key}-{seen[key]}", text))
    return sections


def expected_versions(repo: GitRepo) -> list[tuple[str, str]]:
    """(commit, effective day) of each version, by the rules of docs/reference.md."""
    log = subprocess.run(["git", "log", "--first-parent", "--reverse", "--format=%H %cs",
                          "--", FOLDER], cwd=repo.path, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    versions: list[tuple[str, str]] = []
    previous_text: list[tuple[str, str]] | None = None
    previous_entries: list[str] = []
    for line in filter(None, log):
        commit, day = line.split()
        text = [(key, words(render(source))) for key, source in git_text(repo, commit)]
        meta = subprocess.run(["git", "show", f"{commit}:{FOLDER}/policy.yml"], cwd=repo.path,
                              capture_output=True, text=True, check=True).stdout
        entries = re.findall(r"^  - (effective: \S+|editorial: .*)$", meta, re.M)
        added = entries[: len(entries) - len(previous_entries)]
        material = [e for e in added if e.startswith("effective")]
        if material:
            versions.append((commit, material[0].split()[1]))
        elif not [e for e in added if e.startswith("editorial")] and text != previous_text:
            versions.append((commit, day))
        previous_text, previous_entries = text, entries
    return versions


def ids_of(versions: list[tuple[str, str]]) -> list[str]:
    used: dict[str, int] = {}
    ids = []
    for _commit, day in versions:
        used[day] = used.get(day, 0) + 1
        ids.append(day if used[day] == 1 else f"{day}-{used[day]}")
    return ids


def archived_text(html: str) -> str:
    sections = re.findall(r'<section class="policy-section"[^>]*>(.*?)</section>', html, re.S)
    body = "".join(re.sub(r'<p class="policy-section__changed">.*?</p>', "", s, flags=re.S)
                   for s in sections)
    return words(body)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the property ----------------------------------------------------------------------------


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@settings(max_examples=int(os.environ.get("POLICY_FUZZ_EXAMPLES", "15")), deadline=None,
          derandomize=not os.environ.get("POLICY_FUZZ_RANDOM"), database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(histories)
def test_random_histories_keep_the_invariants(history: tuple) -> None:  # type: ignore[type-arg]
    first, drawn = history
    with tempfile.TemporaryDirectory(prefix="policy-fuzz-") as folder, \
            pytest.MonkeyPatch.context() as patch:
        repo = GitRepo.init(Path(folder) / "site")
        write_config(repo.path)
        writer = Writer(repo)
        writer.commit("First version", {f"{p}-{k}.md": fragment(k, b) for p, k, b in first},
                      "material")
        for step in drawn:
            writer.remember_main()
            writer.step(step)
        patch.setenv("POLICY_AS_OF", "2100-01-01")
        catcher = _Warnings()
        logging.getLogger("mkdocs").addHandler(catcher)
        try:
            site = build(repo.path / "mkdocs.yml")
        finally:
            logging.getLogger("mkdocs").removeHandler(catcher)
        for message in catcher.messages:
            assert any(known in message for known in DOCUMENTED), message

        expected = expected_versions(repo)
        ids = ids_of(expected)
        event(f"{len(ids)} versions")  # pytest --hypothesis-show-statistics
        event(f"steps: {sorted({step[0] for step in drawn})}")
        event(f"warnings: {sorted({m.split(' ', 3)[2][:20] for m in catcher.messages})}")
        assert version_ids(site) == list(reversed(ids))
        data = manifest(site)
        assert [(v["commit"], v["id"]) for v in reversed(data["versions"])] == \
            [(commit, id_) for (commit, _day), id_ in zip(expected, ids, strict=True)]

        texts = {}
        for (commit, _day), id_ in zip(expected, ids, strict=True):
            sections = git_text(repo, commit)
            texts[id_] = "\n\n".join(s.strip("\n") for _key, s in sections) + "\n"
            page = (site / f"privacy/versions/{id_}/index.html").read_text("utf-8")
            assert archived_text(page) == words("".join(render(s) for _k, s in sections)), id_
        for old, new in itertools.pairwise(ids):
            page = (site / f"privacy/compare/{old}/{new}/index.html").read_text("utf-8")
            if "The words did not change." in page:
                assert squash(words(render(texts[old]))) == squash(words(render(texts[new])))
                continue
            filled = fill_folds(site / f"privacy/compare/{old}/{new}/index.html")
            inline = lxml.html.tostring(filled.box, encoding="unicode")
            assert squash(extract_text(inline, drop="ins")) == \
                squash(extract_text(render(texts[old]))), (old, new)
            assert squash(extract_text(inline, drop="del")) == \
                squash(extract_text(render(texts[new]))), (old, new)
