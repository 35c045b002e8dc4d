"""The package's theme folder: a site gets our templates and assets without copying them,
and its own custom_dir still overrides any one of them."""

from __future__ import annotations

from pathlib import Path

from mkdocs.theme import Theme

from policy_history.site.theme import THEME_DIR, add_theme
from tests.support import GitRepo, build, write_config
from tests.trust.sites import start


def test_a_site_s_custom_dir_overrides_one_partial_and_keeps_the_rest(repo: GitRepo) -> None:
    custom = repo.path / "custom"
    (custom / "partials").mkdir(parents=True)
    dates = (THEME_DIR / "partials" / "policy-dates.html").read_text("utf-8")
    (custom / "partials" / "policy-dates.html").write_text(
        '<p class="ours">Our own dates</p>\n' + dates, encoding="utf-8")
    start(repo)
    config = write_config(repo.path, theme={"name": "material", "custom_dir": str(custom),
                                            "font": False})
    site = build(config)
    page = (site / "privacy" / "index.html").read_text("utf-8")
    assert '<p class="ours">Our own dates</p>' in page  # the site's partial
    assert 'class="policy-header"' in page and 'class="policy-section"' in page  # ours
    assert (site / "assets" / "stylesheets" / "policy-history.css").read_bytes() == \
        (THEME_DIR / "assets" / "stylesheets" / "policy-history.css").read_bytes()


def test_the_theme_folder_goes_after_the_custom_dir_once(tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    theme = Theme(name="material", custom_dir=str(custom))
    material = list(theme.dirs[1:])
    add_theme(theme)
    add_theme(theme)  # mkdocs serve builds again with the same config
    assert theme.dirs == [str(custom), str(THEME_DIR), *material]
    plain = Theme(name="material")
    add_theme(plain)
    assert plain.dirs[0] == str(THEME_DIR) and plain.dirs.count(str(THEME_DIR)) == 1


def test_the_sample_copies_no_theme_files(tmp_path: Path) -> None:
    import yaml

    from tests.support import ROOT

    theme = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["theme"]
    assert "custom_dir" not in theme
    assert not (ROOT / "overrides").exists()
