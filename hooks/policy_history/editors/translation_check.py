"""What ``scripts/check`` says of translations: a translation that links to nothing is an
error, one that follows an older source version than the one in force is a warning (as
mozilla/legal-docs' own CI reports "outdated" translations, but from the declared data).

It reads the committed history as the build does (the links need the source's versions),
with the build's cache, so uncommitted translations are not seen until committed.
"""

from __future__ import annotations

import datetime as dt

from policy_history.editors.check import ERROR, WARNING, CheckReport
from policy_history.editors.cli_common import Site
from policy_history.errors import PolicyError
from policy_history.loader import load_history
from policy_history.model.dates import human_date
from policy_history.site.languages import language_name


def check_translations(report: CheckReport, site: Site, today: dt.datetime) -> int:
    """Add the translations' problems to ``report``; how many translations there are."""
    policies = site.root / site.policies_dir if site.policies_dir else site.root
    loaded = load_history(policies, render=site.render, as_of=today,
                          site_variables=site.variables, templating=site.templating,
                          text_dates=site.text_dates, check_working_tree=False,
                          # the build's cache, where a build made one: a check never
                          # adds files the repository may not ignore
                          cache_dir=site.cache_dir if site.cache_dir and
                          site.cache_dir.is_dir() else None, language=site.language,
                          translations=site.translations)
    for error in loaded.languages.errors:
        report.add(ERROR, error)
    for warning in loaded.languages.warnings:
        report.add(WARNING, warning)
    histories = loaded.site.policies
    for slug, translation in sorted(loaded.languages.translations.items()):
        history = histories[slug]
        links = history.translation
        if links is None or history.withdrawn or not links.behind(history.shown.number):
            continue
        follows, now = links.follows[history.shown.number], links.source_current
        assert now is not None  # behind: the source has a version in force
        source = language_name(links.source_language, "en")
        when = human_date(now.effective) if now.effective else now.version_id
        layout = history.layout
        report.add(WARNING, PolicyError(
            f"the {language_name(translation.language, 'en')} translation '{slug}' follows "
            f"the {source} version {follows.version_id}, but version {now.version_id} of "
            f"'{links.source}' is in force since {when}: it is out of date",
            file=(layout.metadata_path or layout.path) if layout else slug,
            fix=f"translate what changed (/{links.source}/compare/{follows.version_id}/"
                f"{now.version_id}/) and declare it with 'translates: {now.version_id}' in "
                "the translation's new change entry"))
    return len(loaded.languages.translations)
