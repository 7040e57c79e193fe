"""The benchmark: the app under gunicorn (2 sync workers) on a bench database, each page measured
with wrk interleaved with a bare Flask "hello" on the same settings (page / hello / page / hello),
so that a machine shared with other work still gives a meaningful ratio.

    python3 bench/run.py --db postgresql|sqlite --size 1k|10k [--seconds 10] [--rebuild]

SQLite data lives in bench/data/; PostgreSQL uses the database `bench_<size>` on
BENCH_PG (default postgresql://postgres@127.0.0.1:5432), never the test database. The data set is
built by bench/generate.py the first time (or with --rebuild)."""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
APP_PORT, HELLO_PORT = 18417, 18418
WORKERS = 2
MIX_REQUESTS = 1000
#: The memory mix is what most requests are: trainees' and facilitators' pages (and the login
#: page); coordinators' dashboards are a few requests a day.
MIX_ROLES = (None, "trainee", "facilitator")
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"


def need_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk "
                 "(https://github.com/wg/wrk elsewhere).")
    return wrk


def database_url(db: str, size: str, rebuild: bool) -> str:
    if db == "sqlite":
        path = BENCH / "data" / f"bench-{size}.sqlite"
        path.parent.mkdir(exist_ok=True)
        if rebuild and path.exists():
            path.unlink()
        return f"sqlite:///{path}"
    import psycopg
    server = os.environ.get("BENCH_PG", PG_DEFAULT).rstrip("/")
    name = f"bench_{size}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT),
               SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-only-key-" + "x" * 40),
               UPLOAD_DIR=str(BENCH / "data" / "uploads"), LOGIN_LIMIT_PER_CLIENT="1000 per minute",
               LOGIN_LIMIT_PER_ACCOUNT="1000 per minute")
    env.pop("WEB_CONCURRENCY", None)
    return env


