"""A policy's languages as its pages show them: the language switcher, and what a
translated page says of the source version it follows (``page_data.TranslationNotice``).
The links themselves are worked out by ``model.translations``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policy_history.model.dates import babel_locale
from policy_history.model.layout import ROOT_INDEX_SLUG
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site.page_data import (
    LanguageLink,
    TranslationEntry,
    TranslationNotice,
    Words,
    date_of,
)

#: what a translated page says, in the site's language; ``{language}`` is the name of the
#: language that controls, ``{date}`` the source version's date (settings:
#: ``translation_wording``, per language)
DEFAULT_WORDING = {
    "notice": "This is a translation of the {language} version of {date}. "
              "The {language} version controls.",
    "source_link": "Read the {language} version",
    "outdated": "This translation is out of date: the {language} version changed on {date}.",
    "changes_link": "See what changed since the version translated here",
    "withdrawn": "This translation was withdrawn on {date}: it is no longer kept up to date.",
    "current_link": "Read the {language} version in force",
}
WORDING_KEYS = tuple(DEFAULT_WORDING)


def direction(tag: str) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew …), else ``ltr``."""
    locale = babel_locale(tag) if tag else None
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


def language_name(tag: str, in_language: str) -> str:
    """A language's name in another (``de`` in ``de``: Deutsch; in ``en``: German)."""
    locale, reader = babel_locale(tag), babel_locale(in_language or "en")
    if locale is None:
        return tag
    name = str(locale.get_display_name(reader) or tag)
    return name[:1].upper() + name[1:]


def dated(history: PolicyHistory, day: Any) -> Any:
    """``day`` as the pages of ``history`` show it: in its language, and marked with it
    where it is a translation's (the site's own words around it are in the site's)."""
    return date_of(day, history.language, history.translation is not None)


def slug_url(slug: str) -> str:
    return "" if slug == ROOT_INDEX_SLUG else f"{slug}/"


def language_links(history: PolicyHistory) -> tuple[LanguageLink, ...]:
    """The switcher: the policy in each of its languages, the controlling one first."""
    if not history.languages:
        return ()
    source = next(iter(history.languages))
    order = [source, *sorted(tag for tag in history.languages if tag != source)]
    return tuple(LanguageLink(tag=tag, name=language_name(tag, tag),
                              url=slug_url(history.languages[tag]),
                              current=history.languages[tag] == history.slug)
                 for tag in order)


def translation_notice(history: PolicyHistory, revision: Revision | None
                       ) -> TranslationNotice | None:
    """What the page of ``revision`` of a translation says of its source."""
    links = history.translation
    follows = links.follows.get(revision.number) if links and revision else None
    if links is None or follows is None or revision is None:
        return None
    wording = {**DEFAULT_WORDING, **links.wording}
    speaks = links.wording_language or links.source_language
    name = language_name(links.source_language, speaks)

    def say(key: str) -> str:
        return wording[key].format(language=name, date="")

    def words(key: str, day: Any) -> tuple[Words, ...]:
        """The sentence, its date a piece of its own (the template puts it in <time>)."""
        pieces = wording[key].split("{date}")
        out: list[Words] = []
        for index, piece in enumerate(pieces):
            if piece:
                out.append(Words(text=piece.format(language=name)))
            if index < len(pieces) - 1 and day is not None:
                date = date_of(day, speaks, bool(links.wording_language))
                out.append(Words(text=date.text, date=date))
        return tuple(out)

    current = links.source_current
    # what the notice leads to besides the version followed: the source in force for a
    # withdrawn translation, what changed since for one behind
    behind = history.withdrawn is None and links.behind(revision.number)
    changes_link, changes_url = None, None
    if history.withdrawn is not None:
        changes_link, changes_url = say("current_link"), slug_url(links.source)
    elif behind and current is not None:
        changes_link = say("changes_link")
        changes_url = (f"{links.source}/compare/{follows.version_id}/{current.version_id}/"
                       if (follows.version_id, current.version_id) in links.source_compared
                       else slug_url(links.source))
    return TranslationNotice(
        source_language=links.source_language,
        notice=words("notice", follows.effective),
        source_link=say("source_link"),
        follows_url=f"{links.source}/versions/{follows.version_id}/",
        follows=date_of(follows.effective, speaks),
        how=follows.how,
        outdated=words("outdated", current.effective if current else None) if behind else (),
        changes_link=changes_link,
        changes_url=changes_url,
        lang=links.wording_language,
        withdrawn=words("withdrawn", history.withdrawn.day) if history.withdrawn else ())


def translation_entries(history: PolicyHistory) -> tuple[TranslationEntry, ...]:
    """A source's translations for its history page, each named in its own language."""
    return tuple(TranslationEntry(tag=t.language, name=language_name(t.language, t.language),
                                  url=f"{t.slug}/history/", versions=t.versions,
                                  first=dated(history, t.first),
                                  withdrawn=dated(history, t.withdrawn))
                 for t in history.translated_into)


def wording_for(language: str, settings: Mapping[str, Mapping[str, str]]
                ) -> tuple[dict[str, str], str]:
    """The notice's wording for a translation into ``language``: the settings' entry for
    it (or for its base language: ``pt`` for ``pt-BR``), else ``"*"``, else ours; and the
    language it is written in ("" for ours and ``"*"``: the site's)."""
    for key in (language, language.replace("_", "-").split("-")[0]):
        for tag, wording in settings.items():
            if tag.replace("_", "-").lower() == key.replace("_", "-").lower():
                return dict(wording), tag
    return dict(settings.get("*", {})), ""
