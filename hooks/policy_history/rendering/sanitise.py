"""Policy text as visitors get it: the HTML of the Markdown, without anything that runs.

Raw HTML in fragments is allowed (tables, ``<abbr>``, ``<details>``, ``<sup>`` …), but a
site whose text comes from pull requests must not run what a reviewer missed: scripts,
event handlers (``onerror=``), ``javascript:`` links, frames, forms and styles are removed
(docs/reference.md, "Raw HTML"). The sanitiser is nh3, the Python binding of the Rust
crate ammonia: an allow-list parser built on html5ever (the HTML5 parsing algorithm
browsers use), well kept and fast enough for every page of a history.

Pure: no MkDocs; the same input gives the same bytes.
"""

from __future__ import annotations

import nh3

#: what Markdown and the usual extensions write, plus the raw HTML a policy may use
TAGS = frozenset(nh3.ALLOWED_TAGS | {"section", "tfoot", "main", "input", "label"})
#: attributes on every tag; ``style`` only with the properties below (tables' alignment)
GENERIC = {"id", "class", "title", "lang", "dir", "role", "align", "style", "hidden"}
ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": GENERIC,
    "a": {"href", "hreflang", "name", "rel"},
    "img": {"alt", "src", "width", "height", "loading"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "abbr": {"title"},
    "input": {"type", "checked", "disabled"},  # task lists: [x]
    "label": {"for"},
}
PREFIXES = {"data-", "aria-"}
STYLE_PROPERTIES = {"text-align"}
#: plus relative URLs (links between policies, anchors)
URL_SCHEMES = {"http", "https", "mailto", "tel"}
#: what the output depends on, for caches of rendered text (policy_history.store.section_prints)
SETTINGS = (getattr(nh3, "__version__", "?"), sorted(TAGS),
            sorted((tag, sorted(names)) for tag, names in ATTRIBUTES.items()),
            sorted(PREFIXES), sorted(STYLE_PROPERTIES), sorted(URL_SCHEMES))


#: built once: configuring the cleaner cost three times what cleaning a paragraph does
_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    attributes=ATTRIBUTES,
    generic_attribute_prefixes=PREFIXES,
    filter_style_properties=STYLE_PROPERTIES,
    url_schemes=URL_SCHEMES,
    strip_comments=False,
    link_rel=None,
)


def sanitise(html: str) -> str:
    """``html`` with everything that could run removed; the words and their markup kept.

    HTML comments are kept (the page's section markers); ``rel`` is left as written.
    """
    if "<" not in html and "&" not in html:
        return html
    return _CLEANER.clean(html)
