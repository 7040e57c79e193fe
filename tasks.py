#!/usr/bin/env python3
"""Developer tasks for LIFE Academy, with nothing but the standard library of Python 3.11+.

    python3 tasks.py demo    install, load the demo data on SQLite, serve it on 127.0.0.1:5000
    python3 tasks.py test    install, lint, make sure Chromium and the PDF tools are there, run the whole test suite
    python3 tasks.py lint    install, run ruff and mypy (configured in pyproject.toml)

Both create `.venv` on first use and reinstall the project only when pyproject.toml changes."""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".life-install-stamp"
TRANSLATIONS = ROOT / "app" / "translations"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


class TaskError(Exception):
    """Something the developer has to fix; the message says what."""


def check_python() -> None:
    if sys.version_info < (3, 11):
        raise TaskError(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")


def venv_bin(name: str) -> str:
    folder = "Scripts" if os.name == "nt" else "bin"
    return str(VENV / folder / name)


def run(*cmd: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, check=check, **kwargs)


def create_venv() -> None:
    if Path(venv_bin("python")).exists():
        return
    print("Creating the virtual environment in .venv ...", flush=True)
    try:
        venv.create(VENV, with_pip=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        raise TaskError("Could not create .venv. On Debian or Ubuntu install the venv module first: "
                        "apt-get install python3-venv") from exc


def pyproject_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def install() -> None:
    """Install the project and its test tools into .venv, unless pyproject.toml is unchanged."""
    create_venv()
    digest = pyproject_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    print("Installing LIFE Academy and its dependencies into .venv ...", flush=True)
    run(venv_bin("python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-e", ".[test]")
    STAMP.write_text(digest + "\n")


def compile_translations() -> None:
    if not any(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        return
    run(venv_bin("pybabel"), "compile", "-d", str(TRANSLATIONS))


def flask_env() -> dict[str, str]:
    return {**os.environ, "FLASK_APP": "wsgi.py"}


def flask(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return run(venv_bin("flask"), *args, check=check, env=flask_env(), **kwargs)


def has_flask_command(name: str) -> bool:
    result = flask(name, "--help", check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0


def prepare_database() -> str:
    """Migrate, import the programme content when that command exists, load the demo users.
    Returns the demo-load output (the logins)."""
    flask("db", "upgrade")
    if has_flask_command("content"):
        flask("content", "import")
    return flask("demo", "load", stdout=subprocess.PIPE, text=True).stdout


def serve_demo() -> int:
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    logins = prepare_database()
    print(f"\nLIFE Academy demo: open http://{host}:{port}/\n\n{logins}\nPress Ctrl+C to stop.\n",
          flush=True)
    try:
        return flask("run", "--host", host, "--port", port, check=False).returncode
    except KeyboardInterrupt:
        return 0


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", DEFAULT_CHROMIUM)


def can_apt() -> bool:
    return bool(shutil.which("apt-get")) and hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(*packages: str) -> None:
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", env=apt_env)
    run("apt-get", "install", "-y", "--no-install-recommends", *packages, env=apt_env)


def ensure_chromium() -> None:
    """The browser tests drive a real Chromium; install Debian's when we are allowed to."""
    if Path(chromium_path()).exists():
        return
    if not can_apt():
        raise TaskError(f"The browser tests need Chromium at {chromium_path()}. Install it "
                        "(Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH "
                        "to a Chromium or Chrome executable.")
    print("Installing Chromium from the Debian packages for the browser tests ...", flush=True)
    apt_install("chromium")
    if not Path(chromium_path()).exists():
        raise TaskError(f"apt-get installed chromium but {chromium_path()} is still missing.")


#: Debian packages of the PDF report: WeasyPrint draws text with Pango; the tests read the PDF
#: back with pdftotext and pdffonts (poppler-utils).
PANGO_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0")
PDF_TOOLS = ("pdftotext", "pdffonts")


def missing_pdf_packages(with_tools: bool) -> list[str]:
    import ctypes.util
    missing = [] if ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0") \
        else list(PANGO_PACKAGES)
    if with_tools and not all(shutil.which(tool) for tool in PDF_TOOLS):
        missing.append("poppler-utils")
    return missing


def ensure_pdf_packages(with_tools: bool = True, required: bool = True) -> None:
    """Install what the PDF report (and, `with_tools`, its tests) needs from Debian. The demo
    runs without it (`required=False`): only the report's PDF download fails, with a 503."""
    missing = missing_pdf_packages(with_tools)
    if not missing:
        return
    if not can_apt():
        message = (f"The PDF report needs the Debian packages {' '.join(missing)} "
                   f"(sudo apt-get install {' '.join(missing)}).")
        if required:
            raise TaskError(message)
        print(f"Warning: {message} Until then the report downloads as PDF fail.", flush=True)
        return
    print(f"Installing {' '.join(missing)} from the Debian packages for the PDF report ...", flush=True)
    apt_install(*missing)
    still = missing_pdf_packages(with_tools)
    if still and required:
        raise TaskError(f"apt-get ran but {' '.join(still)} is still missing.")


def demo() -> int:
    install()
    ensure_pdf_packages(with_tools=False, required=False)
    compile_translations()
    return serve_demo()


def run_linters() -> int:
    """ruff, then mypy, as pyproject.toml configures them; the exit code of the first that fails."""
    for tool in (("ruff", "check", "."), ("mypy",)):
        print(f"Running {tool[0]} ...", flush=True)
        code = run(venv_bin("python"), "-m", *tool, check=False).returncode
        if code:
            return code
    return 0


def lint() -> int:
    install()
    return run_linters()


def test(pytest_args: list[str]) -> int:
    """A lint or type error fails the run before any test starts (CI calls this too)."""
    install()
    code = run_linters()
    if code:
        return code
    compile_translations()
    ensure_chromium()
    ensure_pdf_packages()
    return run(venv_bin("python"), "-m", "pytest", *pytest_args, check=False).returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tasks.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{demo,test,lint}")
    commands.add_parser("demo", help="install, load the demo data and serve it on http://127.0.0.1:5000 "
                                     "(FLASK_RUN_HOST and FLASK_RUN_PORT change the address)")
    test_parser = commands.add_parser("test", help="install, run ruff and mypy, then the whole test suite, "
                                                   "browser tests included")
    test_parser.add_argument("pytest_args", nargs="*", help="passed on to pytest")
    commands.add_parser("lint", help="install and run ruff and mypy only")
    return parser


def main(argv: list[str]) -> int:
    try:
        check_python()
        if argv and argv[0] == "test":
            # Everything after `test` belongs to pytest, options included (-k, -x, ...).
            return test(argv[1:])
        args = build_parser().parse_args(argv)  # only `demo` and `lint` are left: this rejects anything else
        return lint() if args.command == "lint" else demo()
    except TaskError as exc:
        print(f"tasks.py: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"tasks.py: `{' '.join(map(str, exc.cmd))}` failed with exit code {exc.returncode}.",
              file=sys.stderr)
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
