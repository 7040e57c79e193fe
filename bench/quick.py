"""In-process quick look: SQL queries and mean time per request of a few pages, through the Flask
test client (no network, no gunicorn). For before/after comparisons while working on a page;
bench/run.py is the real benchmark. Usage: DATABASE_URL=sqlite:///... python bench/quick.py"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.demo import DEMO_PASSWORD  # noqa: E402

PAGES = ["/login", "/home", "/programme/", "/programme/modules/{module}", "/static/css/app.css"]
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0


def measure(client, url: str, counter: list[int]) -> tuple[int, float]:
    client.get(url)
    counter[0] = 0
    assert client.get(url).status_code in (200, 304), url
    queries = counter[0]
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        client.get(url)
        n += 1
    return queries, (time.perf_counter() - start) / n * 1000


def main() -> None:
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    hello = Flask("hello")
    hello.get("/")(lambda: "hello")
    counter = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: counter.__setitem__(0, counter[0] + 1))
        from app.models import Module
        module = db.session.scalars(db.select(Module.slug).order_by(Module.order)).first()
    hc = hello.test_client()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        hc.get("/")
        n += 1
    hello_ms = (time.perf_counter() - start) / n * 1000
    print(f"{'hello':40} {'':>4} {hello_ms:8.2f} ms")
    client = app.test_client()
    queries, ms = measure(client, "/login", counter)
    print(f"{'/login (logged out)':40} {queries:>4} {ms:8.2f} ms  ({hello_ms / ms * 100:.1f} % of hello)")
    client.post("/login", data={"email": "kari.no@demo.life-academy.eu", "password": DEMO_PASSWORD})
    for page in PAGES[1:]:
        url = page.format(module=module)
        queries, ms = measure(client, url, counter)
        print(f"{url:40} {queries:>4} {ms:8.2f} ms  ({hello_ms / ms * 100:.1f} % of hello)")


if __name__ == "__main__":
    main()
