"""The GitHub Actions workflows: valid, complete, and every command they run works here.

The workflows themselves cannot run here; their YAML is checked, and the shell commands of
the pull-request job are run, in order, in a clone with an ``origin`` as Actions has it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_history.editors.preview import COMMENT_MARKER
from tests.scripts.support import HAVE_REDLINE, make_site, material, meta
from tests.support import ROOT, GitRepo, git

WORKFLOWS = ROOT / ".github" / "workflows"
PR = WORKFLOWS / "policy-pr.yml"
DEPLOY = WORKFLOWS / "deploy.yml"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key 'on' as true
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_is_valid_and_runs_only_project_scripts(path: Path) -> None:
    workflow = load(path)
    assert {"name", "on", "jobs", "permissions"} <= workflow.keys()
    for name, job in workflow["jobs"].items():
        assert "runs-on" in job, name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "run" in step:
                scripts = re.findall(r"(?:^|\s)(scripts/[\w.-]+)", step["run"])
                assert scripts, f"{path.name}: '{step['run']}' calls no script of scripts/"
                for script in scripts:
                    target = ROOT / script
                    assert target.is_file() and os.access(target, os.X_OK), script
            if str(step.get("uses", "")).startswith("actions/checkout"):
                assert step["with"]["fetch-depth"] == 0, "the site is built from the history"


def test_pull_requests_are_checked_and_previewed() -> None:
    workflow = load(PR)
    assert "pull_request" in workflow["on"]
    runs = [step["run"] for step in steps(workflow) if "run" in step]
    assert any(r.startswith("scripts/check --base") and "--format github" in r for r in runs)
    assert any(r.startswith("scripts/preview --base") and "--markdown preview.md" in r
               for r in runs)
    comment = next(s for s in steps(workflow) if "github-script" in s.get("uses", ""))
    script = comment["with"]["script"]
    assert 'readFileSync("preview.md"' in script
    assert "updateComment" in script and "createComment" in script  # one sticky comment


def test_the_pull_requests_code_never_runs_where_a_token_can_write() -> None:
    """The check job runs the pull request's scripts with a read-only token; the job that
    may write (the comment) runs no script and checks nothing out."""
    workflow = load(PR)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions", workflow["permissions"])
        writes = any(value == "write" for value in permissions.values())
        runs_code = any("run" in step or "checkout" in step.get("uses", "")
                        for step in job["steps"])
        assert not (writes and runs_code), name
    comment = workflow["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["needs"] == "check" and "!cancelled()" in comment["if"]
    uploaded = {step["with"]["name"] for step in workflow["jobs"]["check"]["steps"]
                if "upload-artifact" in step.get("uses", "")}
    downloaded = {step["with"]["name"] for step in comment["steps"]
                  if "download-artifact" in step.get("uses", "")}
    assert downloaded == {"preview"} <= uploaded


def test_main_is_deployed_daily_and_on_push() -> None:
    workflow = load(DEPLOY)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]  # daily
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    upload = next(s for s in steps(workflow) if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    runs = [step["run"] for step in steps(workflow) if "run" in step]
    assert "scripts/site build" in runs
    # what was built is verified before it is uploaded
    assert runs.index("scripts/verify-site site --format github") > \
        runs.index("scripts/site build")


#: ``uses: owner/action@<commit> # vX.Y.Z``: a tag can be moved to other code, a commit
#: cannot; the comment says which release the commit is
PINNED = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    lines = [line for line in path.read_text("utf-8").splitlines()
             if re.match(r"^\s*(?:- )?uses:", line)]
    assert [line for line in lines if not PINNED.match(line)] == []
    # every action the workflow uses is on such a line (none hides in another YAML form)
    assert len(lines) == sum("uses" in step for step in steps(load(path))) > 0


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_checkout_leaves_no_token_for_the_code_it_runs(path: Path) -> None:
    """actions/checkout keeps the job's token in .git/config unless told not to; the steps
    after it run the repository's (on a pull request: the proposer's) code."""
    checked = 0
    for job in load(path)["jobs"].values():
        for index, step in enumerate(job["steps"]):
            if str(step.get("uses", "")).startswith("actions/checkout@") and any(
                    "run" in later for later in job["steps"][index + 1:]):
                assert step.get("with", {}).get("persist-credentials") is False, step
                checked += 1
    assert checked  # both workflows check out the repository and run its scripts


#: the comment step's script run by Node as actions/github-script runs it (an async function
#: of require, github and context), against a GitHub that has ``COMMENTS`` on the pull
#: request; it prints the calls the script made
NODE_HARNESS = """
const fs = require("fs");
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const calls = [];
const github = {
  paginate: async (method, params) => JSON.parse(process.env.COMMENTS),
  rest: { issues: {
    listComments: "listComments",
    updateComment: async (params) => { calls.push({ update: params }); },
    createComment: async (params) => { calls.push({ create: params }); },
  } },
};
const context = { repo: { owner: "acme", repo: "policies" },
                  payload: { pull_request: { number: 7 } } };
