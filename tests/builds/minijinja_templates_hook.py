"""A second MkDocs hook, for tests/builds/test_templates_minijinja.py: each policy page's
partials rendered again by MiniJinja (the engine of Zensical, Material's successor),
from the page's own data, beside Jinja's rendering of the same partial.

MiniJinja gets what Jinja gets: the page's context, the environment's globals, the
theme's folders (ours and Material's) and the one filter of MkDocs the partials use
(``url``). Like MkDocs it escapes only where a template says ``| e``. Each pair is written
to ``$MINIJINJA_REPORT`` as JSON, for the test to compare as HTML.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2
import minijinja
from mkdocs.utils import normalize_url

from tests.builds.partials_of_page import partials_of

#: Material's partials that read Material's variables, not page data
_STUBS = {"partials/actions.html": ""}
_state: dict[str, Any] = {}


def on_env(env: jinja2.Environment, *, config: Any, files: Any) -> jinja2.Environment:
    folders = [Path(folder) for folder in config.theme.dirs]

    def load(name: str) -> str | None:
        if name in _STUBS:
            return _STUBS[name]
        for folder in folders:
            if (folder / name).is_file():
                return (folder / name).read_text("utf-8")
        return None

    engine = minijinja.Environment(loader=load, auto_escape_callback=lambda name: False)
    engine.add_filter("url", lambda value: normalize_url(str(value), page=_state["page"],
                                                         base=_state["base"]))
    _state.update(minijinja=engine, globals=dict(env.globals), report=[],
                  jinja=env.overlay(loader=jinja2.ChoiceLoader(
                      [jinja2.DictLoader(_STUBS), env.loader])))
    return env


def on_page_context(context: dict[str, Any], *, page: Any, config: Any, nav: Any
                    ) -> dict[str, Any]:
    policy = page.meta.get("policy")
    names = partials_of(page, context)
    values = {**_state["globals"], **context, "policy": policy}
    _state.update(page=page, base=context.get("base_url"))
    for name in names:
        _state["report"].append({
            "src_uri": page.file.src_uri, "template": name,
            "page": str(policy.page) if policy is not None else None,
            "jinja": _state["jinja"].get_template(name).render(values),
            "minijinja": _state["minijinja"].render_template(name, **values)})
    return context


def on_post_build(*, config: Any) -> None:
    Path(os.environ["MINIJINJA_REPORT"]).write_text(json.dumps(_state["report"]), "utf-8")
