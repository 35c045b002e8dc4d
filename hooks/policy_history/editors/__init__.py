"""The tools for legal editors and their CI: the check of a pull request (``check``,
``check_cli``), its redline preview (``preview``, ``preview_cli``), the import of dated
past versions into git (``importer``, ``import_cli``). Each side of a comparison is read
from git or the working tree and replayed through the site's own model
(``comparison``). The ``*_cli`` modules read mkdocs.yml with MkDocs' loader."""
