"""An independent oracle for honest dates (issue 20).

It shares nothing with the product: no import of ``policy_history``, its own git calls, its own
reading of Markdown into words and its own parser of declared dates. Two implementations
of the same rules that agree on every document of real repositories are the evidence
that the rules are implemented, not merely tested against themselves.
"""
