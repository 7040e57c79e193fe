"""Fingerprinted static files: `static_url('css/app.css')` -> `/static/css/app.css?v=<sha256[:12]>`.

A request carrying the file's current version may be cached for a year by the browser (and any
proxy): the URL changes whenever the content does, so a page never revalidates its assets. The
hash is computed once per file and kept until the file's size or modification time changes (a
stat per asset per page, no read), so a development server picks up an edited file. A server
that does not reload templates (production: files change only with a deployment, which starts
new workers) trusts the hashes made at start-up: no path resolution or stat per asset per page,
which was a tenth of the login page's time."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, has_request_context, request, url_for

CACHE_FOREVER = "public, max-age=31536000, immutable"
VERSION_ARG = "v"


class StaticVersions:
    def __init__(self, folder: str, *, watch: bool = True) -> None:
        self.folder = Path(folder).resolve()
        self.watch = watch
        self._known: dict[str, tuple[int, int, str]] = {}

    def version(self, filename: str) -> str | None:
        """The file's content hash; None when it is not a file of the static folder."""
        if not self.watch and filename in self._known:
            return self._known[filename][2]
        path = self.folder / filename
        try:
            if self.folder not in path.resolve().parents:
                return None
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def warm(self) -> None:
        """Hash every file at start-up, so no request pays for it."""
        for path in self.folder.rglob("*"):
            if path.is_file():
                self.version(path.relative_to(self.folder).as_posix())


def init_app(app: Flask) -> None:
    if app.static_folder is None:
        return
    watch = bool(app.debug or app.config.get("TEMPLATES_AUTO_RELOAD"))
    versions = StaticVersions(app.static_folder, watch=watch)
    versions.warm()

    # Without watching, a file's address is as fixed as its hash: built once per script root.
    addresses: dict[tuple[str, str], str] = {}

    def static_url(filename: str) -> str:
        if not watch and has_request_context():
            key = (request.script_root, filename)
            if key not in addresses:
                addresses[key] = _versioned_url(filename)
            return addresses[key]
        return _versioned_url(filename)

    def _versioned_url(filename: str) -> str:
        version = versions.version(filename)
        if version is None:
            return url_for("static", filename=filename)
        return url_for("static", filename=filename, v=version)  # v: VERSION_ARG

    @app.after_request
    def cache_versioned_static(response: Response) -> Response:
        if (request.endpoint == "static" and response.status_code == 200 and request.view_args
                and request.args.get(VERSION_ARG) == versions.version(request.view_args["filename"])):
            response.headers["Cache-Control"] = CACHE_FOREVER
        return response

    app.jinja_env.globals["static_url"] = static_url