const script = fs.readFileSync(process.argv[2], "utf8");
new AsyncFunction("require", "github", "context", script)(require, github, context)
  .then(() => console.log(JSON.stringify(calls)));
"""


def comment_calls(tmp_path: Path, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    step = next(s for s in steps(load(PR)) if "github-script" in s.get("uses", ""))
    (tmp_path / "script.js").write_text(step["with"]["script"], "utf-8")
    (tmp_path / "harness.js").write_text(NODE_HARNESS, "utf-8")
    (tmp_path / "preview.md").write_text(f"{COMMENT_MARKER}\nThe redline.\n", "utf-8")
    done = subprocess.run(["node", "harness.js", "script.js"], cwd=tmp_path, check=True,
                          capture_output=True, text=True,
                          env={**os.environ, "COMMENTS": json.dumps(comments)})
    return json.loads(done.stdout)


def comment(number: int, login: str, kind: str) -> dict[str, Any]:
    return {"id": number, "user": {"login": login, "type": kind},
            "body": f"{COMMENT_MARKER}\nI approve of this change.\n"}


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not here")
def test_the_preview_comment_found_is_the_bots_own(tmp_path: Path) -> None:
    """The sticky comment is found by its author and its marker: a reviewer's or another
    bot's comment that starts with the marker is never edited."""
    body = f"{COMMENT_MARKER}\nThe redline.\n"
    mallory, other_bot = comment(1, "mallory", "User"), comment(2, "renovate[bot]", "Bot")
    ours = comment(3, "github-actions[bot]", "Bot")
    assert comment_calls(tmp_path, [mallory, other_bot, ours]) == [
        {"update": {"owner": "acme", "repo": "policies", "comment_id": 3, "body": body}}]
    assert comment_calls(tmp_path, [mallory, other_bot]) == [
        {"create": {"owner": "acme", "repo": "policies", "issue_number": 7, "body": body}}]


def test_the_comment_step_knows_the_previews_marker() -> None:
    step = next(s for s in steps(load(PR)) if "github-script" in s.get("uses", ""))
    assert f'const marker = "{COMMENT_MARKER}";' in step["with"]["script"]
    assert 'c.user.login === "github-actions[bot]"' in step["with"]["script"]


def _expand(text: str, context: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: context[m.group(1)], text)


def run_job(workflow: dict[str, Any], job: str, cwd: Path,
            context: dict[str, str]) -> list[tuple[str, int, str]]:
    """Run a job's ``run:`` steps (not the set-up) in ``cwd``, as Actions would."""
    spec = workflow["jobs"][job]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.update({k: _expand(str(v), context) for k, v in spec.get("env", {}).items()})
    results = []
    for step in spec["steps"]:
        if "run" not in step or step["run"].strip() == "scripts/setup":
            continue
        done = subprocess.run(["bash", "-e", "-c", _expand(step["run"], context)], cwd=cwd,
                              env=env, capture_output=True, text=True)
        results.append((step["run"], done.returncode, done.stdout + done.stderr))
    return results


def test_the_pull_request_jobs_commands_work_on_a_clone(repo: GitRepo, tmp_path: Path) -> None:
    make_site(repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    work = GitRepo(clone)
    git(clone, "config", "user.name", "Legal Editor")
    git(clone, "config", "user.email", "legal@example.com")
    (clone / "scripts").symlink_to(ROOT / "scripts")  # a site repository has them
    work.branch("longer-cookies")
    work.commit("Keep cookies longer", "2026-03-01",
                {"policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies for 90 days.\n"})
    context = {"github.base_ref": "main", "github.server_url": "https://github.com",
               "github.repository": "acme/policies", "github.run_id": "42"}
    workflow = load(PR)
    results = run_job(workflow, "check", clone, context)
    (_, preview_code, preview_out), (_, check_code, check_out) = results
    assert preview_code == 0, preview_out
    comment = (clone / "preview.md").read_text("utf-8")
    assert comment.split("\n")[0] == COMMENT_MARKER
    assert "https://github.com/acme/policies/actions/runs/42" in comment
    assert ("<del>30 </del><ins>90 </ins>" if HAVE_REDLINE else "+We use cookies for 90") \
        in comment
    assert (clone / "redline.html").is_file()
    assert check_code == 1
    assert "::error file=policies/privacy/policy.yml,line=2" in check_out
    work.commit("Declare it", "2026-03-02", {"policies/privacy/policy.yml": meta(
        material("2031-01-01", "We keep cookies for 90 days."))})
    results = run_job(workflow, "check", clone, context)
    assert [code for _run, code, _out in results] == [0, 0], results
