from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import lazy_gettext as _l

from app.content.schema import ContentModel, Says
from app.plugins import ActivityPlugin, ConfigError, ContentContext
from app.url_cache import url_for

from .views import bp

if TYPE_CHECKING:
    from app.models import Activity, ProgrammeRun


class ReadingSettings(ContentModel):
    """The shape of a reading's settings; the files they name are checked through the context."""
    unknown_key = "unknown setting '{key}' for a reading (allowed: {known})"

    body: Annotated[str, Says("'body' must be a file path",
                              missing="a reading needs 'body': the Markdown file of the lesson")]
    resources: Annotated[list[str], Says("'resources' must be a list of resource files")] | None = None


class ReadingPlugin(ActivityPlugin):
    """Settings in content:

        settings:
          body: lessons/welcome.md              # Markdown, beside module.yaml
          resources: [resources/x.md, ...]      # optional: resources declared in a module

    Stored settings: {"body": <path>, "body_md": <the Markdown>, "resources": [<resource slugs>]}.
    The Markdown is rendered at view time by app/markdown.py (raw HTML off)."""

    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        settings = context.check(ReadingSettings, raw)
        body_md = context.read_text(settings.body, "body")
        if not body_md.strip():
            raise ConfigError(f"the lesson file {settings.body} is empty", context.where("body"))
        slugs = [context.resource_slug(path, "resources") for path in settings.resources or []]
        return {"body": settings.body, "body_md": body_md, "resources": slugs}

    def activity_url(self, activity: Activity) -> str | None:
        return url_for("reading.lesson", slug=activity.slug)

    def seed_demo(self, run: ProgrammeRun, today: date) -> None:
        from .demo import seed_demo
        seed_demo(run, today)


plugin = ReadingPlugin(name="reading", label=_l("Reading"), blueprint=bp)
