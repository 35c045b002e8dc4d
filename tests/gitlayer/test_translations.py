"""Translations linked to their sources (policy_history.model.translations), read from real
repositories: which folder is a language, which source version each translated version
follows and how that is known, and the errors for a translation that links to nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import markdown
import pytest

from policy_history.loader import LoadedHistory, load_history
from policy_history.model.translations import (
    FOLLOWS_DATE,
    FOLLOWS_DECLARED,
    FOLLOWS_IN_FORCE,
    is_language,
    name_language,
)
from tests.support import GitRepo

AS_OF = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def render(text: str) -> str:
    return markdown.markdown(text)


def load(repo: GitRepo, **settings: Any) -> LoadedHistory:
    return load_history(repo.path / "policies", render=render, as_of=AS_OF, **settings)


def entries(*items: tuple[str, str, str | None]) -> str:
    lines = ["title: T", "changes:"]
    for effective, summary, translates in items:
        lines += [f"  - effective: {effective}", f"    summary: {summary}"]
        if translates:
            lines.append(f"    translates: {translates}")
    return "\n".join(lines) + "\n"


def follows(loaded: LoadedHistory, slug: str) -> list[tuple[str, str] | None]:
    """(source version id, how) for each revision of ``slug``; the date is the version's."""
    history = loaded.site.policies[slug]
    out: list[tuple[str, str] | None] = []
    for revision in history.revisions:
        found = loaded.languages.follows(slug, revision)
        if found is not None:
            source = loaded.site.policies[loaded.languages.translations[slug].source]
            version = next(v for v in source.versions if v.version_id == found.version_id)
            assert found.effective == version.effective
        out.append(None if found is None else (found.version_id, found.how))
    return out


@pytest.fixture
def folder_site(repo: GitRepo) -> GitRepo:
    """privacy/ (two versions) and its German translation de/privacy/, three versions:
    one committed with no source version of its day, one of a source version's day, one
    that declares what it translates."""
    repo.commit("English", "2020-01-01", {
        "policies/privacy/policy.yml": entries(("2020-01-01", "First.", None)),
        "policies/privacy/10-intro.md": "Hello.\n"})
    repo.commit("German", "2020-01-20", {
        "policies/de/privacy/policy.yml": entries(("2020-01-20", "Erste.", None)),
        "policies/de/privacy/10-intro.md": "Hallo.\n"})
    repo.commit("English 2", "2021-02-01", {
        "policies/privacy/policy.yml": entries(("2021-03-01", "Second.", None),
                                               ("2020-01-01", "First.", None)),
        "policies/privacy/10-intro.md": "Hello again.\n"})
    repo.commit("German 2", "2021-02-10", {
        "policies/de/privacy/policy.yml": entries(("2021-03-01", "Zweite.", None),
                                                  ("2020-01-20", "Erste.", None)),
        "policies/de/privacy/10-intro.md": "Hallo wieder.\n"})
    repo.commit("German 3", "2021-05-01", {
        "policies/de/privacy/policy.yml": entries(("2021-05-01", "Dritte.", "2021-03-01"),
                                                  ("2021-03-01", "Zweite.", None),
                                                  ("2020-01-20", "Erste.", None)),
        "policies/de/privacy/10-intro.md": "Hallo noch einmal.\n"})
    return repo


def test_a_language_folder_translates_the_policy_at_the_same_path(folder_site: GitRepo
                                                                  ) -> None:
    loaded = load(folder_site)
    languages = loaded.languages
    assert languages.language_of == {"privacy": "en", "de/privacy": "de"}
    assert languages.of_source == {"privacy": {"de": "de/privacy"}}
    assert loaded.site.errors == []
    assert follows(loaded, "de/privacy") == [
        ("2020-01-01", FOLLOWS_IN_FORCE),  # committed 2020-01-20: the first in force
        ("2021-03-01", FOLLOWS_DATE),
        ("2021-03-01", FOLLOWS_DECLARED)]
    assert follows(loaded, "privacy") == [None, None]
    # what the pages read, on the histories
    privacy, german = loaded.site.policies["privacy"], loaded.site.policies["de/privacy"]
    assert (privacy.language, german.language) == ("en", "de")
    assert privacy.languages == german.languages == {"en": "privacy", "de": "de/privacy"}
    assert privacy.translation is None and german.translation is not None
    assert german.translation.source == "privacy"
    assert german.translation.source_current is not None
    assert german.translation.source_current.version_id == "2021-03-01"


