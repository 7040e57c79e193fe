"""The uploaded files (UPLOAD_DIR): listed with their checksums for a backup; for a restore,
staged in a hidden folder inside UPLOAD_DIR (the same file system, even when UPLOAD_DIR is a
mounted share) and moved into place only once every byte has been checked."""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from .archive import sha256_of
from .manifest import UPLOADS_PREFIX, Member

#: Folders of our own inside UPLOAD_DIR (a restore in progress, the files a restore replaced):
#: never part of a backup.
OWN_PREFIX = ".life-"


def list_files(root: Path) -> list[tuple[Member, Path]]:
    """Every regular file under `root` (symbolic links are not followed), hashed."""
    found: list[tuple[Member, Path]] = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if not d.startswith(OWN_PREFIX)]
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            size, digest = sha256_of(path)
            found.append((Member(name=UPLOADS_PREFIX + path.relative_to(root).as_posix(), size=size,
                                 sha256=digest), path))
    return found


def has_files(root: Path) -> bool:
    return any(True for _ in _own_free_files(root))


def _own_free_files(root: Path):
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.name.startswith(OWN_PREFIX):
            continue
        if entry.is_file() or entry.is_symlink():
            yield entry
        elif entry.is_dir():
            yield from (p for p in entry.rglob("*") if not p.is_dir())


def new_staging(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{OWN_PREFIX}restore-{secrets.token_hex(6)}"
    staging.mkdir(mode=0o700)
    return staging


def staged_path(staging: Path, member_name: str) -> Path:
    relative = member_name[len(UPLOADS_PREFIX):]
    target = (staging / relative).resolve()
    if not target.is_relative_to(staging.resolve()):  # the manifest check already refuses `..`
        raise ValueError(member_name)
    return target


def swap_in(root: Path, staging: Path, stamp: str) -> Path | None:
    """Move the staged files into UPLOAD_DIR. Files already there are moved aside into
    UPLOAD_DIR/.life-before-restore-<stamp> (returned), never deleted."""
    kept = None
    current = [e for e in root.iterdir() if not e.name.startswith(OWN_PREFIX)]
    if has_files(root):
        kept = root / f"{OWN_PREFIX}before-restore-{stamp}"
        kept.mkdir(mode=0o700)
        for entry in current:
            entry.rename(kept / entry.name)
    else:
        for entry in current:  # empty folders (the app makes UPLOAD_DIR/assignment on first use)
            shutil.rmtree(entry)
    for entry in staging.iterdir():
        entry.rename(root / entry.name)
    staging.rmdir()
    return kept
