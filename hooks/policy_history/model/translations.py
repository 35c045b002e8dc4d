"""Translations: which policy translates which, and which source version each translated
version follows. Plain data, worked out after the history is replayed.

A translation lives in a **language folder** at the top of the policies folder, at the
same path as the policy it translates: ``de/privacy/`` (or ``de/privacy.md``) translates
``privacy/``. When the source language has a folder of its own (``en/``, as in
mozilla/legal-docs), the sources are in it: ``de/firefox_privacy_notice.md`` translates
``en/firefox_privacy_notice.md``. Each is a policy with its own history, versions and
pages (``/de/privacy/``); this module links them. A translation may instead be **named by
its language**, beside its source (legalmattic's ``Terms/DE-Geschäftsbedingungen.md``
beside ``Terms/EN-Terms-of-Service.md``). A translation whose files were removed is
**withdrawn**: it stays published, with its source, and says so.

Which source version a translated version follows:

1. **declared**: its change entry says ``translates: <source version id>``;
2. **date**: its effective date (from its entry, or the date its text states, as
   mozilla's ``{: datetime="…" }`` does) is a source version's;
3. **in force**: otherwise, the source version in force when it was committed.

An editorial revision of a translation follows what its version follows.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from policy_history.errors import PolicyError
from policy_history.model.dates import babel_locale
from policy_history.model.layout import slug_for
from policy_history.model.timeline import (
    Follows,
    PolicyHistory,
    Revision,
    SiteHistory,
    TranslationLinks,
    TranslationSummary,
)

FOLLOWS_DECLARED = "declared"
FOLLOWS_DATE = "date"
FOLLOWS_IN_FORCE = "in-force"


@dataclass
class Translation:
    slug: str
    language: str  # as its folder names it (``pt-BR``): a BCP 47 tag
    source: str  # the slug of the policy it translates
    #: revision number → the source version it follows
    follows: dict[int, Follows] = field(default_factory=dict)


@dataclass
class Languages:
    """The site's languages: each policy's, and how translations link to their sources."""

    source_language: str
    #: every policy's slug → its language
    language_of: dict[str, str] = field(default_factory=dict)
    #: translation slug → its translation
    translations: dict[str, Translation] = field(default_factory=dict)
    #: source slug → {language: translation slug}: the published one of each language
    #: (or the first withdrawn one)
    of_source: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[PolicyError] = field(default_factory=list)
    warnings: list[PolicyError] = field(default_factory=list)

    def follows(self, slug: str, revision: Revision) -> Follows | None:
        translation = self.translations.get(slug)
        return translation.follows.get(revision.number) if translation else None


def is_language(name: str) -> bool:
    """Whether a folder name is a language tag Babel knows (``de``, ``pt-BR``, ``zh_TW``)."""
    if not name or not name.replace("-", "").replace("_", "").isalpha():
        return False
    return babel_locale(name) is not None


def same_key(tag: str) -> str:
    """A language tag as compared: ``pt_BR`` and ``PT-br`` are ``pt-br``."""
    return tag.replace("_", "-").lower()


def same_language(a: str, b: str) -> bool:
    return same_key(a) == same_key(b)


def link_translations(site: SiteHistory, policies_dir: str, source_language: str,
                      languages: Sequence[str] | None = None) -> Languages:
    """Link every translation in ``site`` to its source (``languages``: the language
    folders and file-name languages; None finds them: top-level folders named by a
    language, holding at least one translation of a policy outside them, and files named
    by their language beside the one named by the source's).

    A withdrawn translation (its sources removed) of a policy the tip has is published
    with it, from ``site.withdrawn``: its versions keep their addresses."""
    result = Languages(source_language)
    prefix = f"{policies_dir.strip('/')}/" if policies_dir.strip("/.") else ""
    paths = {slug: _relative(history, prefix) for slug, history in site.policies.items()}
    gone = {slug: _relative(history, prefix) for slug, history in site.withdrawn.items()}
    everything = {**gone, **paths}
    top = {path.split("/", 1)[0] for path in everything.values() if "/" in path}
    source_root = next((folder for folder in sorted(top)
                        if same_language(folder, source_language)), None)

    def source_of(rest: str) -> str:
        return slug_for(posixpath.join(source_root, rest) if source_root else rest)

    folders = _language_folders(everything, paths.keys(), top, source_of, source_language,
                                languages)
    if languages is None:
        result.warnings += _unlinked_language_folders(paths, top - folders, source_language,
                                                      prefix)
    in_folders = {slug for slug, path in everything.items()
                  if path.partition("/")[0] in folders}
    pairs: list[tuple[str, str, str]] = []  # (translation, its language, its source)
    for slug, path in sorted(everything.items()):
        first, _, rest = path.partition("/")
        result.language_of[slug] = first if slug in in_folders and rest else source_language
        if slug not in in_folders or not rest:
            continue
        source = source_of(rest)
        if source in paths and source not in in_folders:
            pairs.append((slug, first, source))
        elif slug in paths:
            result.errors.append(PolicyError(
                f"'{prefix}{path}' is in the language folder '{first}/', but there is no "
                f"policy at '{prefix}{posixpath.join(source_root or '', rest)}' for it to "
                "translate", file=prefix + path,
                fix="give it the path of the policy it translates, inside its language "
                    "folder (rename it, or the source)"))
    pairs += _named_pairs(everything, paths.keys(), in_folders, source_language, languages)
    # the published first: the switcher links one per language; a language's withdrawn
    # translations (an earlier file, renamed since) are published all the same
    for slug, language, source in sorted(pairs, key=lambda pair: (pair[0] not in paths, pair)):
        taken = result.of_source.get(source, {})
        other = next((s for tag, s in taken.items() if same_language(tag, language)), None)
        if other is not None and slug in paths:
            result.errors.append(PolicyError(
                f"'{prefix}{everything[slug]}' and '{prefix}{everything[other]}' both "
                f"translate '{prefix}{everything[source]}' into '{language}'",
                file=prefix + everything[slug],
                fix="keep one translation per language: remove or rename the other"))
            continue
        if slug in gone:
            site.policies[slug] = site.withdrawn.pop(slug)
        result.language_of[slug] = language
        translation = Translation(slug, language, source)
        result.translations[slug] = translation
        if other is None:
            result.of_source.setdefault(source, {})[language] = slug
        _link_versions(translation, site.policies[slug], site.policies[source], result.errors)
    if result.translations.keys() & gone.keys():  # in address order, as before
        ordered = sorted(site.policies.items())
        site.policies.clear()
        site.policies.update(ordered)
    _annotate(site, result)
    return result


def _annotate(site: SiteHistory, languages: Languages) -> None:
    """Write each policy's language and links on its history, for the pages. A withdrawn
    translation is left out of the switchers: its source's history lists it."""
    for slug, history in site.policies.items():
        history.language = languages.language_of.get(slug, languages.source_language)
        history.languages, history.translation, history.translated_into = {}, None, ()
    by_source: dict[str, list[Translation]] = {}
    for translation in languages.translations.values():
        by_source.setdefault(translation.source, []).append(translation)
    for source, translations in by_source.items():
        published = {t.language: t.slug for t in translations
                     if site.policies[t.slug].withdrawn is None}
        group = {languages.source_language: source, **published} if published else {}
        for slug in (source, *published.values()):
            site.policies[slug].languages = dict(group)
        site.policies[source].translated_into = tuple(sorted(
            (_summary(site.policies[t.slug], t.language) for t in translations),
            key=lambda t: (same_key(t.language), t.first or dt.date.min, t.slug)))
        current = site.policies[source].current
        now = Follows(str(current.version_id), current.effective, "") \
            if current is not None and current.version_id else None
        for translation in translations:
            site.policies[translation.slug].translation = TranslationLinks(
                source=source, source_language=languages.source_language,
                follows=translation.follows, source_current=now)


def _summary(history: PolicyHistory, language: str) -> TranslationSummary:
    versions = history.versions
    return TranslationSummary(history.slug, language, len(versions),
                              versions[0].effective if versions else None,
                              history.withdrawn.day if history.withdrawn else None)


def _relative(history: PolicyHistory, prefix: str) -> str:
    path = history.layout.path if history.layout else history.slug
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _language_folders(paths: dict[str, str], published: Collection[str], top: Iterable[str],
                      source_of: Callable[[str], str], source_language: str,
                      languages: Sequence[str] | None) -> set[str]:
    candidates = {folder for folder in top if not same_language(folder, source_language)}
    if languages is not None:
        wanted = {language.replace("_", "-").lower() for language in languages}
        return {folder for folder in candidates if folder.replace("_", "-").lower() in wanted}
    found = set()
    for folder in candidates:
        if not is_language(folder):
            continue
        inside = {slug: path for slug, path in paths.items()
                  if path.partition("/")[0] == folder}
        outside = set(published) - inside.keys()
        if any(source_of(path.partition("/")[2]) in outside for path in inside.values()):
            found.add(folder)
    return found


#: a language tag at the start of a file or folder name, before a hyphen: ``DE-``,
#: ``PT-BR-``, ``zh-Hant-`` (legalmattic names its translations so)
_NAMED = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}|[A-Za-z]{2}))?-(?=[^-])")


