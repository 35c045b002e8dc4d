"""Issue 9 §1: the same commit and "as of" time give byte-identical sites, whoever builds.

Two fresh clones of this repository's HEAD, at two paths, one made "later" (its files'
times moved), each built by ``mkdocs build`` in its own process with the same
``POLICY_AS_OF`` but a different time zone, locale, hash seed and build day
(``SOURCE_DATE_EPOCH``, which MkDocs takes as "today"); then the first clone again, with
the cache its first build left (.cache/policy-history/). Every file of the two sites is
compared byte for byte: pages, search index, sitemap (and its gzip header), feeds,
versions.json. The clones get this working tree's code (hooks/, overrides/, docs/) on
top of HEAD, so the test checks the code under test; the policies and their history are
HEAD's.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import build_cli
from tests.trust.sites import first_difference, fresh_clone, site_files

AS_OF = "2026-12-01T09:30:00+01:00"
ENVIRONMENTS = [
    {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONHASHSEED": "1"},
    # an ASCII locale (no UTF-8 mode, no locale coercion), the other side of the date
    # line, another hash seed, and a build "day" in 2001
    {"TZ": "Pacific/Auckland", "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
     "PYTHONCOERCECLOCALE": "0", "PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "1000000000"},
]


def test_two_clones_in_two_time_zones_and_locales_build_byte_identical_sites(
        tmp_path: Path) -> None:
    outputs = []
    for index, env in enumerate(ENVIRONMENTS):
        clone = fresh_clone(tmp_path / f"clone-{index}" / "policies-site",
                            file_time=1_000_000_000.0 if index else None)
        site = tmp_path / f"site-{index}"
        result = build_cli(clone, "-q", "-d", str(site), env={**env, "POLICY_AS_OF": AS_OF})
        assert result.returncode == 0, result.stderr
        outputs.append(site_files(site))
    # the first clone again, in the second environment: now with a warm cache
    assert list((tmp_path / "clone-0/policies-site/.cache/policy-history").glob("*.bin"))
    site = tmp_path / "site-warm"
    result = build_cli(tmp_path / "clone-0/policies-site", "-q", "-d", str(site),
                       env={**ENVIRONMENTS[1], "POLICY_AS_OF": AS_OF})
    assert result.returncode == 0, result.stderr
    warm = site_files(site)
    one, two = outputs
    assert warm == one, first_difference(warm, one)
    for expected in ("sitemap.xml", "sitemap.xml.gz", "search/search_index.json", "index.html",
                     "privacy/index.html", "privacy/history/index.html", "feed.xml",
                     "privacy/versions.json"):
        assert expected in one, expected
    assert any(name.startswith("privacy/compare/") for name in one)
    assert one == two, first_difference(one, two)
    # the build day is nowhere: not in the sitemap (docs pages are dated by git)
    assert b"2001-09-09" not in one["sitemap.xml"]
