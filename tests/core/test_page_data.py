"""What each policy page hands its templates (``site/page_data.py``)."""

from __future__ import annotations

import json

import jinja2
import pytest

from policy_history.site.page_data import PageKind


@pytest.mark.parametrize("kind", list(PageKind))
def test_a_page_kind_prints_and_compares_as_its_text(kind: PageKind) -> None:
    """What kinds were as plain strings, on every Python the project runs on: a site's
    override comparing ``policy.page == "current"``, JSON, and what a template prints."""
    assert kind == kind.value and hash(kind) == hash(kind.value)
    assert str(kind) == f"{kind}" == format(kind, "") == f"{kind:>0}" == kind.value
    assert "%s" % kind == kind.value  # noqa: UP031 (printf-style formatting too)
    assert json.dumps({"page": kind}) == json.dumps({"page": kind.value})
    template = jinja2.Environment().from_string('{{ k }}|{{ k | e }}|{{ "x-" ~ k }}|'
                                                '{{ k == v }}|{{ [k] | tojson }}')
    assert template.render(k=kind, v=kind.value) == \
        f'{kind.value}|{kind.value}|x-{kind.value}|True|["{kind.value}"]'
    assert PageKind(kind.value) is kind