def test_an_editorial_revision_follows_what_its_version_follows(folder_site: GitRepo) -> None:
    text = (folder_site.path / "policies/de/privacy/policy.yml").read_text()
    folder_site.commit("Typo", "2021-06-01", {
        "policies/de/privacy/policy.yml": text.replace("changes:\n",
                                                       "changes:\n  - editorial: Tippfehler.\n"),
        "policies/de/privacy/10-intro.md": "Hallo noch einmal!\n"})
    assert follows(load(folder_site), "de/privacy")[-1] == ("2021-03-01", FOLLOWS_DECLARED)


def test_translates_must_name_a_source_version(folder_site: GitRepo) -> None:
    text = (folder_site.path / "policies/de/privacy/policy.yml").read_text()
    folder_site.commit("Wrong id", "2021-06-01", {
        "policies/de/privacy/policy.yml": text.replace(
            "changes:\n", "changes:\n  - effective: 2021-06-01\n    summary: Vier.\n"
            "    translates: 2021-03-02\n"),
        "policies/de/privacy/10-intro.md": "Hallo, vier.\n"})
    loaded = load(folder_site)
    [error] = loaded.site.errors
    assert error.file == "policies/de/privacy/policy.yml" and error.line == 3  # its entry
    assert "'translates: 2021-03-02' names no version" in str(error)
    assert "2021-03-01" in str(error) and error.fix
    # the version is still linked, to the version in force when it was committed
    assert follows(loaded, "de/privacy")[-1] == ("2021-03-01", FOLLOWS_IN_FORCE)


def test_a_translation_of_nothing_is_an_error(folder_site: GitRepo) -> None:
    folder_site.commit("Stray", "2021-06-01", {"policies/de/cookies.md": "# Cookies\n\nKekse.\n"})
    loaded = load(folder_site)
    [error] = loaded.site.errors
    assert error.file == "policies/de/cookies.md"
    assert "no policy at 'policies/cookies.md'" in str(error) and error.fix


def test_locale_folders_with_the_source_language_folder(repo: GitRepo) -> None:
    """mozilla/legal-docs: en/ holds the sources; each text states the English date."""
    def text(title: str, day: str) -> str:
        return f"# {title}\n\nEffective {day}\n{{: datetime=\"{day}\" }}\n\nText of {day}.\n"

    repo.commit("en 1", "2024-01-02", {"policies/en/notice.md": text("Notice", "2024-01-10")})
    repo.commit("de 1", "2024-01-20", {"policies/de/notice.md": text("Hinweis", "2024-01-10")})
    repo.commit("en 2", "2024-05-01", {"policies/en/notice.md": text("Notice", "2024-05-04")})
    repo.commit("pt 1", "2024-05-20", {"policies/pt-BR/notice.md": text("Aviso", "2024-05-04")})
    repo.commit("en archive", "2024-06-01", {
        "policies/en/archive/old.md": text("Old", "2019-01-01"),
        "policies/de/archive/old.md": text("Alt", "2019-01-01")})
    loaded = load(repo)
    assert loaded.site.errors == []
    languages = loaded.languages
    assert languages.of_source == {"en/notice": {"de": "de/notice", "pt-BR": "pt-br/notice"},
                                   "en/archive/old": {"de": "de/archive/old"}}
    assert languages.language_of["en/notice"] == "en"
    assert follows(loaded, "de/notice") == [("2024-01-10", FOLLOWS_DATE)]
    assert follows(loaded, "pt-br/notice") == [("2024-05-04", FOLLOWS_DATE)]


