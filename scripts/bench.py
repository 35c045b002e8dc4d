"""Benchmark Policy History builds against plain Material builds of the same pages.

Run it with ``scripts/bench`` (which sets up the environment). For each target it times,
as the median of several runs with min and max:

* a cold build (no cache), a warm rebuild (nothing changed), a rebuild after one committed
  fragment edit, and ``mkdocs serve``'s rebuild after a fragment edit (a draft);
* peak memory (max RSS), and the git processes one build starts;
* the output: its files and MB, the median and 95th-percentile size of its archive pages
  (versions and redlines), and which hosts' documented limits it fits
  (``policy_history.hosts``);
* the baselines: a plain Material build of the same current pages, and the same with the
  git-revision-date-localized plugin;

and prints ratios against the plain build. Targets: the sample site, the corpora in
``../shared/corpora`` and a synthetic history (policies × versions × sections × words).
It writes a Markdown table and a plot of cost against history size.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

from policy_history import hosts  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
PYTHON = sys.executable
MKDOCS = str(Path(PYTHON).parent / "mkdocs")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICY_AS_OF": "2026-11-24T00:00:00Z",
       "LC_ALL": "C.UTF-8"}
WORDS = [
    "data", "information", "personal", "service", "account", "privacy", "cookies", "users",
    "third", "parties", "share", "collect", "retain", "delete", "request", "law", "purpose",
    "consent", "security", "provider", "email", "address", "device", "location", "payment",
    "support", "notice", "rights", "access", "correct", "transfer",
]


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def add(self, seconds: float, rss_kb: int) -> None:
        self.seconds.append(seconds)
        self.rss_mb.append(rss_kb / 1024)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def cell(self) -> str:
        if not self.seconds:
            return "–"
        return f"{self.median:.2f} ({min(self.seconds):.2f}–{max(self.seconds):.2f})"


@dataclass
class Output:
    """What a build wrote: the figures a host and a visitor meet."""

    files: int = 0
    mb: float = 0.0
    #: the archive's pages: versions' (``*/versions/*/index.html``) and redlines'
    #: (``*/compare/**/index.html``); their size in KB, median and 95th percentile
    archive_pages: int = 0
    archive_kb_median: float = float("nan")
    archive_kb_p95: float = float("nan")
    #: the hosts of ``policy_history.hosts`` whose every limit the site keeps to
    fits: list[str] = field(default_factory=list)


@dataclass
class Result:
    name: str
    commits: int = 0
    versions: int = 0
    pages: int = 0
    cold: Runs = field(default_factory=Runs)
    warm: Runs = field(default_factory=Runs)
    edit: Runs = field(default_factory=Runs)
    serve: Runs = field(default_factory=Runs)
    plain: Runs = field(default_factory=Runs)
    dated: Runs = field(default_factory=Runs)
    output: Output = field(default_factory=Output)
    git_processes: int = 0
    peak_mb: float = 0.0


# -- sites ------------------------------------------------------------------------------


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


#: ``extra.policies`` settings for every measured site (``--set key=value``)
SETTINGS: dict[str, object] = {}


def site_config(folder: Path, policies: Path, extra: dict | None = None) -> Path:
    """A mkdocs.yml in ``folder`` publishing ``policies`` with the project's hook."""
    import yaml

    (folder / "docs").mkdir(parents=True, exist_ok=True)
    config = {
        "site_name": "Benchmark", "site_url": "https://bench.example.com/",
        "docs_dir": "docs", "site_dir": "site",
        "theme": {"name": "material", "font": False},
        "hooks": [str(ROOT / "hooks" / "policy_history_hook.py")],
        # serve rebuilds on policy edits only if it watches them (they are outside docs/)
        "watch": [str(policies)],
        "markdown_extensions": ["toc", "attr_list", "tables"],
        "extra": {**(extra or {}), "policies": {"dir": str(policies), **SETTINGS}},
    }
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def baseline_configs(folder: Path, clone: Path, policies_rel: str) -> tuple[Path, Path]:
    """Plain Material over the same current pages, and the same with git dates."""
    import yaml

    docs = clone / policies_rel if policies_rel else clone
    plain_dir = folder / "plain"
    plain_dir.mkdir(parents=True, exist_ok=True)
    common = {"site_name": "Baseline", "theme": {"name": "material", "font": False},
              "markdown_extensions": ["toc", "attr_list", "tables"], "docs_dir": str(docs)}
    plain = plain_dir / "mkdocs.yml"
    plain.write_text(yaml.safe_dump({**common, "site_dir": str(plain_dir / "site")}))
    dated_dir = folder / "dated"
    dated_dir.mkdir(parents=True, exist_ok=True)
    dated = dated_dir / "mkdocs.yml"
    dated.write_text(yaml.safe_dump({**common, "site_dir": str(dated_dir / "site"),
                                     "plugins": ["search", "git-revision-date-localized"]}))
    return plain, dated


