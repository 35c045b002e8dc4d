"""Settings under ``extra: policies:`` in mkdocs.yml, declared and validated like a plugin's."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from policy_history import hosts

AS_OF_ENV = "POLICY_AS_OF"


class AsOf(c.BaseConfigOption[Any]):
    """A date or date-time (ISO 8601); a date means midnight UTC at its start."""

    def __init__(self, default: object = None) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> dt.datetime | None:
        return parse_as_of(value)


def parse_as_of(value: object) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise base.ValidationError(
                f"Expected a date or date-time like 2026-12-01 or 2026-12-01T09:00:00+01:00, "
                f"but got '{value}'"
            ) from None
    else:
        raise base.ValidationError(f"Expected a date, but got {type(value).__name__}")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class Count(c.BaseConfigOption[int]):
    """A whole number, 0 or more."""

    def __init__(self, default: int) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise base.ValidationError(f"Expected a whole number, 0 or more, but got {value!r}")
        return value


class Hosts(c.BaseConfigOption[list[str]]):
    """A host's name (``policy_history.hosts.HOSTS``) or a list of them; none by default."""

    def __init__(self) -> None:
        super().__init__()
        self.default = []

    def run_validation(self, value: object) -> list[str]:
        names = [] if value is None else [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise base.ValidationError(
                f"Expected a host's name or a list of them ({hosts.known()}), but got "
                f"{value!r}")
        for name in names:
            if name not in hosts.HOSTS:
                raise base.ValidationError(
                    f"unknown host '{name}': the known ones are {hosts.known()} (one, or a "
                    "list of them)")
        return list(dict.fromkeys(names))


class Languages(c.BaseConfigOption[Any]):
    """``auto`` (None), or a list of language tags."""

    def __init__(self) -> None:
        super().__init__()
        self.default = "auto"

    def run_validation(self, value: object) -> list[str] | None:
        if value == "auto" or value is None:
            return None
        if not isinstance(value, list) or not all(
                isinstance(tag, str) and tag.replace("-", "").replace("_", "").isalnum()
                for tag in value):
            raise base.ValidationError(
                f"Expected 'auto' or a list of language tags such as [de, fr, pt-BR], but got "
                f"{value!r}")
        return list(value)


class Wording(c.BaseConfigOption[dict[str, dict[str, str]]]):
    """language (or ``*``) → {notice, source_link, outdated, changes_link} → text."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict[str, dict[str, str]]:
        from policy_history.site.languages import WORDING_KEYS

        if value is None:
            return {}
        if not isinstance(value, dict):
            raise base.ValidationError(
                f"Expected a mapping of languages to wording, such as {{de: {{notice: "
                f"'…'}}}}, but got {value!r}")
        out: dict[str, dict[str, str]] = {}
        for tag, wording in value.items():
            if not isinstance(wording, dict):
                raise base.ValidationError(f"'{tag}': expected a mapping of "
                                           f"{', '.join(WORDING_KEYS)} to text")
            for key, text in wording.items():
                if key not in WORDING_KEYS:
                    raise base.ValidationError(
                        f"'{tag}': unknown key '{key}' (the keys are {', '.join(WORDING_KEYS)})")
                try:
                    str(text).format(language="", date="")
                except (KeyError, IndexError, ValueError) as error:
                    raise base.ValidationError(
                        f"'{tag}.{key}': only {{language}} and {{date}} may be filled in "
                        f"({error})") from None
            out[str(tag)] = {str(k): str(v) for k, v in wording.items()}
        return out


class PolicySiteConfig(base.Config):
    """``extra: policies:`` in mkdocs.yml. Every key is optional."""

    dir = c.Type(str, default="policies")
    """The folder holding the policies, relative to mkdocs.yml. Point it at an existing
    repository of policy files to publish their history."""

    as_of = AsOf(default=None)
    """The moment the site is built "as of": picks the version in force and the upcoming
    ones. Default: now. The environment variable POLICY_AS_OF overrides it."""

    templating = c.Type(bool, default=True)
    """Fill in ``{{ variables }}`` in policy text (Jinja2). Turn off for repositories whose
    text uses another template language."""

    text_dates = c.Choice(("all", "machine", "off"), default="all")
    """Which dates a policy that declares no changes states in its text are read as its
    versions' effective dates (docs/reference.md): ``all`` (front matter, ``{: datetime}``,
    ``<time>`` and typed lines such as "Last updated: April 20, 2023"), ``machine`` (not
    the typed lines), or ``off`` (every version dated by its commit)."""

    acknowledged_commits = c.ListOfItems(c.Type(str), default=[])
    """Past commits the history leaves out because they hold something policy text may
    not do (a refused template): every build warns of each until its id (or the start of
    it, seven characters or more) is listed here; then it is said at the INFO level."""

    on_error = c.Choice(("fail", "warn"), default="fail")
    """What a policy that cannot be read does to the build: ``fail`` stops it with the
    message; ``warn`` leaves that policy out and logs a warning (``--strict`` still fails)."""

    edit_url = c.Optional(c.Type(str))
    """Where the "edit" links of policy pages go, with ``{path}`` for the file's path in
    the repository, e.g. ``https://github.com/acme/policies/edit/main/{path}``. Default:
    derived from ``repo_url`` and ``edit_uri``."""

    feeds = c.Type(bool, default=True)
    """Publish Atom and JSON feeds (``/<slug>/feed.xml``, ``/<slug>/feed.json``, and the
    site-wide ``/feed.xml``, ``/feed.json``) and each policy's ``/<slug>/versions.json``.
    They need absolute addresses: ``site_url`` must be set."""

    feed_entries = Count(default=20)
    """How many entries each feed holds, newest first; ``0`` for all of them. The manifest
    (``versions.json``) always lists every version."""

    feed_editorial = c.Type(bool, default=False)
    """Also put editorial revisions (typo fixes …) in the feeds. By default only versions
    notify subscribers."""

    feed_takes_effect = c.Type(bool, default=False)
    """Also add an entry when a version announced in advance takes effect (at the first
    build on or after its effective date). By default a version is announced once, when
    it is published."""

    recent_change_days = Count(default=30)
    """For how many days after the version in force took effect its page shows "Updated on
    … — see what changed" (counted from the build's "as of" day); ``0`` turns it off."""

    compare_every_pair_up_to = Count(default=12)
    """A policy with at most this many versions gets a redline page for every pair of
    versions (the compare control reaches them all); a longer history gets each version
    against the one before it and against the current version."""

    compare_with_current = c.Type(bool, default=True)
    """In a history longer than ``compare_every_pair_up_to``, give every version a redline
    page against the current version too (besides the one before it). Off: only
    consecutive versions, for archives where thousands of those pages are not worth their
    cost (each is as long as the policy, and all change when a new version is published)."""

    jobs = Count(default=0)
    """How many processes render sections and compute redlines when many are missing from
    the cache (a cold build): ``0`` for one per core, ``1`` for the build's own only."""

    stamp_archive = c.Type(bool, default=True)
    """Write archived-version and redline pages from one page per policy and kind that
    MkDocs renders (its title, description, address and content replaced): the same bytes,
    many times faster. Turn off if a plugin or theme change makes each page differ in other
    places; every page then goes through MkDocs' own page pipeline."""

    language = c.Optional(c.Type(str))
    """The language the policies are written in, which controls (a BCP 47 tag such as
    ``en``). Default: ``theme.language``."""

    translations = Languages()
    """The language folders at the top of the policies folder, each holding translations
    at the same paths as the policies they translate (``de/privacy/`` translates
    ``privacy/``), e.g. ``[de, fr, ar]``. Default ``auto``: the top-level folders named by
    a language that hold a translation of a policy outside them; ``[]`` for none."""

    translation_wording = Wording()
    """What a translated page says of its source, per language of translation (a tag, or
    ``"*"`` for any): ``notice``, ``source_link``, ``outdated`` and ``changes_link``, with
    ``{language}`` (the controlling language's name in that language) and ``{date}``. The
    defaults are English (``site/languages.py``)."""

    host = Hosts()
    """Where the site is published: ``github-pages``, ``gitlab-pages`` or
    ``cloudflare-pages`` (its free plan), or a list of them. The build warns (so ``mkdocs
    build --strict`` fails) when the site exceeds a documented limit of one of them — its
    size, its number of files, the size of a file — naming the figure and what to change,
    rather than the deploy failing later in another log. Every build logs the site's
    files, size and largest file, whatever this says."""


def as_of_from(settings: PolicySiteConfig, environ: dict[str, str] | None = None) -> dt.datetime:
    """The "as of" moment: POLICY_AS_OF, else the ``as_of`` setting, else now."""
    env = os.environ if environ is None else environ
    if env.get(AS_OF_ENV):
        try:
            moment = parse_as_of(env[AS_OF_ENV])
        except base.ValidationError as exc:
            raise base.ValidationError(f"{AS_OF_ENV}: {exc}") from None
        assert moment is not None
        return moment
    return settings.as_of or dt.datetime.now(dt.timezone.utc)
