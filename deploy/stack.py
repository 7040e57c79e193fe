#!/usr/bin/env python3
"""The whole production stack on this machine: Redis, a fresh database, two gunicorn nodes (four
workers each, LIFE_ENV=production), the outbox worker and nginx with TLS in front, all on 127.0.0.1.

    python deploy/stack.py start --database-url postgresql://postgres@127.0.0.1:5432/test
    python deploy/stack.py stop        (or Ctrl+C in the terminal that started it)

`start` creates the database `life_scaleout` beside the one the URL names (dropped first if it
exists: every run starts fresh), migrates it, imports the programme content, loads the demo users
and 50 load-test trainees (deploy/seed.py), then prints the address. Without --database-url the
stack runs on a SQLite file with one node (SQLite is for a single server). Every process writes its
log into the run folder (instance/stack/ unless --run-dir). The test tests/scaleout/ uses `Stack`
as a context manager."""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DEFAULT_RUN_DIR = ROOT / "instance" / "stack"
DATABASE_NAME = "life_scaleout"
NGINX = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
START_SECONDS = 90
STOP_SECONDS = 20
#: Variables the app reads (config.Environment); the stack sets its own, never the caller's.
APP_VARIABLES = ("LIFE_", "DATABASE_URL", "REDIS_URL", "UPLOAD_DIR", "SECRET_KEY", "MAIL_", "WEB_CONCURRENCY",
                 "TRUSTED_PROXIES", "EVALUATION_", "FLASK_", "GUNICORN_", "SESSION_", "LOGIN_LIMIT", "RESET_MAIL",
                 "MAX_UPLOAD_MB")


