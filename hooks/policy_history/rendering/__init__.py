"""Policy Markdown to HTML, as fast and as safe as it can be: texts cut into pieces that
render alone (``chunks``), Python-Markdown's inline pass without the patterns a text
cannot match (``quick_inline``), and raw HTML kept without what runs (``sanitise``)."""
