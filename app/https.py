"""HTTPS behind the reverse proxy: which proxies to believe, HTTP sent to HTTPS, and HSTS."""
from __future__ import annotations

from flask import Flask, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Only the last `proxies` hops of X-Forwarded-* are ours; anything a client adds before them
        # is ignored, so a stranger cannot choose the address that throttling counts.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    if app.config.get("ENV_NAME") != "production":
        return

    @app.before_request
    def _to_https():
        if request.scheme == "http":
            return redirect(request.url.replace("http://", "https://", 1), code=301)
        return None

    @app.after_request
    def _hsts(response):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
