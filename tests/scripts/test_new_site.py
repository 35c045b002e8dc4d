"""new-site: the files it plans, escaped for where each value lands; the policy it cuts
from a Markdown file; what it refuses; the folder and commit it makes; the console
command. (The whole flow, built and opened in Chromium: tests/browser/test_new_site_flow.py.)"""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import html5lib
import markdown
import pytest
import yaml
from mkdocs.config import load_config

from policy_history import __version__
from policy_history.editors import new_site
from policy_history.editors.commands import SUBCOMMANDS
from policy_history.editors.new_site import SiteSpec, create_site, imported_policy, plan_site
from policy_history.errors import PolicyError
from tests.support import HOOK, git

DAY = dt.date(2027, 1, 4)
IDENTITY = {"GIT_AUTHOR_NAME": "Site Maker", "GIT_AUTHOR_EMAIL": "maker@example.com",
            "GIT_COMMITTER_NAME": "Site Maker", "GIT_COMMITTER_EMAIL": "maker@example.com",
            "GIT_AUTHOR_DATE": "2027-01-04T09:00:00+00:00",
            "GIT_COMMITTER_DATE": "2027-01-04T09:00:00+00:00"}
NAMES = ["Acme", "Ünïcode GmbH & Co. KG", 'Quote "Inc": #1 <b>bold</b> *stars* [link](x)',
         "<script>alert(1)</script>", "{{ config }} {% raw %} $name ${{ x }}", "- list",
         "Yes", "null", "a: b", "# not a heading", "\\backslash\\", "&amp; entity"]


@pytest.fixture
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def visible_text(html: str) -> str:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    assert tree.find(".//script") is None and tree.find(".//b") is None
    return "".join(tree.itertext())


@pytest.mark.parametrize("name", NAMES)
def test_a_name_reads_back_exactly_wherever_it_lands(name: str, tmp_path: Path) -> None:
    files = plan_site(SiteSpec(name=name, effective=DAY))
    config = yaml.load(files["mkdocs.yml"], Loader=_env_loader())
    assert config["site_name"] == f"{name} Policies"
    assert config["extra"]["company"]["name"] == name
    home = markdown.markdown(files["docs/index.md"])
    assert visible_text(home).startswith(f"{name} Policies\n")
    readme = markdown.markdown(files["README.md"])
    assert visible_text(readme).startswith(f"{name} Policies\n")
    # and MkDocs reads the same configuration (the file is written where it will live)
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    loaded = load_config(str(tmp_path / "mkdocs.yml"))
    assert loaded.site_name == f"{name} Policies"


def _env_loader() -> type:
    """A YAML loader that reads MkDocs' ``!ENV`` tag (as None: the variable is unset)."""
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!ENV", lambda loader, node: None)
    return Loader


