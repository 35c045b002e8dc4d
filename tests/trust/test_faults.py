"""Issue 9 §5: a build killed mid-way, a corrupted cache, a read-only source tree.

The caches are in .cache/policy-history/ beside mkdocs.yml: store.section_prints (what
each section renders to) and store.replays (the replayed history).
tests/core/test_cache.py and tests/core/test_history_cache.py damage them in every way on
their own; here a real build meets a damaged one and must give the same site as a clean
build.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import GitRepo, build_cli, write_config
from tests.trust.sites import first_difference, fresh_clone, policy_yml, site_files, start

AS_OF = "2021-01-01"


@pytest.fixture
def slow_site(repo: GitRepo) -> GitRepo:
    """A site whose build takes a second or two: three versions of a 600 kB section."""
    write_config(repo.path)
    paragraph = "We keep this sentence so that the text is long enough to take a while. " * 12
    annex = "## Annex\n\n" + (paragraph + "\n\n") * (600_000 // len(paragraph))
    entries: list[tuple[str, str]] = []
    for number, day in enumerate(("2020-01-01", "2020-02-01", "2020-03-01"), start=1):
        entries.insert(0, (day, f"Version {number}."))
        repo.commit(f"Version {number}", day, {
            "policies/privacy/policy.yml": policy_yml(*entries),
            "policies/privacy/10-intro.md": f"# Privacy\n\nVersion {number} of the text.\n",
            "policies/privacy/90-annex.md": annex.replace("sentence", f"sentence {number}", 3),
        })
    return repo


def mkdocs() -> str:
    return str(Path(sys.executable).parent / "mkdocs")


def test_a_build_killed_mid_way_then_rebuilt_gives_the_right_site(slow_site: GitRepo,
                                                                  tmp_path: Path) -> None:
    site = tmp_path / "built"  # (tmp_path / "site" is the repository)
    env = {**os.environ, "POLICY_AS_OF": AS_OF, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen([mkdocs(), "build", "-q", "-d", str(site)], cwd=slow_site.path,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (site / "assets").exists() and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    partial = site_files(site)
    assert "privacy/versions.json" not in partial  # written last: the build was cut short
    assert build_cli(slow_site.path, "-q", "-d", str(site),
                     env={"POLICY_AS_OF": AS_OF}).returncode == 0
    reference = tmp_path / "reference"
    assert build_cli(slow_site.path, "-q", "-d", str(reference),
                     env={"POLICY_AS_OF": AS_OF}).returncode == 0
    rebuilt, clean = site_files(site), site_files(reference)
    assert rebuilt == clean, first_difference(rebuilt, clean)
    assert "privacy/versions/2020-03-01/index.html" in rebuilt


def _forked_workers(pid: int) -> set[int]:
    """The processes ``pid`` forked and that run its own program (not git, say), from
    Linux's /proc."""
    found = set()
    try:
        program = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # ended meanwhile
        return found
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            if parent == pid and (stat.parent / "cmdline").read_bytes() == program:
                found.add(int(stat.parent.name))
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (an ended process nobody reaped yet is a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_killed_build_leaves_no_worker_behind(slow_site: GitRepo, tmp_path: Path) -> None:
    """A build killed while its workers compute (Ctrl-C twice, a CI timeout): they end
    too, rather than wait for work for ever."""
    write_config(slow_site.path, policies={"jobs": 2})
    site = tmp_path / "built"
    env = {**os.environ, "POLICY_AS_OF": AS_OF, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen([mkdocs(), "build", "-q", "-d", str(site)], cwd=slow_site.path,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = _forked_workers(process.pid)
        time.sleep(0.01)
    assert workers, "the build ended before it forked a worker"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 20
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = sorted(pid for pid in workers if _running(pid))
    for pid in left:  # not to leave them to the next tests
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers still running after their build was killed: {left}"


def damage_cache(cache: Path, damage: str) -> None:
    data = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        cache.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "garbage":
        cache.write_bytes(os.urandom(len(data)))
    else:  # something else where the file should be
        cache.unlink()
        cache.mkdir()


@pytest.mark.parametrize("kind", ["fingerprints", "history"])
def test_a_corrupted_cache_is_detected_and_rebuilt(repo: GitRepo, tmp_path: Path,
                                                  kind: str) -> None:
    """Both cache files: the fingerprints (read when the history is replayed whole) and
    the snapshot of the history (read by every build)."""
    start(repo)
    repo.commit("Logs", "2020-02-01", {
        "policies/privacy/10-intro.md": "# Privacy\n\nWe collect your email and logs.\n",
        "policies/privacy/policy.yml": policy_yml(("2020-02-01", "Logs."),
                                                  ("2020-01-01", "First.")),
    })
    env = {"POLICY_AS_OF": AS_OF}
    reference = tmp_path / "reference"
    assert build_cli(repo.path, "-q", "-d", str(reference), env=env).returncode == 0
    clean = site_files(reference)
    folder = repo.path / ".cache/policy-history"

    def forget_the_snapshot() -> None:
        if kind == "fingerprints":  # else the fingerprints are not read at all
            for snapshot in folder.glob("history-*.bin"):
                snapshot.unlink()

    for damage in ("truncated", "flipped byte", "garbage", "a folder"):
        [cache] = folder.glob(f"{kind}-*.bin")
        damage_cache(cache, damage)
        forget_the_snapshot()
        site = tmp_path / f"{kind}-{damage.replace(' ', '-')}"
        result = build_cli(repo.path, "-d", str(site), env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        rebuilt = site_files(site)
        assert rebuilt == clean, (damage, first_difference(rebuilt, clean))
        if cache.is_dir():  # not replaced (a folder is in the way), and not an error
            assert "rebuilding it" in result.stderr, damage
            cache.rmdir()
            forget_the_snapshot()
            assert build_cli(repo.path, "-q", "-d", str(site), env=env).returncode == 0
        else:
            assert "rebuilding it" in result.stderr, damage  # said, at the INFO level
        # rewritten whole: the next build reads it without a word
        forget_the_snapshot()
        again = build_cli(repo.path, "-d", str(tmp_path / "again"), env=env)
        assert again.returncode == 0 and "cache:" not in again.stderr, damage


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A folder another user can enter (pytest's are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="policy-history-ro-"))
    path.chmod(0o755)
    yield path
    for folder, dirs, _files in os.walk(path):
        for name in dirs:
            (Path(folder) / name).chmod(0o755)
    shutil.rmtree(path)


def test_a_read_only_source_tree_builds(world_readable_dir: Path) -> None:
    clone = fresh_clone(world_readable_dir / "clone")
    out = world_readable_dir / "out"
    out.mkdir()
    before = {p: p.stat().st_mtime_ns for p in clone.rglob("*")}
    command = [mkdocs(), "build", "-q", "-d", str(out)]
    env = {**os.environ, "POLICY_AS_OF": AS_OF, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONDONTWRITEBYTECODE": "0"}
    if os.geteuid() == 0:
        # root writes through permission bits: build as another user, for whom the tree
        # is read-only; git must be told the tree (owned by root) is safe to read
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*drop, sys.executable, "-c", "import mkdocs, policy_history"],
                               cwd=clone, capture_output=True, env={**env, "PYTHONPATH": str(
                                   clone / "hooks")})
        if probe.returncode:
            pytest.skip(f"user 65534 cannot run {sys.executable} here (a private folder "
                        "on its path); as root, permission bits would not make a tree read-only")
        command = [*drop, *command]
        out.chmod(0o777)
        env.update({"HOME": str(out), "GIT_CONFIG_COUNT": "1",
                    "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"})
    subprocess.run(["chmod", "-R", "a-w", str(clone)], check=True)
    try:
        result = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(clone)], check=True)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "privacy/index.html").exists() and (out / "privacy/versions.json").exists()
    assert {p: p.stat().st_mtime_ns for p in clone.rglob("*")} == before  # nothing written
