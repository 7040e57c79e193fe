"""Profile one bench page in-process (Flask test client, no gunicorn): SQL queries and mean time
per request, and a pyinstrument profile with --profile. For finding causes; bench/run.py is the
benchmark. Usage: DATABASE_URL=... python bench/profile.py [--profile] [NAME-SUBSTRING ...]"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.generate import PASSWORD  # noqa: E402
from bench.pages import LOGINS, pages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    counter = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: counter.__setitem__(0, counter[0] + 1))
        chosen = [p for p in pages() if not args.names or any(n in p[0] for n in args.names)]
    clients = {}
    for name, role, url in chosen:
        if role not in clients:
            clients[role] = app.test_client()
            if role:
                response = clients[role].post("/login", data={"email": LOGINS[role], "password": PASSWORD})
                assert response.status_code == 302, (role, response.status_code)
        client = clients[role]
        status = client.get(url).status_code
        counter[0] = 0
        client.get(url)
        queries = counter[0]
        n, start, cpu_start = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - start < args.seconds or n < 3:
            client.get(url)
            n += 1
        ms = (time.perf_counter() - start) / n * 1000
        # This process's CPU time: less moved by other work on the machine than the wall clock
        # (the database server's own time is not in it).
        cpu_ms = (time.process_time() - cpu_start) / n * 1000
        print(f"{name:32} {status} {queries:>5} q {ms:9.1f} ms {cpu_ms:7.1f} ms CPU  {url}", flush=True)
        if args.profile:
            from pyinstrument import Profiler
            profiler = Profiler()
            with profiler:
                for _ in range(1 if args.seconds == 0 else 3):
                    client.get(url)
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
