"""Which files make which policy, and the slugs they publish at."""

from __future__ import annotations

import pytest

from policy_history.errors import PolicyError
from policy_history.model.layout import discover, slug_for


@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("privacy.md", "privacy"),
        ("privacy/index.md", "privacy"),
        ("index.md", "index"),
        ("privacy/regulations/ccpa/index.md", "privacy/regulations/ccpa"),
        (
            "Terms of Service/WordPress.com/EN-Terms-of-Service.md",
            "terms-of-service/wordpress-com/en-terms-of-service",
        ),
        ("Facebook/Privacy Policy.md", "facebook/privacy-policy"),
        ("プライバシー ポリシー.md", "プライバシー-ポリシー"),
        ("سياسة الخصوصية.md", "سياسة-الخصوصية"),
        ("Privacy_Policy.markdown", "privacy-policy"),
    ],
)
def test_slug_comes_from_the_path(path: str, slug: str) -> None:
    assert slug_for(path) == slug


def test_folder_with_metadata_is_one_policy_and_other_markdown_files_are_policies() -> None:
    layouts = discover(
        [
            "policies/privacy/policy.yml",
            "policies/privacy/10-intro.md",
            "policies/privacy/20-cookies.md",
            "policies/privacy/notes.txt",
            "policies/terms.md",
            "policies/.github/README.md",
            "policies/_drafts/idea.md",
            "README.md",
        ],
        "policies",
    )
    assert list(layouts) == ["privacy", "terms"]
    privacy = layouts["privacy"]
    assert privacy.kind == "folder"
    assert privacy.metadata_path == "policies/privacy/policy.yml"
    assert privacy.fragments == ("policies/privacy/10-intro.md", "policies/privacy/20-cookies.md")
    assert layouts["terms"].kind == "file"


def test_repository_root_as_policies_folder() -> None:
    layouts = discover(["index.md", "privacy/index.md", "terms.md"], "")
    assert list(layouts) == ["index", "privacy", "terms"]


def test_two_policies_with_the_same_slug_is_an_error_naming_both() -> None:
    with pytest.raises(PolicyError) as error:
        discover(["policies/privacy.md", "policies/privacy/index.md"], "policies")
    message = str(error.value)
    assert "/privacy/" in message
    assert "policies/privacy.md" in message and "policies/privacy/index.md" in message
    assert "rename or remove one" in message


def test_a_name_without_letters_or_digits_is_an_error() -> None:
    with pytest.raises(PolicyError, match="no usable web address"):
        discover(["policies/---.md"], "policies")
