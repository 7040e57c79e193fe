from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.plugins import ActivityPlugin, ConfigError, ContentContext

from .views import bp

SETTINGS = ("body", "resources")


class ReadingPlugin(ActivityPlugin):
    """Settings in content:

        settings:
          body: lessons/welcome.md              # Markdown, beside module.yaml
          resources: [resources/x.md, ...]      # optional: resources declared in a module

    Stored settings: {"body": <path>, "body_md": <the Markdown>, "resources": [<resource slugs>]}.
    The Markdown is rendered at view time by app/markdown.py (raw HTML off)."""

    def validate_config(self, raw: dict[str, Any], where: str,
                        context: ContentContext | None = None) -> dict[str, Any]:
        unknown = [key for key in raw if key not in SETTINGS]
        if unknown:
            raise ConfigError(f"unknown setting '{unknown[0]}' for a reading (allowed: {', '.join(SETTINGS)})",
                              context.where(unknown[0]) if context else where)
        if "body" not in raw:
            raise ConfigError("a reading needs 'body': the Markdown file of the lesson", where)
        if context is None:
            raise ConfigError("a reading's files can only be checked by the content importer", where)
        body_md = context.read_text(raw["body"], "body")
        if not body_md.strip():
            raise ConfigError(f"the lesson file {raw['body']} is empty", context.where("body"))
        paths = raw.get("resources") or []
        if not isinstance(paths, list):
            raise ConfigError("'resources' must be a list of resource files", context.where("resources"))
        slugs = [context.resource_slug(path, "resources") for path in paths]
        return {"body": raw["body"], "body_md": body_md, "resources": slugs}

    def activity_url(self, activity: Any) -> str | None:
        return url_for("reading.lesson", slug=activity.slug)

    def seed_demo(self, run, today: date) -> None:
        from .demo import seed_demo
        seed_demo(run, today)


plugin = ReadingPlugin(name="reading", label=_l("Reading"), blueprint=bp)
