"""Static assets are fingerprinted (?v=<content hash>) and cached for a year only under their
current version; a page never makes the browser revalidate them."""
import hashlib
import re
from pathlib import Path

from app.static_files import CACHE_FOREVER, StaticVersions

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_asset_of_a_page_carries_its_content_hash(client):
    urls = asset_urls(client.get("/login").get_data(as_text=True))
    assert len(urls) == 7  # the layout's six, and the passkey script of the login page
    for url in urls:
        path, version = url.split("?v=")
        content = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12]


def test_a_versioned_asset_is_cached_for_a_year_even_for_a_logged_in_user(client, world, login):
    login(world.trainee)
    url = next(u for u in asset_urls(client.get("/home").get_data(as_text=True)) if "app.css" in u)
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == CACHE_FOREVER


def test_an_unversioned_or_outdated_url_is_not_cached_forever(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_version_follows_the_file_content(tmp_path):
    asset = tmp_path / "a.css"
    asset.write_text("body{}")
    versions = StaticVersions(str(tmp_path))
    first = versions.version("a.css")
    asset.write_text("body{color:red}")
    assert versions.version("a.css") != first
    assert versions.version("../a.css") is None and versions.version("missing.css") is None


def test_a_server_that_does_not_reload_keeps_the_hashes_made_at_start_up(tmp_path):
    """Production: files change only with a deployment (new workers), so no stat per asset per page."""
    asset = tmp_path / "a.css"
    asset.write_text("body{}")
    versions = StaticVersions(str(tmp_path), watch=False)
    versions.warm()
    first = versions.version("a.css")
    asset.write_text("body{color:red}")
    assert versions.version("a.css") == first
    assert versions.version("../a.css") is None and versions.version("missing.css") is None
    assert StaticVersions(str(tmp_path)).version("a.css") != first