def test_a_folder_named_like_a_language_without_translations_is_a_policy(repo: GitRepo
                                                                         ) -> None:
    """``it/`` (an IT policy, not Italian) translates nothing: it stays an ordinary policy,
    with a warning naming the fix; listed in ``translations``, it is a language folder and
    says what is wrong; ``translations: []`` says it is no language folder."""
    repo.commit("IT", "2020-01-01", {"policies/it/acceptable-use.md": "# Use\n\nText.\n",
                                     "policies/privacy.md": "# Privacy\n\nText.\n"})
    loaded = load(repo)
    assert loaded.site.errors == [] and loaded.languages.translations == {}
    assert loaded.languages.language_of["it/acceptable-use"] == "en"
    warning, = loaded.site.warnings
    assert warning.file == "policies/it/acceptable-use.md"
    assert "'policies/it/' is named like a language" in warning.problem
    assert "translations:" in str(warning.fix)
    listed = load(repo, translations=["it"])
    assert [error.file for error in listed.site.errors] == ["policies/it/acceptable-use.md"]
    none = load(repo, translations=[])
    assert none.site.errors == none.site.warnings == []
    assert none.languages.translations == {}


def test_a_language_folder_that_translates_is_not_warned_of(repo: GitRepo) -> None:
    repo.commit("Both", "2020-01-01", {"policies/privacy.md": "# Privacy\n\nText.\n",
                                       "policies/de/privacy.md": "# Datenschutz\n\nText.\n",
                                       "policies/archive/old.md": "# Old\n\nText.\n"})
    loaded = load(repo)
    assert loaded.site.warnings == [] and list(loaded.languages.translations) == ["de/privacy"]


@pytest.mark.parametrize(("name", "expected"), [
    ("de", True), ("pt-BR", True), ("zh_TW", True), ("es-ES", True), ("ar", True),
    ("archive", False), ("privacy", False), ("", False), ("de-", False), ("x1", False),
    ("../de", False)])
def test_which_folder_names_are_languages(name: str, expected: bool) -> None:
    assert is_language(name) is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("DE-Geschäftsbedingungen.md", "de"), ("PT-BR-Termos-de-Serviço.md", "pt-BR"),
    ("ZH-TW-服務條款.md", "zh-TW"), ("EN-Terms-of-Service.md", "en"),
    ("ES-Ab-cd.md", "es"), ("zh-Hant-條款.md", "zh-Hant"), ("HE-תנאי השירות.md", "he"),
    ("Terms-of-Service.md", None), ("XX-Policy.md", None), ("DE.md", None), ("DE-", None),
    ("privacy.md", None)])
def test_which_file_names_start_with_a_language(name: str, expected: str | None) -> None:
    assert name_language(name) == expected


def named(title: str) -> str:
    return f"{title}\n=====\n\nText of {title}.\n"


def test_files_named_by_language_beside_the_source_are_its_translations(repo: GitRepo
                                                                         ) -> None:
    """legalmattic's layout: ``EN-…`` and ``DE-…`` in one folder; a lone ``IT-…`` beside
    no ``EN-…`` file, and a folder with two ``EN-…`` files, translate nothing."""
    repo.commit("All", "2020-01-01", {
        "policies/Terms/EN-Terms of Service.md": named("Terms"),
        "policies/Terms/DE-Geschäftsbedingungen.md": named("Bedingungen"),
        "policies/Terms/PT-BR-Termos.md": named("Termos"),
        "policies/Security/IT-Security.md": named("Security"),
        "policies/Two/EN-One.md": named("One"), "policies/Two/EN-Two.md": named("Two"),
        "policies/Two/FR-Un.md": named("Un")})
    loaded = load(repo)
    assert loaded.site.errors == loaded.site.warnings == []
    translations = loaded.languages.translations
    assert {slug: (t.language, t.source) for slug, t in translations.items()} == {
        "terms/de-geschäftsbedingungen": ("de", "terms/en-terms-of-service"),
        "terms/pt-br-termos": ("pt-BR", "terms/en-terms-of-service")}
    source = loaded.site.policies["terms/en-terms-of-service"]
    assert source.languages == {"en": "terms/en-terms-of-service",
                                "de": "terms/de-geschäftsbedingungen",
                                "pt-BR": "terms/pt-br-termos"}
    assert loaded.site.policies["security/it-security"].translation is None
    # listed languages limit the rule as they limit folders
    only_german = load(repo, translations=["de"])
    assert list(only_german.languages.translations) == ["terms/de-geschäftsbedingungen"]


