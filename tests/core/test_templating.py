"""The template language of policy text (policy_history.model.templating): what it fills in is what
plain Jinja2 fills in, and what it refuses never runs."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_history.errors import PolicyError
from policy_history.model.templating import (
    MAX_ADDED_CHARS,
    MAX_NESTING,
    MAX_STEPS,
    PolicyTemplates,
    TemplateError,
    TemplateRefused,
)

FILE = "policies/privacy/20-cookies.md"
VARIABLES: dict[str, Any] = {
    "company": {"name": "Acme", "email": "legal@acme.example", "eu": True},
    "processors": [{"name": "Mailer", "country": "IE"}, {"name": "Hosting", "country": "DE"}],
    "days": 30,
    "many": list(range(1_000)),
    "long": "x" * 100_000,
}


def fill(text: str, variables: dict[str, Any] | None = None, line_offset: int = 0) -> str:
    return PolicyTemplates().fill(text, VARIABLES if variables is None else variables, FILE,
                                  line_offset)


def plain_jinja(text: str) -> str:
    """The oracle: Jinja2 itself, unsandboxed, on templates both may run."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(text).render(VARIABLES)


ALLOWED = [
    "We are {{ company.name }} ({{ company['email'] }}).\n",
    "{% if company.eu %}EU{% else %}elsewhere{% endif %}",
    "{% for p in processors %}- {{ loop.index }}. {{ p.name | upper }} ({{ p.country }})\n"
    "{% endfor %}",
    "{{ processors | map(attribute='name') | join(', ') }}",
    "{{ processors | selectattr('country', 'equalto', 'DE') | list | length }}",
    "{{ days + 1 }} {{ days // 7 }} {{ days * 2 }} {{ 'a' ~ days }} {{ days is even }}",
    "{% raw %}{{ kept as written }}{% endraw %} {# a comment #}",
    "{{ company.name | default('us') }} {{ missing | default('none') }}",
    "{{ many | sort | first }}..{{ many | last }} {{ many[2:4] | join('-') }}",
    "{{ 'a b c' | wordcount }} {{ '  x ' | trim }} {{ company.name | replace('A', 'a') }}",
    "{% for k, v in company | dictsort %}{{ k }}={{ v }};{% endfor %}",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_what_policy_text_may_do_fills_in_as_jinja_does(text: str) -> None:
    assert fill(text) == plain_jinja(text)


@st.composite
def templates(draw: st.DrawFn, depth: int = 0) -> str:
    """Random templates of the allowed language."""
    name = draw(st.sampled_from(["company.name", "days", "p.name", "loop.index",
                                 "company['email']", "processors | length"]))
    leaf = draw(st.sampled_from([
        "words ", "{{ company.name }}", "{{ days }}", "{{ company.name | lower }}",
        "{{ days * 3 - 1 }}", "{% if company.eu %}yes{% endif %}",
    ]))
    if depth >= 3:
        return leaf
    inner = draw(st.lists(templates(depth + 1), max_size=3))
    body = "".join(inner) or leaf
    kind = draw(st.sampled_from(["leaf", "if", "for", "concat"]))
    if kind == "if":
        return f"{{% if days > {draw(st.integers(0, 60))} %}}{body}{{% else %}}no{{% endif %}}"
    if kind == "for":
        value = name if name.startswith(("p.", "loop.")) else "p.name"
        return f"{{% for p in processors %}}{body}{{{{ {value} }}}}{{% endfor %}}"
    if kind == "concat":
        return body + leaf
    return leaf


@settings(max_examples=150, deadline=None)
@given(templates())
def test_random_templates_fill_in_as_jinja_does(text: str) -> None:
    assert fill(text) == plain_jinja(text)


@pytest.mark.parametrize(("text", "refused"), [
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "calling a function"),
    ("{{ company.__class__.__mro__ }}", "the name '__mro__' is not allowed"),
    ("{{ self }}", "the name 'self' is not allowed"),
    ("{{ company.name.upper() }}", "calling a function"),
    ("{{ lipsum() }}", "calling a function"),
    ("{% for x in range(10**12) %}{% endfor %}", "calling a function"),
    ("{% set x = company %}", "'{% set %}' is not allowed"),
    ("{% include 'mkdocs.yml' %}", "'{% include %}' is not allowed"),
    ("{% import 'x' as y %}", "'{% import %}' is not allowed"),
    ("{% macro m() %}x{% endmacro %}", "'{% macro %}' is not allowed"),
    ("{% extends 'base.html' %}", "'{% extends %}' is not allowed"),
    ("{% filter upper %}x{% endfilter %}", "'{% filter %}' is not allowed"),
    ("{% with a = 1 %}{% endwith %}", "'{% with %}' is not allowed"),
    ("{{ 9 ** 9 ** 9 }}", "the power operator"),
    ("{{ 'x' * 1000000000 }}", "'*' works on numbers only"),
    ("{{ '%999999999s' % company.name }}", "'%' works on numbers only"),
    ("{{ company.name | center(1000000000) }}", "the filter 'center' is not allowed"),
    ("{{ company | attr('name') }}", "the filter 'attr' is not allowed"),
    ("{{ long | replace('x', long) }}", "'replace' would make more than"),
    ("{% for a in many %}{% for b in many %}{% endfor %}{% endfor %}",
     f"more than {MAX_STEPS:,} steps"),
    ("{% for a in many %}{{ many | join }}{% endfor %}", f"more than {MAX_STEPS:,} steps"),
    ("{% for a in many %}{{ long }}{% endfor %}", f"adds more than {MAX_ADDED_CHARS:,}"),
    ("{% for x in processors recursive %}{{ loop(x) }}{% endfor %}", "not allowed"),
    ("{{ " + "[" * (MAX_NESTING + 5) + "1" + "]" * (MAX_NESTING + 5) + " }}",
     f"nests more than {MAX_NESTING} levels"),
])
def test_what_could_escape_or_run_away_is_refused(text: str, refused: str) -> None:
    with pytest.raises(TemplateRefused) as raised:
        fill("First line.\n\n" + text, line_offset=4)
    assert refused in raised.value.problem
    assert raised.value.file == FILE
    assert raised.value.line == 7  # the third line of the text, after 4 of front matter
    assert raised.value.fix


