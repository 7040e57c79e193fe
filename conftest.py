"""Root of the test run. The browser fixtures are a plugin here, not a conftest of tests/browser,
so that the plugins' browser tests (modules/*/tests) use the same session-wide Chromium: two
Playwright instances in one process collide."""
pytest_plugins = ["tests.browser.fixtures"]
