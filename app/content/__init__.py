"""The programme as content files (content/README.md describes the format).

    loader.py     reads the files into plain dataclasses; every node keeps its file:line
    validator.py  checks the whole tree and returns every problem, not only the first
    importer.py   applies a valid tree to the database by slug (idempotent, never deletes)
    snapshot.py   a content version's frozen fields, and the hash that tells versions apart
    versions.py   after an import: the new content version, and which runs follow it
    cli.py        `flask content check`, `flask content import` and `flask content apply`

Activity settings are validated by the activity's plugin (app/plugins.py): this package only
checks the type name and dispatches."""
from .loader import ContentTree, Problem, load_content
from .validator import validate

__all__ = ["ContentTree", "Problem", "load_content", "validate"]