class StackError(RuntimeError):
    """The stack could not start; the message says which part and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def ensure_nginx() -> str:
    """Debian's nginx; installed with apt-get when missing and we may (CI runs on a fresh machine)."""
    if Path(NGINX).exists():
        return NGINX
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        raise StackError(f"nginx is needed at {NGINX}: apt-get install nginx")
    print("Installing nginx from the Debian packages ...", flush=True)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # policy-rc.d keeps the package from starting the system service: the stack runs its own nginx.
    subprocess.run(["apt-get", "update"], check=True, env=apt_env)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "nginx"], check=True, env=apt_env)
    if not Path(NGINX).exists():
        raise StackError(f"apt-get installed nginx but {NGINX} is still missing")
    return NGINX


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the app runs as in production, behind TLS, so its
    secure cookies, HTTPS redirect and HSTS are the real ones."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def _libpq_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(server_url: str, name: str) -> str:
    """A fresh PostgreSQL database `name` on the server of `server_url`; its URL."""
    import psycopg
    with psycopg.connect(_libpq_url(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(_libpq_url(server_url), name)


def drop_database(server_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(_libpq_url(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def render_nginx_conf(values: dict[str, str]) -> str:
    text = (DEPLOY / "nginx.conf").read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", text)
    if left:
        raise StackError(f"deploy/nginx.conf: no value for {', '.join(sorted(set(left)))}")
    return text


class Stack:
    """Start with `with Stack(...) as stack:` (or start()/stop()); `stack.url` is nginx's address."""

    def __init__(self, database_url: str | None = None, *, run_dir: Path | None = None, nodes: int | None = None,
                 workers: int = 4, threads: int = 1, port: int = 0, redis_url: str | None = None,
                 trainees: int = 50, env: dict[str, str] | None = None, drop_database_at_stop: bool = False):
        self.server_url = database_url
        self.sqlite = not database_url or database_url.startswith("sqlite")
        self.nodes = nodes or (1 if self.sqlite else 2)
        if self.sqlite and self.nodes > 1:
            raise StackError("SQLite serves one node only: give a PostgreSQL --database-url for two")
        self.workers, self.threads, self.trainees = workers, threads, trainees
        self.run_dir = Path(run_dir or DEFAULT_RUN_DIR).resolve()
        self.port = port or free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.redis_url = redis_url
        self.extra_env = dict(env or {})
        self.drop_database_at_stop = drop_database_at_stop
        self.node_ports = [free_port() for _ in range(self.nodes)]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.database_url = ""
        self.certificate = self.run_dir / "tls.crt"
        self.upload_dir = self.run_dir / "uploads"
        self.logins = ""
        self.secret_key = self.pseudonym_key = ""

    # --- the parts ---------------------------------------------------------------------------

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it open)
        # Its own session: Ctrl+C in the terminal reaches this script, which stops the parts in order.
        self.processes[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def _start_redis(self) -> None:
        if self.redis_url:
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError("redis-server is needed: apt-get install redis-server (or pass --redis-url)")
        port = free_port()
        self._spawn("redis", [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", str(self.run_dir)])
        self._wait(lambda: port_open(port), "redis")
        self.redis_url = f"redis://127.0.0.1:{port}/0"

    def _create_database(self) -> None:
        if self.sqlite:
            self.database_url = f"sqlite:///{self.run_dir / 'life.sqlite'}"
        else:
            self.database_url = create_database(self.server_url, DATABASE_NAME)

    def app_env(self) -> dict[str, str]:
        """What every node, the worker and the set-up commands run with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(APP_VARIABLES) and k != "TEST_DATABASE_URL"}
        env.update({
            "LIFE_ENV": "production", "SECRET_KEY": self.secret_key, "EVALUATION_PSEUDONYM_KEY": self.pseudonym_key,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url or "", "UPLOAD_DIR": str(self.upload_dir), "TRUSTED_PROXIES": "1",
            "WEB_CONCURRENCY": str(self.workers), "GUNICORN_THREADS": str(self.threads), "MAIL_BACKEND": "log",
            "FLASK_APP": "wsgi.py", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def _run(self, name: str, *args: str) -> str:
        started = time.monotonic()
        result = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.app_env(), capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        with open(self.run_dir / "setup.log", "a") as log:
            log.write(f"$ {' '.join(args)}  ({time.monotonic() - started:.1f} s)\n{result.stdout}{result.stderr}\n")
        if result.returncode:
            raise StackError(f"{name} failed (exit {result.returncode}); see {self.run_dir / 'setup.log'}:\n"
                             f"{result.stderr[-2000:]}")
        return result.stdout

    def _prepare_database(self) -> None:
        self._run("migrations", "-m", "flask", "db", "upgrade")
        output = self._run("content import, demo users and load trainees", str(DEPLOY / "seed.py"), str(self.trainees))
        self.logins = output[output.find("Demo logins"):]

    def _start_nodes(self) -> None:
        for number, port in enumerate(self.node_ports):
            name = f"node-{'abcdefgh'[number]}"
            env = {**self.app_env(), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_NAME": f"life-{name}",
                   "GUNICORN_ACCESS_LOG": str(self.run_dir / f"{name}-access.log")}
            self._spawn(name, [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
                        env)
        self._spawn("worker", [sys.executable, "-m", "flask", "worker"], self.app_env())

    def _start_nginx(self) -> None:
        nginx = ensure_nginx()
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "nginx-tmp" / folder).mkdir(parents=True, exist_ok=True)
        cert, key = make_certificate(self.run_dir)
        max_mb = int(self.app_env().get("MAX_UPLOAD_MB", "25"))
        conf = render_nginx_conf({
            "run_dir": str(self.run_dir), "mime_types": MIME_TYPES, "max_body_mb": str(max_mb + 1),
            "upstream_servers": "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;"
                                          for p in self.node_ports),
            "listen": f"127.0.0.1:{self.port}", "certificate": str(cert), "certificate_key": str(key),
            "static_dir": str(ROOT / "app" / "static")})
        (self.run_dir / "nginx.conf").write_text(conf)
        self._spawn("nginx", [nginx, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                              "-e", str(self.run_dir / "nginx-error.log")])

    # --- start and stop ----------------------------------------------------------------------

    def start(self) -> Stack:
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        self.run_dir.mkdir(parents=True)
        self.secret_key = secrets.token_urlsafe(48)
        self.pseudonym_key = secrets.token_urlsafe(48)
        try:
            ensure_nginx()
            self._start_redis()
            self._create_database()
            self._prepare_database()
            self._start_nodes()
            self._start_nginx()
            for port in self.node_ports:
                self._wait(lambda p=port: port_open(p), "the app nodes")
            self._wait(self._answers, "nginx")
        except BaseException:
            self.stop()
            raise
        return self

    def _answers(self) -> bool:
        context = ssl.create_default_context(cafile=str(self.certificate))
        try:
            with urllib.request.urlopen(f"{self.url}/login", context=context, timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def _wait(self, ready: Any, what: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if ready():
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(f"{name} stopped while starting (exit {process.returncode}); its log:\n"
                                     + self.log_tail(name))
            time.sleep(0.2)
        raise StackError(f"{what} did not answer within {START_SECONDS} s; logs in {self.run_dir}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def stop(self) -> None:
        """nginx first (no new requests), then the nodes and the worker, Redis last."""
        for name in sorted(self.processes, key=lambda n: (n != "nginx", n == "redis")):
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_SECONDS)
        self.processes.clear()
        if self.drop_database_at_stop and not self.sqlite and self.database_url:
            drop_database(self.server_url, DATABASE_NAME)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- the command line ------------------------------------------------------------------------

def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _serve(args: argparse.Namespace) -> int:
    stack = Stack(args.database_url, run_dir=args.run_dir, workers=args.workers, port=args.port,
                  redis_url=args.redis_url, trainees=args.trainees, nodes=args.nodes)
    signal.signal(signal.SIGTERM, _interrupt)  # `stop`: the same as Ctrl+C
    print(f"Starting the stack in {stack.run_dir} ...", flush=True)
    try:
        stack.start()  # stops what it started if interrupted
    except KeyboardInterrupt:
        return 130
    (stack.run_dir / "stack.pid").write_text(str(os.getpid()))
    print(f"\nLIFE Academy on {stack.url}/ ({stack.nodes} node(s) behind nginx, certificate {stack.certificate})\n\n"
          f"{stack.logins}\nStop with Ctrl+C or `python deploy/stack.py stop`.", flush=True)
    try:
        while True:
            dead = [name for name, p in stack.processes.items() if p.poll() is not None]
            if dead:
                print(f"{', '.join(dead)} stopped; stopping the stack. Logs in {stack.run_dir}", file=sys.stderr)
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    print("Stopping ...", flush=True)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not leave half the stack running
    stack.stop()
    return 0


def _stop(args: argparse.Namespace) -> int:
    pid_file = Path(args.run_dir or DEFAULT_RUN_DIR) / "stack.pid"
    if not pid_file.exists():
        print(f"No running stack ({pid_file} is missing).", file=sys.stderr)
        return 1
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print("The stack had stopped already.")
    pid_file.unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="deploy/stack.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start the stack and keep it running until Ctrl+C or `stop`")
    start.add_argument("--database-url", default=None,
                       help="a PostgreSQL server (any database on it): the stack creates life_scaleout there; "
                            "none: SQLite, one node")
    start.add_argument("--redis-url", default=None, help="an existing Redis (default: start one on a free port)")
    start.add_argument("--port", type=int, default=8443, help="nginx's HTTPS port on 127.0.0.1 (default 8443)")
    start.add_argument("--nodes", type=int, default=None, help="app nodes (default: 2, or 1 on SQLite)")
    start.add_argument("--workers", type=int, default=4, help="gunicorn workers per node (default 4)")
    start.add_argument("--trainees", type=int, default=50, help="load-test trainees to add (default 50)")
    for command in (start, commands.add_parser("stop", help="stop the stack started with `start`")):
        command.add_argument("--run-dir", type=Path, default=None, help=f"default: {DEFAULT_RUN_DIR}")
    args = parser.parse_args(argv)
    try:
        return _serve(args) if args.command == "start" else _stop(args)
    except StackError as exc:
        print(f"deploy/stack.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