def test_a_refusal_runs_nothing(tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    payload = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    with pytest.raises(TemplateRefused):
        fill(payload)
    assert not marker.exists()
    # and the same payload through plain Jinja2 does run: the sandbox is what stops it
    jinja2.Environment().from_string(payload).render()
    assert marker.exists()


def test_an_undefined_variable_names_itself_and_its_line() -> None:
    with pytest.raises(TemplateError) as raised:
        fill("{% if company.eu %}\nWrite to {{ company.mail }}.\n{% endif %}", line_offset=2)
    assert raised.value.problem == "undefined variable 'company.mail'"
    assert raised.value.line == 4
    assert not isinstance(raised.value, TemplateRefused)


def test_another_template_language_names_the_setting_that_turns_templating_off() -> None:
    with pytest.raises(TemplateError) as raised:
        fill("{% capture note %}Hi{% endcapture %}{{ note }}")
    assert "unknown tag 'capture'" in raised.value.problem
    assert "templating: false" in str(raised.value.fix)


def test_budgets_are_per_fragment() -> None:
    """A template near the limit may be filled in again and again: nothing carries over."""
    env = PolicyTemplates()
    text = "{% for a in many %}{% for b in processors %}.{% endfor %}{% endfor %}"
    for _ in range(5):
        assert env.fill(text, VARIABLES, FILE, 0) == "." * 2_000


def test_refusals_are_policy_errors_with_a_plain_message() -> None:
    with pytest.raises(PolicyError) as raised:
        fill("{{ lipsum() }}")
    assert str(raised.value).startswith(f"{FILE}:1: calling a function or method is not "
                                        "allowed in policy text — ")