def clone_corpus(name: str, into: Path) -> Path:
    bundle = CORPORA / f"{name}.bundle"
    if not bundle.exists():
        raise SystemExit(f"error: {bundle} is missing (the corpora live in ../shared/corpora)")
    target = into / name
    subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    return target


def make_synthetic(target: Path, policies: int, versions: int, sections: int, words: int,
                   seed: int = 7) -> Path:
    """A repository of folder policies; each commit changes a few words of one section.

    Written with ``git fast-import`` so that tens of thousands of commits take seconds.
    """
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    git(target, "init", "-q", "-b", "main")
    texts = {(p, s): [rng.choice(WORDS) for _ in range(words)]
             for p in range(policies) for s in range(sections)}
    stream: list[bytes] = []
    mark = 0
    moment = 1_400_000_000

    def blob(data: str) -> int:
        nonlocal mark
        mark += 1
        raw = data.encode()
        stream.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(raw), raw))
        return mark

    def fragment(p: int, s: int) -> str:
        body = texts[(p, s)]
        paragraphs = [" ".join(body[i:i + 60]).capitalize() + "." for i in range(0, len(body), 60)]
        return f"## Section {s + 1}\n\n" + "\n\n".join(paragraphs) + "\n"

    def commit(files: dict[str, int], message: str) -> None:
        nonlocal mark, moment
        moment += 86_400
        mark += 1
        data = message.encode()
        head = (f"commit refs/heads/main\nmark :{mark}\n"
                f"author Bench <bench@example.com> {moment} +0000\n"
                f"committer Bench <bench@example.com> {moment} +0000\n").encode()
        stream.append(head + b"data %d\n%s\n" % (len(data), data))
        for path, ref in files.items():
            stream.append(f"M 100644 :{ref} {path}\n".encode())
        stream.append(b"\n")

    first: dict[str, int] = {}
    for p in range(policies):
        first[f"policies/policy-{p}/policy.yml"] = blob(f"title: Policy {p}\n")
        for s in range(sections):
            first[f"policies/policy-{p}/{(s + 1) * 10:03d}-section.md"] = blob(fragment(p, s))
    commit(first, "Initial policies")
    for v in range(1, versions):
        for p in range(policies):
            s = rng.randrange(sections)
            body = texts[(p, s)]
            for _ in range(3):
                body[rng.randrange(len(body))] = rng.choice(WORDS)
            commit({f"policies/policy-{p}/{(s + 1) * 10:03d}-section.md": blob(fragment(p, s))},
                   f"Policy {p}, version {v + 1}")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=target, input=b"".join(stream),
                   check=True)
    git(target, "checkout", "-q", "-f", "main")
    return target


