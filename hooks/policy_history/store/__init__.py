"""What a build keeps on disk for the next one, under ``.cache/policy-history/``: files
written whole and checksummed (``files``), what each section renders to
(``section_prints``), the saved replay of the history (``replays``), rendered results
by content (``results``) and the archive pages the previous build wrote (``ledger``).
A stale or damaged entry is rebuilt, never served."""
