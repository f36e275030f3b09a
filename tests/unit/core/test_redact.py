"""Tests for microapp.core.redact: secrets never reach a log line; ordinary text is left alone."""

from __future__ import annotations

import pytest

from microapp.core.redact import MASK, redact

# text, a secret that must be gone, what must still be there (to find the problem by)
SECRETS = [
    pytest.param("fetch https://alice:s3cr3t-pw@cal.example.com/dav/alice/ failed",
                 "s3cr3t-pw", "https://…@cal.example.com/dav/alice/ failed", id="user-password"),
    pytest.param("HTTPS://ALICE:PW123456@HOST.EXAMPLE/x", "PW123456", "@HOST.EXAMPLE/x",
                 id="user-password-upper-case"),
    pytest.param("webcal://bob@cal.example.com/feed.ics", "bob@", "cal.example.com/feed.ics",
                 id="user-only"),
    pytest.param("GET https://example.com/feed.ics?token=abcdef123456&lang=en: 403",
                 "abcdef123456", "https://example.com/feed.ics?…: 403", id="query-token"),
    pytest.param("join https://zoom.us/j/123456789?pwd=abcDEF123", "abcDEF123",
                 "https://zoom.us/j/123456789", id="query-pwd"),
    pytest.param(
        "GET https://calendar.google.com/calendar/ical/alice%40gmail.com/"
        "private-0123456789abcdef0123456789abcdef/basic.ics: 404",
        "0123456789abcdef0123456789abcdef",
        "https://calendar.google.com/calendar/ical/alice%40gmail.com/…/basic.ics: 404",
        id="google-private-path"),
    pytest.param("webcal://p12-caldav.icloud.com/published/2/"
                 "MTIzNDU2Nzg5MDEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xt",
                 "MTIzNDU2Nzg5MDEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xt",
                 "webcal://p12-caldav.icloud.com/published/2/…", id="icloud-published"),
    pytest.param("https://h.example/x#access-secret-abcdefghijklmnop", "abcdefghijklmnop",
                 "https://h.example/x#…", id="fragment"),
    pytest.param("login failed: password=hunter2 user=bob", "hunter2", "user=bob",
                 id="password-equals"),
    pytest.param("Password: hunter2", "hunter2", "Password: …", id="password-colon"),
    pytest.param("api_key=XYZ123; retrying", "XYZ123", "; retrying", id="api-key"),
    pytest.param("ACCESS-KEY = k-9988 done", "k-9988", "done", id="access-key"),
    pytest.param("secret:shh", "shh", "secret:…", id="secret"),
    pytest.param("{'password': 'hunter2', 'user': 'bob'}", "hunter2", "'user': 'bob'",
                 id="dict-repr"),
    pytest.param('{"token": "abc123"}', "abc123", '"token": "…"', id="json"),
    pytest.param("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "eyJhbGciOiJIUzI1NiJ9",
                 "Authorization: Bearer …", id="bearer-header"),
    pytest.param("{'Authorization': 'Basic YWxpY2U6c2VjcmV0'}", "YWxpY2U6c2VjcmV0",
                 "'Authorization': 'Basic …'", id="basic-header-repr"),
    pytest.param("error at url='https://a:b@h.example/x'", "a:b", "url='https://…@h.example/x'",
                 id="quoted-url"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), SECRETS)
def test_secrets_are_redacted(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out
    assert kept in out


PLAIN = [
    "The meeting with Sam is at 10:00, see you there.",
    "See https://example.com/docs/getting-started for help.",
    "https://meet.google.com/abc-defg-hij",
    "Thank you, Priya: your note made my morning. (password reset tomorrow)",
    "the authorization failed (401)",
    "Author: Jane; tokens left: 3",
    "",
]


@pytest.mark.parametrize("text", PLAIN)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text


def test_every_url_in_a_line_is_redacted() -> None:
    out = redact("a https://u:p1@a.example/?t=1 b webcals://u:p2@b.example/?t=2 c")
    assert out == "a https://…@a.example/?… b webcals://…@b.example/?… c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(see https://x.example/feed?t=abc123).", "(see https://x.example/feed?…)."),
        ("https://x.example/feed?t=abc123: 404", "https://x.example/feed?…: 404"),
        ("https://en.example.org/wiki/Foo_(bar), next",
         "https://en.example.org/wiki/Foo_(bar), next"),
    ],
)
def test_punctuation_after_a_url_survives(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_is_idempotent() -> None:
    for param in SECRETS:
        once = redact(param.values[0])
        assert redact(once) == once