def test_two_files_of_one_language_are_an_error(repo: GitRepo) -> None:
    repo.commit("All", "2020-01-01", {
        "policies/Terms/EN-Terms.md": named("Terms"),
        "policies/Terms/DE-Bedingungen.md": named("Bedingungen"),
        "policies/Terms/DE-Nutzung.md": named("Nutzung")})
    loaded = load(repo)
    error, = loaded.site.errors
    assert error.file == "policies/Terms/DE-Nutzung.md"
    assert "both translate 'policies/Terms/EN-Terms.md' into 'de'" in error.problem


def test_a_withdrawn_translation_is_published_with_its_history(repo: GitRepo) -> None:
    """A translation whose file was removed keeps its versions, marked withdrawn on the
    day of the commit that removed it; the source's switcher leaves it out and its
    history lists it. A withdrawn policy that translates nothing stays unpublished."""
    repo.commit("EN", "2020-01-01", {"policies/Terms/EN-Terms.md": named("Terms"),
                                     "policies/old.md": named("Old")})
    repo.commit("DE", "2020-02-01", {"policies/Terms/DE-Bedingungen.md": named("Bedingungen")})
    repo.commit("FR", "2020-02-02", {"policies/Terms/FR-Conditions.md": named("Conditions")})
    repo.commit("DE 2", "2020-03-01", {"policies/Terms/DE-Bedingungen.md": named("Neu")})
    removed = repo.commit("Remove", "2021-05-10", {"policies/Terms/DE-Bedingungen.md": None,
                                                   "policies/old.md": None})
    loaded = load(repo)
    site = loaded.site
    assert site.errors == []
    german = site.policies["terms/de-bedingungen"]
    assert german.withdrawn is not None and german.withdrawn.commit == removed
    assert german.withdrawn.day == dt.date(2021, 5, 10)
    assert len(german.versions) == 2 and german.translation is not None
    assert german.languages == {}
    source = site.policies["terms/en-terms"]
    assert source.languages == {"en": "terms/en-terms", "fr": "terms/fr-conditions"}
    assert [(t.language, t.versions, t.withdrawn) for t in source.translated_into] == [
        ("de", 2, dt.date(2021, 5, 10)), ("fr", 1, None)]
    assert "old" not in site.policies and "old" in site.withdrawn
    # brought back, it is no longer withdrawn and goes on with its history
    repo.commit("Back", "2021-06-01", {"policies/Terms/DE-Bedingungen.md": named("Wieder")})
    back = load(repo).site.policies["terms/de-bedingungen"]
    assert back.withdrawn is None and len(back.versions) == 3


def test_a_withdrawn_translation_in_a_language_folder(repo: GitRepo) -> None:
    repo.commit("EN", "2020-01-01", {"policies/privacy.md": named("Privacy")})
    repo.commit("DE", "2020-02-01", {"policies/de/privacy.md": named("Datenschutz")})
    repo.commit("Remove", "2020-03-01", {"policies/de/privacy.md": None})
    loaded = load(repo)
    assert loaded.site.errors == loaded.site.warnings == []
    german = loaded.site.policies["de/privacy"]
    assert german.withdrawn is not None and german.language == "de"
    assert loaded.site.policies["privacy"].languages == {}
