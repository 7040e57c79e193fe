"""Writing and reading the backup archive (.tar.gz, read and written as a stream so that it can
come from or go to a pipe, e.g. through gpg).

Reading trusts the archive as little as the uploads code trusts a zip (modules/assignment/uploads.py):
the manifest comes first and is read with a bounded size; after it, every member must be a regular
file the manifest lists, of exactly the size it declares, and is copied in chunks while its SHA-256
is computed — a header that lies about a size or a member the manifest does not know stops the
restore before anything is replaced. Nothing is extracted by tarfile itself (no links, devices or
paths outside the staging folder)."""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from . import BackupError
from .manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME, Manifest, Member, parse_manifest

CHUNK = 1024 * 1024
#: Room left free on the disk after staging a restore.
DISK_MARGIN = 64 * 1024 * 1024


def sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class _Hashing:
    """A file read through this is hashed on the way into the archive."""

    def __init__(self, source: BinaryIO):
        self.source, self.digest = source, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def write_archive(target: BinaryIO, manifest: Manifest, paths: dict[str, Path]) -> None:
    """Write the manifest, then every member from `paths` (member name -> file). Raises BackupError
    when a file changed since the manifest was made (it was hashed a moment ago)."""
    with tarfile.open(fileobj=target, mode="w|gz", format=tarfile.PAX_FORMAT) as tar:
        data = manifest.to_bytes()
        _add(tar, MANIFEST_NAME, len(data), _BytesReader(data), manifest.created_at.timestamp())
        for member in manifest.members:
            path = paths[member.name]
            try:
                with path.open("rb") as source:
                    reader = _Hashing(source)
                    _add(tar, member.name, member.size, reader, path.stat().st_mtime)
            except OSError as exc:
                raise BackupError(f"{path} changed or vanished while the backup was written ({exc}); "
                                  "run the backup again") from None
            if reader.digest.hexdigest() != member.sha256:
                raise BackupError(f"{path} changed while the backup was written; run the backup again")


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset:end], min(end, len(self.data))
        return chunk


def _add(tar: tarfile.TarFile, name: str, size: int, source, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    tar.addfile(info, source)


class _Bounded:
    """The decompressed archive, read no further than `limit` bytes: before the manifest is known
    that is the manifest's bound, afterwards what the manifest declares (plus tar's headers), so
    neither a gzip bomb nor a giant tar header can make us inflate more."""

    def __init__(self, source: gzip.GzipFile, limit: int):
        self.source, self.limit, self.read_so_far = source, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size if size >= 0 else self.limit - self.read_so_far + 1)
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise BackupError("the archive holds more data than its manifest declares; nothing was restored")
        return data


#: Room for tar's own headers and padding: a header block (and a PAX header) per member, and the
#: records at the end.
HEADER_ALLOWANCE = 8 * 1024
END_ALLOWANCE = 1024 * 1024


def read_archive(source: BinaryIO, destination: Callable[[Manifest, Member], Path],
                 before_members: Callable[[Manifest], None] = lambda _m: None) -> Manifest:
    """Read the archive, checking it against its manifest, and copy every member to the path
    `destination` gives. `before_members` sees the manifest first (to refuse early). Raises
    BackupError, with the member concerned, for anything damaged, truncated or unexpected; the
    caller removes what was copied."""
    bounded = _Bounded(gzip.GzipFile(fileobj=source, mode="rb"), MANIFEST_MAX_BYTES + END_ALLOWANCE)
    try:
        with tarfile.open(fileobj=bounded, mode="r|") as tar:  # type: ignore[call-overload]
            return _read_members(tar, bounded, destination, before_members)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"the archive is damaged or truncated ({exc or type(exc).__name__}); "
                          "nothing was restored") from None


def _read_members(tar: tarfile.TarFile, bounded: _Bounded, destination, before_members) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST_NAME or not first.isreg():
        raise BackupError(f"the archive does not start with {MANIFEST_NAME}: it is not a LIFE Academy backup")
    if first.size > MANIFEST_MAX_BYTES:
        raise BackupError(f"the archive's {MANIFEST_NAME} is larger than {MANIFEST_MAX_BYTES} bytes")
    manifest = parse_manifest(_read_exactly(tar, first, first.size))
    bounded.limit = bounded.read_so_far + sum(m.size + HEADER_ALLOWANCE for m in manifest.members) + END_ALLOWANCE
    before_members(manifest)
    _check_space(manifest, destination)
    expected = manifest.by_name()
    seen: set[str] = set()
    while (info := tar.next()) is not None:  # iterating the TarFile would yield the manifest again
        member = expected.get(info.name)
        if member is None or info.name in seen:
            raise BackupError(f"the archive holds {info.name!r}, which its manifest does not list (or lists once)")
        if not info.isreg():
            raise BackupError(f"the archive's {info.name!r} is not a plain file")
        if info.size != member.size:
            raise BackupError(f"the archive's {info.name!r} has {info.size} bytes, its manifest says {member.size}")
        _copy_checked(tar, info, member, destination(manifest, member))
        seen.add(info.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"the archive is incomplete: {len(missing)} member(s) of its manifest are missing "
                          f"(first: {missing[0]}); nothing was restored")
    return manifest


def _read_exactly(tar: tarfile.TarFile, info: tarfile.TarInfo, size: int) -> bytes:
    stream = tar.extractfile(info)
    if stream is None:
        raise BackupError(f"the archive's {info.name!r} cannot be read")
    data = stream.read(size + 1)
    if len(data) != size:
        raise BackupError(f"the archive's {info.name!r} is truncated")
    return data


def _copy_checked(tar: tarfile.TarFile, info: tarfile.TarInfo, member: Member, target: Path) -> None:
    stream = tar.extractfile(info)
    if stream is None:
        raise BackupError(f"the archive's {info.name!r} cannot be read")
    digest, left = hashlib.sha256(), member.size
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while left:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                raise BackupError(f"the archive's {info.name!r} is truncated; nothing was restored")
            digest.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    if digest.hexdigest() != member.sha256:
        raise BackupError(f"the archive's {info.name!r} does not match its checksum: the archive is damaged "
                          "or was changed; nothing was restored")


def _check_space(manifest: Manifest, destination) -> None:
    """Refuse before copying when a disk cannot hold what the manifest declares for it."""
    needed: dict[int, tuple[Path, int]] = {}
    for member in manifest.members:
        probe = destination(manifest, member).parent
        while not probe.exists():
            probe = probe.parent
        device = probe.stat().st_dev
        folder, total = needed.get(device, (probe, 0))
        needed[device] = (folder, total + member.size)
    for folder, total in needed.values():
        free = shutil.disk_usage(folder).free
        if free < total + DISK_MARGIN:
            raise BackupError(f"not enough free disk space at {folder}: the backup needs {total // 2**20} MiB "
                              f"and {free // 2**20} MiB are free")