# -- measuring --------------------------------------------------------------------------


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; return wall seconds and max RSS (KiB) from /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *args], cwd=cwd,
                              env=env or ENV, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode:
            raise SystemExit(f"error: {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
        return seconds, int(out.read().strip().splitlines()[-1])


def build(config: Path) -> tuple[float, int]:
    return timed([MKDOCS, "build", "-q", "-f", str(config)], config.parent)


def settle() -> None:
    """Write out what earlier runs left in the page cache (deleting a 2 GB site leaves a
    lot), so that the next run is not charged for it."""
    os.sync()


def clear_cache(folder: Path) -> None:
    for name in (".cache", "site"):
        shutil.rmtree(folder / name, ignore_errors=True)


def count_git_processes(config: Path) -> int:
    shim = config.parent / "git-shim"
    shim.mkdir(exist_ok=True)
    log = shim / "calls.log"
    real = shutil.which("git")
    (shim / "git").write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    log.write_text("")
    env = {**ENV, "PATH": f"{shim}:{ENV['PATH']}"}
    timed([MKDOCS, "build", "-q", "-f", str(config)], config.parent, env)
    return len(log.read_text().splitlines())


#: which file an edit changes: "first" (the first Markdown file by name) or "largest" (the
#: one with the most commits: a new version of the longest history)
EDIT = "first"


def edit_target(repo: Path, policies_rel: str) -> Path:
    top = repo / policies_rel if policies_rel else repo
    files = sorted(p for p in top.rglob("*.md") if ".git" not in p.parts)
    if EDIT == "first":
        return files[0]
    counts: dict[str, int] = {}
    log = git(repo, "log", "--format=", "--name-only", "--", policies_rel or ".")
    for line in log.splitlines():
        if line.endswith(".md"):
            counts[line] = counts.get(line, 0) + 1
    return max(files, key=lambda p: (counts.get(p.relative_to(repo).as_posix(), 0), str(p)))


def edit_fragment(repo: Path, policies_rel: str, commit: bool, n: int) -> None:
    """Change one Markdown file (see EDIT), committed or left as a draft."""
    target = edit_target(repo, policies_rel)
    text = target.read_text("utf-8")
    target.write_text(text.rstrip("\n") + f"\n\nBenchmark edit {n}.\n", encoding="utf-8")
    if commit:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"Benchmark edit {n}",
            env={"GIT_AUTHOR_DATE": "2026-11-20T12:00:00+00:00",
                 "GIT_COMMITTER_DATE": "2026-11-20T12:00:00+00:00",
                 "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
                 "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com"})