def name_language(name: str) -> str | None:
    """The language a file or folder name starts with (``DE-Geschäftsbedingungen.md``:
    ``de``; ``PT-BR-Termos.md``: ``pt-BR``), as BCP 47 writes it; None if it names none."""
    match = _NAMED.match(name)
    if match is None:
        return None
    base, sub = match.group(1).lower(), match.group(2)
    if sub:
        tag = f"{base}-{sub.upper() if len(sub) == 2 else sub.title()}"
        if is_language(tag):
            return tag
        # ``ES-Ab-cd``: the second part was the name's
    return base if is_language(base) else None


def _named_pairs(paths: dict[str, str], published: Collection[str], skip: Collection[str],
                 source_language: str, languages: Sequence[str] | None
                 ) -> list[tuple[str, str, str]]:
    """(translation, language, source) of the policies named by their language beside
    exactly one published policy named by the source language, in one folder:
    ``Terms/EN-Terms-of-Service.md`` and ``Terms/DE-Geschäftsbedingungen.md``."""
    wanted = None if languages is None else {same_key(tag) for tag in languages}
    source_base = same_key(source_language).split("-")[0]
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for slug, path in sorted(paths.items()):
        folder, _, name = path.rpartition("/")
        tag = None if slug in skip else name_language(name)
        if tag is not None:
            by_folder.setdefault(folder, []).append((slug, tag))
    pairs = []
    for named in by_folder.values():
        sources = [slug for slug, tag in named
                   if slug in published and same_key(tag).split("-")[0] == source_base]
        if len(sources) != 1:
            continue  # none, or which one is translated cannot be told
        pairs += [(slug, tag, sources[0]) for slug, tag in named
                  if same_key(tag).split("-")[0] != source_base
                  and (wanted is None or same_key(tag) in wanted)]
    return pairs


