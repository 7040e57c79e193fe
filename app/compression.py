"""Text responses compressed by the app when no proxy in front does it (COMPRESS_RESPONSES, README:
Configuration), with Flask-Compress: brotli or gzip as the client's Accept-Encoding prefers,
`Vary: Accept-Encoding` on every response, and only

- pages, CSS, JavaScript, JSON and CSV of at least COMPRESS_MIN_SIZE bytes;
- complete responses with a 2xx status: never a 304 or a redirect, never a response that already
  has a Content-Encoding, never a streamed one (a CSV export leaves row by row, and static files
  are sent from disk by the web server or Flask as they are: COMPRESS_STREAMS is off).

A compressed response's strong ETag gets the encoding appended (`"abc:br"`, RFC 9110: another
representation), and Flask-Compress then answers If-None-Match itself: a client that sends the
ETag of a compressed API response back gets its 304 (the API's own check knows only `"abc"`)."""
from __future__ import annotations

from flask import Flask

MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
             "text/csv"]
SETTINGS = {
    "COMPRESS_MIMETYPES": MIMETYPES,
    # Below about a kilobyte the headers and the CPU cost outweigh the bytes saved.
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_STREAMS": False,
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": True,
}


def init_app(app: Flask) -> None:
    if not app.config.get("COMPRESS_RESPONSES"):
        return
    from flask_compress import Compress
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    Compress(app)
