"""LTI 1.3 tool: Moodle, Canvas and other platforms launch LIFE Academy (README: LTI 1.3)."""
from flask import Blueprint

bp = Blueprint("lti", __name__)

from . import deep_linking, grades, views  # noqa: E402,F401,I001  (routes attach to bp)

bp.record_once(lambda state: grades.init_app(state.app))
