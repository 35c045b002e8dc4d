"""Time the redline engine on real policy histories.

    python scripts/bench_redline.py [--corpora ../shared/corpora] [--pairs N]

Clones ``ota-pga-versions.bundle`` into a temporary folder, then times
1. the two largest consecutive versions of any document in the corpus, and
2. every consecutive pair of ``Facebook/Privacy Policy.md`` (491 pairs),
reporting, per pair, ``diff_documents`` alone and ``diff_documents`` + ``render_inline``
(whole document, every block rendered) with max / median / p95 and bytes per second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

import markdown  # noqa: E402

from policy_history.redline import diff_documents, render_inline  # noqa: E402

FACEBOOK = "Facebook/Privacy Policy.md"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    ).stdout


def make_render() -> Callable[[str], str]:
    md = markdown.Markdown(extensions=["tables", "attr_list", "toc"])

    def render(text: str) -> str:
        md.reset()
        return md.convert(text)

    return render


def versions(repo: Path, path: str) -> list[str]:
    """Blob ids of ``path``, oldest first (first-parent history)."""
    out = git(repo, "log", "--first-parent", "--format=", "--raw", "--no-abbrev", "--", path)
    blobs = [line.split()[3] for line in out.splitlines() if line.startswith(":")]
    blobs = [b for b in blobs if set(b) != {"0"}]
    return blobs[::-1]


def largest_pair(repo: Path) -> tuple[str, str, str]:
    """(path, old blob, new blob) of the consecutive versions with the most bytes."""
    out = git(repo, "log", "--first-parent", "--format=", "--raw", "--no-abbrev")
    pairs = []
    for line in out.splitlines():
        if line.startswith(":"):
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if fields[4] == "M":
                pairs.append((fields[2], fields[3], path))
    blobs = sorted({b for old, new, _ in pairs for b in (old, new)})
    sizes_out = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-check"],
        input="\n".join(blobs) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    size = {line.split()[0]: int(line.split()[2]) for line in sizes_out.splitlines()}
    old, new, path = max(pairs, key=lambda p: (size[p[0]] + size[p[1]], p))
    return path, old, new


def time_pair(old: str, new: str) -> tuple[float, float]:
    render = make_render()
    start = time.perf_counter()
    redline = diff_documents(old, new, render=render)
    diffed = time.perf_counter()
    render_inline(redline)
    return diffed - start, time.perf_counter() - start


def report(name: str, rows: list[tuple[int, float, float]]) -> None:
    for label, column in (("diff_documents", 1), ("diff + render_inline", 2)):
        times = [row[column] for row in rows]
        total_bytes = sum(row[0] for row in rows)
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"{name} — {label}: pairs={len(rows)} max={max(times) * 1000:.1f} ms "
            f"median={statistics.median(times) * 1000:.1f} ms p95={p95 * 1000:.1f} ms "
            f"throughput={total_bytes / sum(times) / 1e6:.2f} MB/s"
        )
    biggest = max(rows, key=lambda r: r[0])
    print(
        f"  largest pair: {biggest[0] / 1024:.0f} KB: diff {biggest[1] * 1000:.1f} ms, "
        f"diff + render_inline {biggest[2] * 1000:.1f} ms"
    )
    worst = max(rows, key=lambda r: r[2])
    per_kb = [row[2] / (row[0] / 1024) * 1000 for row in rows if row[0]]
    print(
        f"  slowest pair: {worst[0] / 1024:.0f} KB in {worst[2] * 1000:.1f} ms; "
        f"ms per KB: max={max(per_kb):.3f} median={statistics.median(per_kb):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--pairs", type=int, default=0, help="limit Facebook pairs (0 = all)")
    args = parser.parse_args()
    bundle = args.corpora / "ota-pga-versions.bundle"
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "ota"
        subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)

        path, old_blob, new_blob = largest_pair(repo)
        old, new = git(repo, "cat-file", "blob", old_blob), git(repo, "cat-file", "blob", new_blob)
        runs = [time_pair(old, new) for _ in range(3)]
        size = len(old.encode()) + len(new.encode())
        print(
            f"largest consecutive pair: {path} ({len(old.encode()) / 1024:.0f} KB → "
            f"{len(new.encode()) / 1024:.0f} KB)"
        )
        report("largest pair (3 runs)", [(size, d, t) for d, t in runs])

        blobs = versions(repo, FACEBOOK)
        texts = [git(repo, "cat-file", "blob", blob) for blob in blobs]
        pairs = list(pairwise(texts))
        if args.pairs:
            pairs = pairs[: args.pairs]
        rows = []
        for a, b in pairs:
            d, t = time_pair(a, b)
            rows.append((len(a.encode()) + len(b.encode()), d, t))
        report(f"{FACEBOOK} consecutive pairs", rows)


if __name__ == "__main__":
    main()
