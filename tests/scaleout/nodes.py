"""A browser that can be pointed at one app node, past nginx, sending what nginx would send
(X-Forwarded-For/-Proto, the public Host), so a test chooses which node answers each request.
Its cookies are kept by hand: the app's cookies are Secure, which an HTTP cookie jar never sends."""
from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

import httpx

from deploy.stack import Stack


class NodeBrowser:
    def __init__(self, stack: Stack):
        self.stack = stack
        self.cookies: dict[str, str] = {}
        self.node = 0

    def on(self, node: int) -> NodeBrowser:
        self.node = node
        return self

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # Referer: over HTTPS, Flask-WTF refuses a form post that does not come from this site.
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Host": f"127.0.0.1:{self.stack.port}",
                   "Referer": f"{self.stack.url}{path}", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = f"http://127.0.0.1:{self.stack.node_ports[self.node]}{path}"
        response = httpx.request(method, url, headers=headers, timeout=60, follow_redirects=False, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def log_in(self, email: str, password: str) -> httpx.Response:
        return self.post("/login", data={"csrf_token": self.csrf("/login"), "email": email, "password": password})
