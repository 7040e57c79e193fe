"""The plugins' tests (modules/*/tests) use the core fixtures: app, client, factory, world, login."""
from tests.conftest import *  # noqa: F401,F403
from tests.conftest import _app_context  # noqa: F401  (autouse; `import *` skips private names)