@pytest.mark.parametrize(("name", "expected"), [
    ("", "is empty"), ("   ", "is empty"), ("A" * 101, "101 characters"),
    ("Acme\nsite_url: evil", "U+000A"), ("Acme\u202eoC", "U+202E"), ("Acme\x00", "U+0000"),
])
def test_a_bad_name_is_refused_with_the_fix(name: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        plan_site(SiteSpec(name=name, effective=DAY))
    assert expected in str(caught.value) and caught.value.fix


@pytest.mark.parametrize(("option", "value"), [
    ("site_url", "javascript:alert(1)"), ("site_url", "https://a.example/\"\nx: y"),
    ("repo_url", "ftp://example.com/"), ("requirement", "-e /evil"),
    ("requirement", "policy-history\n--index-url https://evil.example/"),
])
def test_bad_addresses_and_requirements_are_refused(option: str, value: str) -> None:
    with pytest.raises(PolicyError) as caught:
        plan_site(SiteSpec(name="Acme", effective=DAY, **{option: value}))
    assert caught.value.fix


def test_the_plan_is_a_whole_site_and_none_of_this_projects_pages() -> None:
    files = plan_site(SiteSpec(name="Acme", effective=DAY, site_url="https://p.acme.test/",
                               repo_url="https://github.com/acme/policies"))
    assert {"mkdocs.yml", "README.md", "docs/index.md", "requirements.txt", ".gitignore",
            "hooks/policy_history_hook.py", ".github/workflows/deploy.yml",
            ".github/workflows/policy-pr.yml", "policies/privacy/policy.yml"} <= set(files)
    assert [f for f in files if f.startswith("docs/")] == ["docs/index.md"]
    assert not [f for f in files if f.endswith(".tmpl") or "$" in f]
    for path, text in files.items():
        if not path.startswith(".github/"):  # GitHub's ${{ }} expressions
            assert "$" not in text.replace("$effective", ""), path
    config = yaml.load(files["mkdocs.yml"], Loader=_env_loader())
    assert config["site_url"] == "https://p.acme.test/"
    assert config["repo_url"] == "https://github.com/acme/policies"
    assert config["hooks"] == ["hooks/policy_history_hook.py"]
    policy = yaml.safe_load(files["policies/privacy/policy.yml"])
    assert policy["changes"] == [{"effective": DAY, "summary": policy["changes"][0]["summary"]}]
    assert files["requirements.txt"].splitlines()[-1] == f"policy-history=={__version__}"


def test_the_sites_hook_file_is_this_repositorys() -> None:
    """One shim: the file new-site writes is the one the sample uses."""
    assert (new_site.TEMPLATE_DIR / "hooks/policy_history_hook.py").read_bytes() == \
        HOOK.read_bytes()
    module = ast.parse(HOOK.read_text())
    code = module.body[1:] if ast.get_docstring(module) else module.body
    assert [type(statement) for statement in code] == [ast.ImportFrom]
    assert len(HOOK.read_text().splitlines()) <= 10


def test_the_workflows_run_the_installed_command_only() -> None:
    files = plan_site(SiteSpec(name="Acme", effective=DAY))
    runs = []
    for name in (".github/workflows/deploy.yml", ".github/workflows/policy-pr.yml"):
        workflow = yaml.safe_load(files[name])
        for job in workflow["jobs"].values():
            runs += [step["run"] for step in job["steps"] if "run" in step]
    assert runs and not [r for r in runs if "scripts/" in r]
    commands = {r.split()[1] for r in runs if r.startswith("policy-history ")}
    assert commands == {"check", "preview", "verify-site"} <= set(SUBCOMMANDS)


POLICY = """\ufeff# Terms of Service

Welcome. These terms apply to you.

## Your account

Keep your password safe.

```markdown
## Not a section: inside a fence
```

## Payment ##

Pay on time.

## Your account

A second section with the same heading.
"""


def test_a_policy_file_is_cut_into_sections(tmp_path: Path) -> None:
    source = tmp_path / "Terms of Service.md"
    source.write_text(POLICY.replace("\n", "\r\n"), encoding="utf-8")
    files = imported_policy(source, DAY, None)
    assert sorted(files) == ["policies/terms-of-service/10-introduction.md",
                             "policies/terms-of-service/20-your-account.md",
                             "policies/terms-of-service/30-payment.md",
                             "policies/terms-of-service/40-your-account-2.md",
                             "policies/terms-of-service/policy.yml"]
    meta = yaml.safe_load(files["policies/terms-of-service/policy.yml"])
    assert meta["title"] == "Terms of Service"
    assert meta["changes"][0]["effective"] == DAY
    assert "## Not a section" in files["policies/terms-of-service/20-your-account.md"]
    assert files["policies/terms-of-service/30-payment.md"] == "## Payment ##\n\nPay on time.\n"
    body = "".join(v for k, v in sorted(files.items()) if k.endswith(".md"))
    assert "\r" not in body and "\ufeff" not in body
    # nothing is lost: every line of the source is in a section, or is the title
    kept = body.splitlines()
    for line in POLICY.removeprefix("\ufeff").splitlines()[1:]:
        assert not line or line in kept


@pytest.mark.parametrize(("content", "expected"), [
    (b"Just text, no title.\n", "no title"),
    (b"# Title only\n", "no text"),
    (b"---\ntitle: X\n---\n# X\n\nText.\n", "front matter"),
    (b"# Title\n\nCaf\xe9\n", "not UTF-8"),
    (b"# Title\n\n" + b">" * 40 + b" Too deep.\n", "nested"),
])
def test_a_bad_policy_file_is_a_clear_error(content: bytes, expected: str,
                                            tmp_path: Path) -> None:
    source = tmp_path / "policy.md"
    source.write_bytes(content)
    with pytest.raises(PolicyError) as caught:
        imported_policy(source, DAY, None)
    assert expected in str(caught.value)
    assert caught.value.file == str(source) and caught.value.fix


def test_a_policy_file_that_is_missing_or_badly_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        imported_policy(tmp_path / "nowhere.md", DAY, None)
    (tmp_path / "---.md").write_text("# T\n\nText.\n")
    with pytest.raises(PolicyError, match="--slug"):
        imported_policy(tmp_path / "---.md", DAY, None)
    assert "policies/terms/policy.yml" in imported_policy(tmp_path / "---.md", DAY, "terms")


def test_the_site_is_written_and_committed(tmp_path: Path, identity: None) -> None:
    target = tmp_path / "acme"
    files, commit = create_site(target, SiteSpec(name="Acme", effective=DAY))
    assert git(target, "rev-parse", "HEAD").strip() == commit
    assert git(target, "branch", "--show-current").strip() == "main"
    assert git(target, "status", "--porcelain") == ""
    assert sorted(git(target, "ls-files").split()) == sorted(files)
    assert git(target, "log", "-1", "--format=%an|%aI|%cI").strip() == (
        "Site Maker|2027-01-04T09:00:00+00:00|2027-01-04T09:00:00+00:00")


def test_an_existing_folder_is_never_written_over(tmp_path: Path, identity: None) -> None:
    target = tmp_path / "acme"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(PolicyError, match="not an empty folder"):
        create_site(target, SiteSpec(name="Acme", effective=DAY))
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "keep me"


def test_without_a_git_identity_nothing_is_written(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for key in IDENTITY:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    with pytest.raises(PolicyError, match=r"git config --global user\.name"):
        create_site(tmp_path / "acme", SiteSpec(name="Acme", effective=DAY))
    assert not (tmp_path / "acme").exists()


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console command, as a site's editor runs it."""
    script = Path(sys.executable).parent / "policy-history"
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **IDENTITY})


