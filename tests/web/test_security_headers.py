"""Security headers on every response, and pages that need no inline code to work."""

from __future__ import annotations

import re

import pytest

from matcher.web.security import content_security_policy, tile_origin

PAGES = [
    "/",
    "/?q=bologna",
    "/cities/it-bologna",
    "/about/data",
    "/cities/it-bologna/profile/edit",
    "/api/v1/docs",
]


def _directives(header: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


@pytest.mark.parametrize(
    "url", ["/", "/cities/it-bologna", "/api/v1/cities/it-bologna", "/assets/site.css", "/nowhere"]
)
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in headers


def test_csp_allows_only_our_own_origin(client):
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in client.get("/").headers["Content-Security-Policy"]
    assert not re.search(r"https?://", client.get("/").headers["Content-Security-Policy"])


def test_map_tile_host_is_allowed_for_images_only_when_configured(client, web_app):
    web_app.config["MAP_TILES_URL"] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert "tile.openstreetmap.org" not in policy["script-src"] + policy["connect-src"]


def test_tile_origin_ignores_values_that_are_not_web_addresses():
    assert tile_origin("") is None
    assert tile_origin("javascript:alert(1)") is None
    assert content_security_policy("not a url") == content_security_policy("")


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_scripts_or_styles(client, url):
    page = client.get(url).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), "inline <script>"
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_other_hosts(client, url):
    page = client.get(url).get_data(as_text=True)
    assert not re.search(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', page)