def serve_rebuild(config: Path, repo: Path, policies_rel: str, n: int) -> float:
    """Seconds from a fragment edit to ``mkdocs serve`` reloading browsers."""
    port = 8900 + n
    proc = subprocess.Popen([MKDOCS, "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                            cwd=config.parent,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    try:
        deadline = time.monotonic() + 900
        for line in proc.stdout:
            if "Serving on" in line:
                break
            if time.monotonic() > deadline:
                raise SystemExit("error: mkdocs serve did not start")
        time.sleep(1.0)
        start = time.perf_counter()
        edit_fragment(repo, policies_rel, commit=False, n=n)
        deadline = time.monotonic() + 900
        for line in proc.stdout:
            if "Reloading browsers" in line:
                return time.perf_counter() - start
            if time.monotonic() > deadline:
                break
        raise SystemExit("error: mkdocs serve did not rebuild within 15 minutes")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        git(repo, "checkout", "-q", "--", ".")


def count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("index.html"))


def measure_output(site: Path) -> Output:
    """The site's files as a host gets them: one walk, shared with the build's summary."""
    files = hosts.site_files(site)
    archive = sorted(size for path, size in files if is_archive_page(path))
    median = statistics.median(archive) / hosts.KB if archive else math.nan
    p95 = percentile(archive, 95) / hosts.KB if archive else math.nan
    return Output(files=len(files), mb=sum(size for _, size in files) / hosts.MB,
                  archive_pages=len(archive), archive_kb_median=median, archive_kb_p95=p95,
                  fits=hosts.fits(files))


def is_archive_page(path: str) -> bool:
    """A version's page (``<policy>/versions/<id>/index.html``) or a redline's
    (``<policy>/compare/…/index.html``); not the current page, nor the history."""
    parts = path.split("/")
    if parts[-1] != "index.html" or len(parts) < 3:
        return False
    return (len(parts) >= 4 and parts[-3] == "versions") or "compare" in parts[1:-1]


def percentile(ordered: list[int], percent: float) -> float:
    """The nearest-rank percentile of sorted figures: a size one of the pages has."""
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def history_size(repo: Path, policies_rel: str) -> int:
    return int(git(repo, "rev-list", "--count", "--first-parent", "HEAD", "--",
                   policies_rel or ".").strip())


def measure(name: str, repo: Path, policies_rel: str, work: Path, runs: int,
            extra: dict | None = None, serve: bool = True, baselines: bool = True) -> Result:
    folder = work / f"site-{re.sub(r'[^a-z0-9]+', '-', name.lower())}"
    folder.mkdir(parents=True, exist_ok=True)
    config = site_config(folder, repo / policies_rel if policies_rel else repo, extra)
    result = Result(name, commits=history_size(repo, policies_rel))
    log(f"{name}: {result.commits} commits")
    # The baselines run between the measured builds, not after them all: on a shared
    # machine whose speed drifts, a ratio then compares builds run at the same time.
    plain, dated = baseline_configs(folder, repo, policies_rel) if baselines else (None, None)

    def baseline(runs: Runs, config: Path | None) -> None:
        if config is not None:
            settle()
            runs.add(*build(config))

    for _ in range(runs):
        baseline(result.plain, plain)
        clear_cache(folder)
        settle()
        result.cold.add(*build(config))
        cold = result.cold.seconds[-1]
        # each pair: the machine's speed drifts between them
        pair = f" (plain just before: {result.plain.seconds[-1]:.2f}s, " \
            f"{cold / result.plain.seconds[-1]:.1f}x)" if result.plain.seconds else ""
        log(f"  cold {cold:.2f}s{pair}")
    result.pages = count_pages(folder / "site")
    result.output = measure_output(folder / "site")
    out = result.output
    log(f"  output {out.files} files, {out.mb:.1f} MB; archive pages "
        f"{kb(out.archive_kb_median)} KB median, {kb(out.archive_kb_p95)} KB p95; fits "
        f"{', '.join(out.fits) or 'no host'}")
    for _ in range(runs):
        baseline(result.dated, dated)
        settle()
        result.warm.add(*build(config))
    log(f"  warm {result.warm.median:.2f}s")
    for i in range(runs):
        edit_fragment(repo, policies_rel, commit=True, n=i)
        settle()
        result.edit.add(*build(config))
    log(f"  edit {result.edit.median:.2f}s")
    if serve:
        for i in range(runs):
            result.serve.seconds.append(serve_rebuild(config, repo, policies_rel, i))
        log(f"  serve {result.serve.median:.2f}s")
    result.git_processes = count_git_processes(config)
    result.peak_mb = max(result.cold.rss_mb + result.warm.rss_mb + result.edit.rss_mb)
    if baselines:
        log(f"  plain {result.plain.median:.2f}s, with git dates {result.dated.median:.2f}s")
    versions = json_versions(folder / "site")
    result.versions = versions
    return result


def json_versions(site: Path) -> int:
    return sum(1 for _ in site.glob("**/versions/*/index.html"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- report -----------------------------------------------------------------------------


def ratio(a: Runs, b: Runs) -> str:
    if not a.seconds or not b.seconds:
        return "–"
    return f"{a.median / b.median:.1f}×"


def kb(figure: float) -> str:
    return "–" if math.isnan(figure) else f"{figure:.1f}"


def table(results: list[Result]) -> str:
    head = ("| site | commits | versions | pages | cold s | warm s | edit s | serve s | "
            "peak MB | files | output MB | archive KB median | archive KB p95 | fits | "
            "git procs | plain s | +git-dates s | cold/plain | warm/plain | edit/plain |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        out = r.output
        lines.append(
            f"| {r.name} | {r.commits} | {r.versions} | {r.pages} | {r.cold.cell()} | "
            f"{r.warm.cell()} | {r.edit.cell()} | {r.serve.cell()} | {r.peak_mb:.0f} | "
            f"{out.files} | {out.mb:.1f} | {kb(out.archive_kb_median)} | "
            f"{kb(out.archive_kb_p95)} | {', '.join(out.fits) or 'none'} | "
            f"{r.git_processes} | {r.plain.cell()} | {r.dated.cell()} | "
            f"{ratio(r.cold, r.plain)} | {ratio(r.warm, r.plain)} | {ratio(r.edit, r.plain)} |")
    return "\n".join(lines) + "\n"


def plot(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    synthetic = [r for r in results if r.name.startswith("synthetic")]
    if not synthetic:
        return
    synthetic.sort(key=lambda r: r.commits)
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    xs = [r.versions for r in synthetic]
    ax.plot(xs, [r.cold.median for r in synthetic], "o-", label="cold build")
    ax.plot(xs, [r.warm.median for r in synthetic], "s-", label="warm rebuild")
    ax.plot(xs, [r.edit.median for r in synthetic], "^-", label="rebuild after an edit")
    ax.plot(xs, [r.plain.median for r in synthetic], "k--", label="plain Material (current pages)")
    ax.set_xlabel("versions in the history (all policies)")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Build time against history size (synthetic histories)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def as_json(r: Result) -> dict[str, object]:
    """A row of ``--json``: every run's seconds, and the other figures."""
    return {
        "name": r.name, "commits": r.commits, "versions": r.versions, "pages": r.pages,
        "cold": r.cold.seconds, "warm": r.warm.seconds, "edit": r.edit.seconds,
        "serve": r.serve.seconds, "plain": r.plain.seconds, "dated": r.dated.seconds,
        "peak_mb": r.peak_mb, "git_processes": r.git_processes,
        "output_mb": r.output.mb, "files": r.output.files,
        "archive_pages": r.output.archive_pages,
        # null, not NaN (which is not JSON), for a site without archive pages
        "archive_kb_median": none_for_nan(r.output.archive_kb_median),
        "archive_kb_p95": none_for_nan(r.output.archive_kb_p95),
        "fits": r.output.fits,
    }


def none_for_nan(figure: float) -> float | None:
    return None if math.isnan(figure) else figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", default=["sample", "basecamp-policies",
                                                       "legalmattic", "synthetic"],
                        help="sample, a corpus name (basecamp-policies, legalmattic, "
                        "ota-pga-versions), synthetic (a series), or synthetic:PxVxSxW")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--no-serve", action="store_true", help="skip mkdocs serve timings")
    parser.add_argument("--write", type=Path, help="write the Markdown table to this file")
    parser.add_argument("--plot", type=Path, help="write the scaling plot (PNG) here")
    parser.add_argument("--json", type=Path, help="write all figures as JSON here")
    parser.add_argument("--edit", choices=("first", "largest"), default="first",
                        help="the file an edit changes: the first Markdown file by name, or "
                        "the one with the most commits")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an 'extra: policies:' setting for every site, e.g. "
                        "compare_with_current=false (YAML value)")
    args = parser.parse_args(argv)
    import yaml

    for item in args.set:
        key, _, value = item.partition("=")
        SETTINGS[key] = yaml.safe_load(value)
    suffix = "".join(f" ({key}: {value})" for key, value in SETTINGS.items())
    global EDIT
    EDIT = args.edit
    if EDIT != "first":
        suffix += f" (edit: {EDIT})"

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        work = Path(tmp)
        for target in args.targets:
            if target == "sample":
                repo = work / "sample"
                subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
                extra = yaml.load((ROOT / "mkdocs.yml").read_text(),
                                  Loader=yaml.BaseLoader).get("extra", {})
                results.append(measure("sample" + suffix, repo, "policies", work, args.runs,
                                       extra={"company": extra.get("company", {})},
                                       serve=not args.no_serve))
            elif target.startswith("synthetic"):
                shapes = ([tuple(int(n) for n in target.split(":", 1)[1].split("x"))]
                          if ":" in target else
                          [(4, v, 8, 400) for v in (25, 50, 100, 200)])
                for p, v, s, w in shapes:
                    repo = make_synthetic(work / f"syn-{p}x{v}x{s}x{w}", p, v, s, w)
                    results.append(measure(f"synthetic {p}×{v}×{s}×{w}{suffix}", repo, "policies",
                                           work, args.runs, serve=False))
            else:
                repo = clone_corpus(target, work)
                extra = {"site": {"email_support": "mailto:support@example.com",
                                  "email_security": "mailto:security@example.com"}}
                results.append(measure(target + suffix, repo, "", work, args.runs, extra=extra,
                                       serve=not args.no_serve))
    report = table(results)
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")
    if args.plot:
        plot(results, args.plot)
    if args.json:
        args.json.write_text(json.dumps([as_json(r) for r in results], indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
