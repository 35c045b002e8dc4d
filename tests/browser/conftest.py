"""Headless Chromium (Debian's, through Playwright) against a site served on localhost."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT, build_sample, git, sample_versions

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: run scripts/test, which installs Debian's "
                    "chromium, or set CHROMIUM=/path/to/chromium")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    cors = False  # send Access-Control-Allow-Origin: *, as docs/products.md asks of hosts

    def end_headers(self) -> None:
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _CorsHandler(_QuietHandler):
    cors = True


@pytest.fixture(scope="session")
def serve() -> Iterator:
    """serve(folder) → base URL of a local static server for that folder (each on a port,
    so an origin, of its own; ``cors``: it lets any origin read its files)."""
    servers = []

    def start(folder: Path, *, cors: bool = False) -> str:
        handler = functools.partial(_CorsHandler if cors else _QuietHandler,
                                    directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def sample_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample built the day before its newest version takes effect, and on that day."""
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    newest = sample_versions()[-1]
    return {name: build_sample(tmp_path_factory.mktemp(f"sample-{name}") / "site", day)
            for name, day in (("before", newest - dt.timedelta(days=1)), ("on", newest))}


@pytest.fixture
def screenshots() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---- The whole site (issue 7): one build of each site per session, shared by every file ----

def _sample_theme() -> dict:
    """The sample's theme (its light/dark palette)."""
    import yaml

    return dict(yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["theme"])


@pytest.fixture(scope="session")
def corpus_site(corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """basecamp-policies (../shared/corpora) as a site, with the sample's theme and palette."""
    from tests.support import CORPUS_VARIABLES, build, write_config

    clone = corpus("basecamp-policies")
    root = tmp_path_factory.mktemp("corpus-site")
    return build(write_config(root, policies_dir=str(clone), extra=CORPUS_VARIABLES, home=False,
                              theme=_sample_theme()))


@pytest.fixture(scope="session")
def subpath_site(sample_sites, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built for https://example.com/policies/ into <root>/policies/: serve(root)
    to host it under /policies/, as a project page or a shared host does."""
    newest = sample_versions()[-1]
    root = tmp_path_factory.mktemp("subpath")
    build_sample(root / "policies", newest - dt.timedelta(days=1),
                 site_url="https://example.com/policies/")
    return root


@pytest.fixture(scope="session")
def site_pages(sample_sites, serve) -> dict[str, str]:
    """The sample's page types: name → URL (tests/browser/site_pages.py)."""
    from tests.browser.site_pages import sample_urls

    return sample_urls(sample_sites, serve)


@pytest.fixture(scope="session")
def corpus_pages(corpus_site, serve) -> dict[str, str]:
    """A handful of the corpus site's pages: name → URL."""
    from tests.browser.site_pages import corpus_urls

    return corpus_urls(corpus_site, serve)
