"""Audio and video hand-ins (mp3, m4a, webm, mp4): what their first bytes must be, and how a page
plays them.

The extension and the bytes must agree, as for every upload (uploads.py): an MP3 starts with an
ID3 tag or an MPEG audio frame sync (11 set bits, a real layer: ADTS AAC has layer 00); M4A and
MP4 are ISO media files whose first box is `ftyp`; a WebM file starts with the EBML header
1A 45 DF A3 and names the `webm` doc type within its first bytes (a Matroska .mkv says
`matroska` and is refused). Nothing here decodes the media: browsers play it, in a sandboxed
media pipeline, from a response that is served with its own Content-Type and `nosniff`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

MEDIA_MIME_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "webm": "video/webm", "mp4": "video/mp4"}
MEDIA_TYPES = tuple(MEDIA_MIME_TYPES)
#: Played in an <audio> element; the others in <video> (which also plays a sound-only WebM).
AUDIO_TYPES = ("mp3", "m4a")
#: Recordings beside a written answer (`submission: text`): a few takes at most.
TEXT_MEDIA_MAX_FILES = 2
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
#: The EBML header is a few dozen bytes; the doc type is named inside it.
EBML_HEADER_BYTES = 64


def _mp3(data: bytes) -> bool:
    if data.startswith(b"ID3"):
        return True
    return len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 != 0


def _iso_media(data: bytes) -> bool:
    return len(data) >= 12 and data[4:8] == b"ftyp"


def _webm(data: bytes) -> bool:
    return data.startswith(EBML_MAGIC) and b"webm" in data[:EBML_HEADER_BYTES]


SNIFFERS = {"mp3": _mp3, "m4a": _iso_media, "mp4": _iso_media, "webm": _webm}


def is_media(kind: str) -> bool:
    return kind in MEDIA_MIME_TYPES


def media_matches(kind: str, data: bytes) -> bool:
    return SNIFFERS[kind](data)


def player_of(mime: str) -> str | None:
    """'audio', 'video' or None: which element plays a stored file of this Content-Type."""
    if mime in (MEDIA_MIME_TYPES["mp3"], MEDIA_MIME_TYPES["m4a"]):
        return "audio"
    if mime in (MEDIA_MIME_TYPES["webm"], MEDIA_MIME_TYPES["mp4"]):
        return "video"
    return None


@dataclass(frozen=True)
class UploadRules:
    """What a task's file input accepts, from its settings."""
    allowed: list[str]
    max_size_mb: float
    max_files: int
    media_types: list[str]
    #: Per recording: the task's max_media_mb, never above the request limit (MAX_UPLOAD_MB).
    max_media_mb: float

    @property
    def takes_files(self) -> bool:
        return bool(self.allowed)


def upload_rules(settings: dict[str, Any]) -> UploadRules:
    media_types = list(settings.get("media_types") or [])
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    max_media_mb = float(settings.get("max_media_mb") or 0)
    if request_limit:
        max_media_mb = min(max_media_mb, round(request_limit / (1024 * 1024), 2))
    if settings.get("submission") == "files":
        return UploadRules([*settings.get("allowed_types", []), *media_types], settings.get("max_size_mb", 0),
                           settings.get("max_files", 0), media_types, max_media_mb)
    if media_types:
        return UploadRules(media_types, 0, TEXT_MEDIA_MAX_FILES, media_types, max_media_mb)
    return UploadRules([], 0, 0, [], 0)