def _unlinked_language_folders(paths: dict[str, str], folders: Iterable[str],
                               source_language: str, prefix: str) -> list[PolicyError]:
    """A top-level folder named like a language whose policies translate nothing: most
    likely translations whose sources are missing or named otherwise. They are published as
    policies of their own, which says so rather than do it silently."""
    warnings = []
    for folder in sorted(folders):
        if same_language(folder, source_language) or not is_language(folder):
            continue
        inside = sorted(path for path in paths.values() if path.partition("/")[0] == folder)
        if not inside:
            continue
        warnings.append(PolicyError(
            f"'{prefix}{folder}/' is named like a language, but none of its "
            f"{len(inside)} policies has a policy at its path outside it to translate "
            f"(such as '{prefix}{inside[0].partition('/')[2]}'): they are published as "
            "policies of their own", file=f"{prefix}{inside[0]}",
            fix=f"if they are translations, give each the path of the policy it translates; "
                f"if '{folder}/' is not a language, list the language folders in "
                "'extra: policies: translations:' ([] for none)"))
    return warnings


def _link_versions(translation: Translation, history: PolicyHistory, source: PolicyHistory,
                   errors: list[PolicyError]) -> None:
    versions = [v for v in source.versions if v.version_id]
    by_id = {v.version_id: v for v in versions}
    last: Follows | None = None
    for revision in history.revisions:
        if revision.is_version or last is None:
            found = _follows(revision, versions, by_id, errors)
            if found is not None and revision.is_version:
                last = found
        else:
            found = last
        if found is not None:
            translation.follows[revision.number] = found


def _follows(revision: Revision, versions: list[Revision], by_id: dict[str | None, Revision],
             errors: list[PolicyError]) -> Follows | None:
    if not versions:
        return None
    if revision.translates is not None:
        if revision.translates in by_id:
            return Follows(revision.translates, by_id[revision.translates].effective,
                           FOLLOWS_DECLARED)
        entry = next((e for e in revision.text.meta.changes or ()
                      if e.translates == revision.translates), None)
        known = ", ".join(str(v.version_id) for v in versions[-5:])
        errors.append(PolicyError(
            f"'translates: {revision.translates}' names no version of the source policy "
            f"(its latest: {known})", file=revision.text.meta.file,
            line=entry.line if entry else None,
            fix="write the id of the source version this text translates, as its address "
                "shows it (/<policy>/versions/<id>/)"))
    if revision.is_version and revision.effective is not None:
        same_day = [v for v in versions if v.effective == revision.effective]
        if same_day:
            return Follows(str(same_day[-1].version_id), revision.effective, FOLLOWS_DATE)
    committed = revision.commit.committed.date()
    chosen = _in_force(versions, committed)
    return Follows(str(chosen.version_id), chosen.effective, FOLLOWS_IN_FORCE)


def _in_force(versions: list[Revision], day: dt.date) -> Revision:
    """The source version in force on ``day`` (the first, if none was yet)."""
    chosen = versions[0]
    for version in versions:
        if version.effective is not None and version.effective <= day:
            chosen = version
    return chosen
