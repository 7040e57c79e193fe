"""Responses compressed by the app (COMPRESS_RESPONSES): pages, CSS, JavaScript, JSON and CSV above
a kilobyte, brotli or gzip as the client asks, Vary: Accept-Encoding; never a small, streamed,
already-encoded, binary or 304 response, and nothing at all when the setting is off."""
from __future__ import annotations

import gzip

import brotli
import pytest
from flask import Response, jsonify, stream_with_context

from app import create_app
from config import Environment, compress_responses

from .conftest import make_config

BIG = "<p>" + "A whole-family conversation. " * 200 + "</p>"


def _app(db_url, tmp_path, on: bool = True):
    application = create_app(make_config(db_url, tmp_path, COMPRESS_RESPONSES=on))
    application.add_url_rule("/t/big", "big", lambda: BIG)
    application.add_url_rule("/t/small", "small", lambda: "<p>short</p>")
    application.add_url_rule("/t/json", "json", lambda: jsonify(items=[BIG]))
    application.add_url_rule("/t/csv", "csv", lambda: Response(BIG, mimetype="text/csv"))
    application.add_url_rule("/t/png", "png", lambda: Response(b"\x89PNG" + b"\0" * 5000, mimetype="image/png"))
    application.add_url_rule("/t/encoded", "encoded", lambda: Response(
        gzip.compress(BIG.encode()), mimetype="text/html", headers={"Content-Encoding": "gzip"}))
    application.add_url_rule("/t/stream", "stream", lambda: Response(
        stream_with_context(iter([BIG, BIG])), mimetype="text/csv"))
    return application


@pytest.fixture
def compressing(db_url, tmp_path):
    return _app(db_url, tmp_path).test_client()


def test_a_page_is_compressed_with_what_the_client_prefers(compressing):
    plain = compressing.get("/t/big")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    zipped = compressing.get("/t/big", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) // 5
    assert int(zipped.headers["Content-Length"]) == len(zipped.data)
    best = compressing.get("/t/big", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert best.headers["Content-Encoding"] == "br" and brotli.decompress(best.data) == plain.data
    refused = compressing.get("/t/big", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("path", ["/t/json", "/t/csv"])
def test_json_and_csv_are_compressed(compressing, path):
    response = compressing.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("path, encoding", [("/t/small", None), ("/t/png", None), ("/t/stream", None),
                                            ("/t/encoded", "gzip")])
def test_small_binary_streamed_and_encoded_responses_are_left_alone(compressing, path, encoding):
    plain = compressing.get(path)
    response = compressing.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers.get("Content-Encoding") == encoding
    assert response.data == plain.data


def test_a_not_modified_static_file_is_not_compressed(compressing):
    first = compressing.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br"})
    first.close()  # a file response holds the file open until closed
    assert first.status_code == 200 and first.headers.get("ETag")
    again = compressing.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br",
                                                            "If-None-Match": first.headers["ETag"]})
    again.close()
    assert again.status_code == 304 and "Content-Encoding" not in again.headers and again.data == b""


def test_a_real_page_is_compressed(client):
    plain = client.get("/login")
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).decode().count("</html>") == 1
    assert len(plain.data) > 1024


def test_an_api_etag_still_answers_304_when_compressed(app, client, world, monkeypatch):
    from .test_api import bearer, token_for
    monkeypatch.setitem(app.config, "COMPRESS_MIN_SIZE", 1)  # the world's cohort list is short
    headers = {**bearer(token_for(world.admin)), "Accept-Encoding": "gzip"}
    first = client.get("/api/v1/cohorts", headers=headers)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    again = client.get("/api/v1/cohorts", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_off_means_no_compression(db_url, tmp_path):
    client = _app(db_url, tmp_path, on=False).test_client()
    response = client.get("/t/big", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers and response.data == BIG.encode()


@pytest.mark.parametrize("value, proxies, on", [(None, "0", True), (None, "1", False), ("auto", "1", False),
                                                ("on", "1", True), ("off", "0", False), ("", "0", True)])
def test_the_setting_is_on_unless_a_proxy_is_in_front(monkeypatch, value, proxies, on):
    monkeypatch.setenv("TRUSTED_PROXIES", proxies)
    if value is None:
        monkeypatch.delenv("COMPRESS_RESPONSES", raising=False)
    else:
        monkeypatch.setenv("COMPRESS_RESPONSES", value)
    assert compress_responses(Environment()) is on


def test_a_bad_value_is_named(monkeypatch):
    from config import ConfigurationError, read_environment
    monkeypatch.setenv("COMPRESS_RESPONSES", "sometimes")
    with pytest.raises(ConfigurationError, match="COMPRESS_RESPONSES='sometimes': must be on, off or auto"):
        read_environment()
