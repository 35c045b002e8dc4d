"""Which of our partials a page renders, for the hooks that render them again
(strict_templates_hook.py, minijinja_templates_hook.py)."""

from __future__ import annotations

from typing import Any


def partials_of(page: Any, context: dict[str, Any]) -> list[str]:
    """The partials ``page`` renders with its own page data (``policy``)."""
    policy = page.meta.get("policy")
    names = []
    if policy is not None:
        names.append("partials/policy-content.html")
        if str(policy.page) != "stamp":  # main.html prints a shell's marker instead
            names.append("partials/policy-feed-links.html")
    if page.is_homepage and context.get("policy_index"):
        names.append("partials/policy-index.html")
    return names