def ensure_data(url: str, size: str, env: dict[str, str]) -> None:
    check = subprocess.run([PYTHON, "-c", "import sys; sys.path.insert(0, '.');"
                            "from app import create_app; from app.extensions import db;"
                            "from sqlalchemy import text;"
                            "from flask_migrate import upgrade;"
                            "app = create_app(); ctx = app.app_context(); ctx.push();"
                            # A data set built before the latest migration gets it (its rows stay).
                            "upgrade();"
                            "print(db.session.execute(text('select count(*) from \"user\"')).scalar())"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    if check.returncode == 0 and check.stdout.strip().splitlines()[-1:] != ["0"]:
        return
    print(f"building the {size} data set (bench/generate.py) ...", flush=True)
    subprocess.run([PYTHON, str(BENCH / "generate.py"), "--size", size], cwd=ROOT, env=env, check=True)


def start(module: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen([PYTHON, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", module], cwd=BENCH, env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login" if "wsgi_bench" in module
                                   else f"http://127.0.0.1:{port}/", timeout=5)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit(f"gunicorn {module} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def workers_of(proc: subprocess.Popen) -> list[int]:
    path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def login(base: str, email: str, password: str) -> str:
    """Logs in through the real form; returns the Cookie header wrk sends."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": password, **({"csrf_token": token.group(1)} if token else {})}
    opener.open(f"{base}/login", urllib.parse.urlencode(data).encode())
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookies:
        sys.exit(f"could not log in as {email}")
    return cookies


def get(url: str, cookie: str | None) -> tuple[int, int | None]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
            queries = response.headers.get("X-Bench-Queries")
            return response.status, int(queries) if queries else None
    except urllib.error.HTTPError as err:
        return err.code, None


def wrk(binary: str, url: str, cookie: str | None, seconds: float) -> dict[str, float]:
    cmd = [binary, "-t1", f"-c{WORKERS}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
           "-s", str(BENCH / "report.lua"), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, duration, p50, p95, p99, errors = line.split()[1:]
    return {"rps": int(requests) / float(duration), "p50": int(p50) / 1000, "p95": int(p95) / 1000,
            "p99": int(p99) / 1000, "errors": int(errors)}


def in_project_venv() -> None:
    """`python3 bench/run.py` runs itself again with the project's virtualenv (tasks.py makes it),
    where the app, gunicorn and psycopg are installed."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        return
    if not venv_python.exists():
        sys.exit("The project's virtualenv is missing: run `python3 tasks.py lint` (or the README's test "
                 "command) first.")
    os.execv(str(venv_python), [str(venv_python), *sys.argv])


def main() -> None:
    in_project_venv()
    parser = argparse.ArgumentParser(description="LIFE Academy benchmark against a bare Flask ceiling")
    parser.add_argument("--db", choices=["postgresql", "sqlite"], required=True)
    parser.add_argument("--size", choices=["1k", "10k"], default="1k")
    parser.add_argument("--seconds", type=float, default=10.0, help="per page, split over two wrk runs")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--mix", type=int, default=MIX_REQUESTS, help="requests of the memory mix (0: skip)")
    parser.add_argument("--only", nargs="*", help="measure only pages whose name contains one of these")
    args = parser.parse_args()
    binary = need_wrk()
    url = database_url(args.db, args.size, args.rebuild)
    env = env_for(url)
    ensure_data(url, args.size, env)
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from app import create_app
    from bench.generate import PASSWORD
    from bench.pages import LOGINS, pages
    with create_app().app_context():
        page_list = pages()
    if args.only:
        page_list = [p for p in page_list if any(o in p[0] for o in args.only)]
    app_proc = start("wsgi_bench:app", APP_PORT, env)
    hello_proc = start("hello:app", HELLO_PORT, env)
    base, hello = f"http://127.0.0.1:{APP_PORT}", f"http://127.0.0.1:{HELLO_PORT}/"
    try:
        cookies = {role: login(base, email, PASSWORD) for role, email in LOGINS.items()}
        cookies[None] = None  # type: ignore[index]
        queries, seconds = {}, {}
        for name, role, path in page_list:  # warm-up, and each page's status, time and query count
            started = time.perf_counter()
            for _ in range(3):
                status, count = get(base + path, cookies[role])
            seconds[name] = (time.perf_counter() - started) / 3
            if status != 200:
                sys.exit(f"{name}: {path} answered {status}")
            queries[name] = count
        mix = [p for p in page_list if p[1] in MIX_ROLES] or page_list
        for index in range(args.mix):
            _, role, path = mix[index % len(mix)]
            get(base + path, cookies[role])
        memory = {pid: rss_mb(pid) for pid in workers_of(app_proc)}
        print_header(args, memory if args.mix else {})
        for name, role, path in page_list:
            # Long enough for a slow page to complete several requests in each run.
            half = max(args.seconds / 2, min(8 * seconds[name], 20))
            runs = [wrk(binary, base + path, cookies[role], half), wrk(binary, hello, None, half),
                    wrk(binary, base + path, cookies[role], half), wrk(binary, hello, None, half)]
            page_runs, hello_runs = runs[0::2], runs[1::2]
            rps = sum(r["rps"] for r in page_runs) / 2
            ceiling = sum(r["rps"] for r in hello_runs) / 2
            worst = {k: max(r[k] for r in page_runs) for k in ("p50", "p95", "p99")}
            errors = sum(r["errors"] for r in page_runs)
            print(f"| {name} | {queries[name]} | {rps:.1f} | {rps / ceiling * 100:.1f} % | "
                  f"{worst['p50']:.0f} | {worst['p95']:.0f} | {worst['p99']:.0f} | {ceiling:.0f} |"
                  + (f" {errors} errors" if errors else ""), flush=True)
        after = {pid: rss_mb(pid) for pid in workers_of(app_proc)}
        print(f"\nWorker RSS after the whole run: {', '.join(f'{mb:.0f} MB' for mb in after.values())}")
    finally:
        stop(app_proc)
        stop(hello_proc)


def print_header(args, memory: dict[int, float]) -> None:
    load = os.getloadavg()
    print(f"\n## {args.db}, {args.size} trainees — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(f"Machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}; load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
          f"; gunicorn {WORKERS} sync workers, wrk -t1 -c{WORKERS}, {args.seconds:g} s per page.")
    if memory:
        print(f"Worker resident memory after warm-up and {args.mix} requests of the mix "
              "(login, trainee and facilitator pages in turn): "
              + ", ".join(f"{mb:.0f} MB" for mb in memory.values()))
    print()
    print("| page | SQL queries | rps | % of hello | p50 ms | p95 ms | p99 ms | hello rps |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|", flush=True)


if __name__ == "__main__":
    main()