def test_the_console_command(tmp_path: Path) -> None:
    listing = command("--help", cwd=tmp_path)
    assert listing.returncode == 0
    assert all(name in listing.stdout for name in SUBCOMMANDS)
    unknown = command("publish", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown command 'publish'" in unknown.stderr
    made = command("new-site", "acme", "--name", "Acme", "--effective", "2027-01-04",
                   cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "effective 2027-01-04" in made.stdout + made.stderr
    again = command("new-site", "acme", "--name", "Acme", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.startswith("error: acme already exists") and "Traceback" not in again.stderr
    bad_date = command("new-site", "b", "--name", "B", "--effective", "soon", cwd=tmp_path)
    assert bad_date.returncode == 2 and "expected a date like 2027-01-01" in bad_date.stderr
    checked = command("check", cwd=tmp_path / "acme")
    assert checked.returncode == 0, checked.stderr
    assert "policy-history check" in command("check", "--help", cwd=tmp_path).stdout


def test_the_workflows_pin_the_actions_ours_pin() -> None:
    """A new site's workflows are ours with the installed command: the same actions, at
    the same commits, so a security update of one is made in both."""
    from tests.support import ROOT

    def actions(texts: list[str]) -> set[str]:
        found = set()
        for text in texts:
            for job in yaml.safe_load(text)["jobs"].values():
                found |= {step["uses"] for step in job["steps"] if "uses" in step}
        return found

    files = plan_site(SiteSpec(name="Acme", effective=DAY))
    theirs = actions([files[".github/workflows/deploy.yml"],
                      files[".github/workflows/policy-pr.yml"]])
    ours = actions([p.read_text() for p in (ROOT / ".github/workflows").glob("*.yml")])
    assert theirs == ours and all("@" in action and len(action.split("@")[1]) == 40
                                  for action in theirs)
