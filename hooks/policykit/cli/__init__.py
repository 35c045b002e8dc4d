"""Command-line tools for editors and CI: ``scripts/check``, ``scripts/preview``,
``scripts/import``. MkDocs-facing (they read mkdocs.yml with MkDocs' own loader); the work
is done by the core modules ``checks``, ``preview`` and ``importer``."""
