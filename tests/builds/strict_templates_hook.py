"""A second MkDocs hook, for tests/builds/test_templates_strict.py: each policy page's
templates rendered again with ``jinja2.StrictUndefined``, from the page's own data.

A name the page data lacks renders as nothing in the site's own environment; here it
stops the build with the template, line and page. The output must equal the lax
rendering, and (for a page MkDocs renders alone) be what the page shows. What was
rendered is written to ``$STRICT_TEMPLATES_REPORT`` as JSON, for the test to see that
every kind of page was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2

from tests.builds.partials_of_page import partials_of

_env: dict[str, jinja2.Environment] = {}
_report: list[dict[str, Any]] = []
_shown: dict[str, str] = {}  # src_uri → the content MkDocs' page must hold


def on_env(env: jinja2.Environment, *, config: Any, files: Any) -> jinja2.Environment:
    # Material's own partial (edit buttons) reads Material's variables, not page data
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({"partials/actions.html": ""}),
                                  env.loader])
    _env["strict"] = env.overlay(undefined=jinja2.StrictUndefined, loader=loader)
    _env["lax"] = env.overlay(loader=loader)
    _report.clear()
    _shown.clear()
    return env


def on_page_context(context: dict[str, Any], *, page: Any, config: Any, nav: Any
                    ) -> dict[str, Any]:
    policy = page.meta.get("policy")
    names = partials_of(page, context)
    values = {**context, "policy": policy}
    for name in names:
        try:
            strict = _env["strict"].get_template(name).render(values)
        except jinja2.UndefinedError as error:
            raise AssertionError(f"{name} on {page.file.src_uri}: {error}") from error
        assert strict == _env["lax"].get_template(name).render(values), name
        if name.endswith("policy-content.html") and str(policy.page) in (
                "history", "version", "compare"):
            _shown[page.file.src_uri] = strict
    _report.append({"src_uri": page.file.src_uri, "templates": names,
                    "class": type(policy).__name__ if policy is not None else None,
                    "page": str(policy.page) if policy is not None else None,
                    "index": len(context.get("policy_index") or ())})
    return context


def on_post_page(output: str, *, page: Any, config: Any) -> str:
    content = _shown.pop(page.file.src_uri, None)
    assert content is None or content in output, page.file.src_uri
    return output


def on_post_build(*, config: Any) -> None:
    Path(os.environ["STRICT_TEMPLATES_REPORT"]).write_text(json.dumps(_report), "utf-8")
