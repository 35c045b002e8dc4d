"""What a built site must hold for its policies (``scripts/verify-site``).

A builder that does not run hooks writes the site's own pages and none of what this
project adds: Zensical reads ``mkdocs.yml`` and ignores ``hooks:`` without a word, and
MkDocs 2 has no hooks. Such a site would publish current policies without their history,
dates, redlines or feeds. The deploy workflow runs this check after the build, so such a
site is never published.

The check reads the built files only: each policy's ``versions.json``, and every page,
feed and source the manifest names. A version's published source must still hash to the
manifest's ``sha256.source``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from policy_history.errors import PolicyError
from policy_history.manifest import MANIFEST_VERSION

#: a manifest larger than this is not ours (the largest of the corpora's is about 0.2 MB)
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

NO_HOOK_FIX = ("build the site with 'mkdocs build' (MkDocs 1.6) or 'properdocs build', "
               "which run the Policy History hook; Zensical and MkDocs 2 ignore hooks")


@dataclass(frozen=True)
class SiteReport:
    policies: int  # how many the site should publish
    files: int  # how many files the manifests name, all checked
    problems: list[PolicyError]


def verify_site(site_dir: Path, slugs: Iterable[str]) -> SiteReport:
    """Check that ``site_dir`` publishes each of ``slugs`` with its history: a problem for
    each file missing or wrong, each naming the file and the fix."""
    if not site_dir.is_dir():
        raise PolicyError(f"the built site '{site_dir}' is not a folder",
                          fix="build the site first (mkdocs build), then check it")
    problems: list[PolicyError] = []
    files = 0
    wanted = sorted(set(slugs))
    for slug in wanted:
        files += _policy(site_dir, slug, problems)
    return SiteReport(len(wanted), files, problems)


def _policy(site_dir: Path, slug: str, problems: list[PolicyError]) -> int:
    """Check one policy's files (problems added to ``problems``); how many were checked."""
    path = site_dir / slug / "versions.json"
    rel = str(path)  # as problems name it
    manifest = _manifest(path, rel, slug, problems)
    if manifest is None:
        return 0
    policy = manifest["policy"]
    prefix = _site_prefix(str(policy.get("feeds", {}).get("json", "")), slug)
    if prefix is None:
        problems.append(PolicyError(f"its feeds.json address does not end in '{slug}/feed.json'",
                                    file=rel, fix=NO_HOOK_FIX))
        return 1

    def present(url: Any, what: str) -> Path | None:
        path = _file_of(url, prefix)
        if path is None or not (site_dir / path).is_file():
            problems.append(PolicyError(
                f"{what} is missing: {path or url!r}", file=rel,
                fix="build the whole site again and publish all of it (an interrupted "
                    "build or a partial upload leaves pages out)"))
            return None
        return site_dir / path

    checked = 0
    for url, what in ((policy.get("url"), "the policy's page"),
                      (policy.get("history_url"), "its history page"),
                      (policy.get("feeds", {}).get("atom"), "its Atom feed"),
                      (policy.get("feeds", {}).get("json"), "its JSON feed")):
        checked += present(url, what) is not None
    ids = set()
    for version in manifest["versions"]:
        vid = version.get("id")
        ids.add(vid)
        urls = version.get("urls", {})
        checked += present(urls.get("text"), f"the page of version {vid}") is not None
        if urls.get("redline") is not None:
            checked += present(urls["redline"], f"the redline of version {vid}") is not None
        source = present(urls.get("source"), f"the source of version {vid}")
        if source is not None:
            checked += 1
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            if digest != version.get("sha256", {}).get("source"):
                problems.append(PolicyError(
                    f"the source of version {vid} does not hash to the manifest's "
                    "sha256.source", file=rel,
                    fix="build the whole site again; never edit the built files"))
    if manifest.get("current") is not None and manifest["current"] not in ids:
        problems.append(PolicyError(f"its current version {manifest['current']!r} is not "
                                    "among its versions", file=rel, fix=NO_HOOK_FIX))
    return checked + 1


def _manifest(path: Path, rel: str, slug: str, problems: list[PolicyError]
              ) -> dict[str, Any] | None:
    if not path.is_file():
        problems.append(PolicyError(
            f"the policy '{slug}' has no manifest: the site was built without its history",
            file=rel, fix=NO_HOOK_FIX))
        return None
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        problems.append(PolicyError("this manifest is larger than any Policy History writes",
                                    file=rel, fix=NO_HOOK_FIX))
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as error:
        problems.append(PolicyError(f"this is not JSON: {error}", file=rel,
                                    fix="build the whole site again"))
        return None
    if (not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION
            or not isinstance(data.get("policy"), dict)
            or not isinstance(data.get("versions"), list)
            or not all(isinstance(v, dict) for v in data["versions"])):
        problems.append(PolicyError(
            f"this is not a Policy History manifest (manifest_version {MANIFEST_VERSION} "
            "with a policy and its versions)", file=rel, fix=NO_HOOK_FIX))
        return None
    if data["policy"].get("slug") != slug:
        problems.append(PolicyError(f"this manifest is for {data['policy'].get('slug')!r}, "
                                    f"not '{slug}'", file=rel, fix=NO_HOOK_FIX))
        return None
    return data


def _site_prefix(feed_url: str, slug: str) -> str | None:
    """The path of the site's root in its addresses (from a policy's JSON feed, which is
    at ``<slug>/feed.json``), or None when the address is not one."""
    path = "/" + urlsplit(feed_url).path.lstrip("/")
    tail = f"/{slug}/feed.json"
    return path[: -len(tail)] if path.endswith(tail) else None


def _file_of(url: Any, prefix: str) -> str | None:
    """The site file an address of the site names (``x/`` is ``x/index.html``), or None
    for what is no address of the site."""
    if not isinstance(url, str):
        return None
    path = "/" + urlsplit(url).path.lstrip("/")
    if not path.startswith(prefix + "/"):
        return None
    rel = path[len(prefix) + 1:]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    parts = PurePosixPath(rel).parts
    if ".." in parts or not parts:
        return None
    return rel
