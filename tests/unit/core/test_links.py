"""Tests for microapp.core.links: the call link of a meeting, found in messy calendar text."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microapp.core.links import (
    KNOWN_SERVICES,
    CallLink,
    LinkPattern,
    find_call_link,
    identify_service,
    unwrap_safelinks,
)

TEAMS = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjY3ZTBiOTgtYjM0MC00%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%2272f988bf-86f1%22%2c%22Oid%22%3a%22a1b2c3%22%7d"
)
ZOOM = "https://us02web.zoom.us/j/85012345678?pwd=aBcDeFgHiJkLmNoP.1"
MEET = "https://meet.google.com/abc-defg-hij"

# One example per service and URL form: (url, service).
POSITIVE = [
    # Zoom
    pytest.param("https://zoom.us/j/123456789", "Zoom", id="zoom-j"),
    pytest.param(ZOOM, "Zoom", id="zoom-regional-pwd"),
    pytest.param("https://acme.zoom.us/j/98765432100", "Zoom", id="zoom-vanity"),
    pytest.param("https://zoom.us/my/jane.doe", "Zoom", id="zoom-personal-link"),
    pytest.param("https://zoom.us/s/123456789", "Zoom", id="zoom-start"),
    pytest.param("https://zoom.us/w/123456789?tk=abc", "Zoom", id="zoom-webinar"),
    pytest.param("https://zoom.us/wc/join/123456789", "Zoom", id="zoom-web-client"),
    pytest.param("https://www.zoomgov.com/j/1612345678", "Zoom", id="zoomgov"),
    pytest.param("zoommtg://zoom.us/join?action=join&confno=123456789&pwd=x", "Zoom",
                 id="zoommtg"),
    pytest.param("ZOOMMTG://ACME.ZOOM.US/join?confno=1", "Zoom", id="zoommtg-upper-case"),
    # Google Meet
    pytest.param(MEET, "Google Meet", id="meet"),
    pytest.param("https://meet.google.com/abc-defg-hij?authuser=1&hs=122", "Google Meet",
                 id="meet-query"),
    pytest.param("https://meet.google.com/lookup/teamsync", "Google Meet", id="meet-lookup"),
    # Microsoft Teams
    pytest.param(TEAMS, "Microsoft Teams", id="teams-meetup-join"),
    pytest.param("https://teams.microsoft.com/meet/31415926535?p=AbCdEfGhIjK", "Microsoft Teams",
                 id="teams-meet-id"),
    pytest.param("https://teams.live.com/meet/9876543210987?p=XyZ", "Microsoft Teams",
                 id="teams-live"),
    pytest.param("https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_x%40thread.v2/0",
                 "Microsoft Teams", id="teams-gcc-high"),
    pytest.param("msteams:/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d",
                 "Microsoft Teams", id="msteams-scheme"),
    pytest.param("msteams://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
                 "Microsoft Teams", id="msteams-scheme-host"),
    # Webex
    pytest.param("https://acme.webex.com/meet/jane.doe", "Webex", id="webex-personal-room"),
    pytest.param("https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef",
                 "Webex", id="webex-mtid"),
    pytest.param("https://acme.my.webex.com/join/jdoe", "Webex", id="webex-join"),
    # Jitsi
    pytest.param("https://meet.jit.si/OurWeeklyStandup", "Jitsi Meet", id="jitsi"),
    pytest.param("https://8x8.vc/vpaas-magic-cookie-0123abcd/Standup", "Jitsi Meet", id="8x8"),
    # The rest
    pytest.param("https://whereby.com/team-standup", "Whereby", id="whereby"),
    pytest.param("https://acme.whereby.com/design-review", "Whereby", id="whereby-org"),
    pytest.param("https://global.gotomeeting.com/join/123456789", "GoToMeeting", id="goto-join"),
    pytest.param("https://gotomeet.me/JaneDoe", "GoToMeeting", id="gotomeet-me"),
    pytest.param("https://meet.goto.com/123456789", "GoToMeeting", id="meet-goto"),
    pytest.param("https://bluejeans.com/123456789", "BlueJeans", id="bluejeans"),
    pytest.param("https://bluejeans.com/123456789/4321", "BlueJeans", id="bluejeans-passcode"),
    pytest.param("https://app.slack.com/huddle/T0123ABCD/C0456EFGH", "Slack huddle",
                 id="slack-huddle"),
    pytest.param("https://acme.slack.com/huddle/T0123ABCD/C0456EFGH", "Slack huddle",
                 id="slack-huddle-workspace"),
    pytest.param("https://discord.gg/aBcDeF12", "Discord", id="discord-invite"),
    pytest.param("https://discord.com/channels/123456789012345678/234567890123456789", "Discord",
                 id="discord-channel"),
    pytest.param("https://join.skype.com/AbCdEfGhIjKl", "Skype", id="skype"),
    pytest.param("https://chime.aws/1234567890", "Amazon Chime", id="chime"),
    pytest.param("https://app.chime.aws/meetings/?pin=1234567890", "Amazon Chime",
                 id="chime-pin"),
    pytest.param("https://meetings.ringcentral.com/j/1234567890", "RingCentral",
                 id="ringcentral-meetings"),
    pytest.param("https://v.ringcentral.com/join/123456789", "RingCentral", id="ringcentral-video"),
    pytest.param("https://around.co/r/team-sync", "Around", id="around"),
    pytest.param("https://meet.around.co/r/team-sync", "Around", id="meet-around"),
    pytest.param("https://app.gather.town/app/AbCdEf123/our-office", "Gather", id="gather"),
    pytest.param("https://app.v2.gather.town/app/our-office-4f2a", "Gather", id="gather-v2"),
    pytest.param("https://jam.systems/our-room", "Jam", id="jam"),
]


@pytest.mark.parametrize(("url", "service"), POSITIVE)
def test_identify_service(url: str, service: str) -> None:
    assert identify_service(url) == service


@pytest.mark.parametrize(("url", "service"), POSITIVE)
def test_link_found_in_prose(url: str, service: str) -> None:
    text = f"Hi all,\nJoin: {url}\nMeeting ID: 850 1234 5678\n"
    assert find_call_link([text]) == CallLink(url, service)


def test_every_required_service_is_known() -> None:
    required = {"Zoom", "Google Meet", "Microsoft Teams", "Webex", "Jitsi Meet", "Whereby",
                "GoToMeeting", "BlueJeans", "Slack huddle", "Discord", "Skype", "Amazon Chime",
                "RingCentral", "Around", "Gather", "Jam"}
    assert required == set(KNOWN_SERVICES)
    assert required == {service for _, service in (p.values for p in POSITIVE)}


NOT_CALLS = [
    pytest.param("https://www.zoom.us/pricing", id="zoom-pricing"),
    pytest.param("https://zoom.us/", id="zoom-home"),
    pytest.param("https://zoom.us/join", id="zoom-generic-join-page"),
    pytest.param("https://zoom.us/j/", id="zoom-no-id"),
    pytest.param("https://meet.google.com/", id="meet-no-code"),
    pytest.param("https://meet.google.com/new", id="meet-new"),
    pytest.param("https://tel.meet/abc-defg-hij?pin=123", id="meet-dial-in-page"),
    pytest.param("https://teams.microsoft.com/", id="teams-home"),
    pytest.param("https://www.microsoft.com/en-us/microsoft-teams/join-a-meeting",
                 id="teams-help"),
    pytest.param("https://www.webex.com/pricing/index.html", id="webex-site"),
    pytest.param("https://whereby.com/", id="whereby-home"),
    pytest.param("https://whereby.com/information/pricing", id="whereby-pricing"),
    pytest.param("https://docs.whereby.com/embedding-rooms", id="whereby-docs"),
    pytest.param("https://meet.jit.si/", id="jitsi-home"),
    pytest.param("https://slack.com/intl/en-gb/", id="slack-home"),
    pytest.param("https://acme.slack.com/archives/C0456EFGH", id="slack-channel"),
    pytest.param("https://discord.com/", id="discord-home"),
    pytest.param("https://jam.systems/", id="jam-home"),
    pytest.param("https://calendar.google.com/calendar/event?eid=NWFiY2RlZg", id="gcal-event"),
    pytest.param("https://outlook.office365.com/owa/?itemid=AAMk%3D&exvsurl=1&path=/calendar",
                 id="outlook-item"),
    pytest.param("https://docs.google.com/document/d/1AbCdEf/edit", id="google-doc"),
    pytest.param("https://example.com/zoom.us/j/123456789", id="zoom-in-path"),
    pytest.param("https://zoom.us.evil.example/j/123456789", id="zoom-lookalike-host"),
    pytest.param("https://zoom.us@evil.example/j/123456789", id="zoom-userinfo"),
    pytest.param("mailto:alice@zoom.us", id="mailto"),
    pytest.param("tel:+16465588656,,85012345678#", id="tel"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("url", NOT_CALLS)
def test_ordinary_urls_are_no_service(url: str) -> None:
    assert identify_service(url) is None


@pytest.mark.parametrize("url", NOT_CALLS)
def test_ordinary_urls_are_no_call_link(url: str) -> None:
    assert find_call_link([url, f"See {url} for details."]) is None


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param([], id="nothing"),
        pytest.param([None, "", None], id="all-empty"),
        pytest.param(["Room 4.12, second floor"], id="room-name"),
        pytest.param(["Dial in: tel:+16465588656,,85012345678# US (New York)"], id="tel-line"),
        pytest.param(["Questions? mailto:host@zoom.us or host@meet.google.com/x"], id="mails"),
        pytest.param(["and/or 12/05/2025 a/b"], id="slashes"),
        pytest.param(["www.zoom.us/pricing"], id="bare-non-call"),
    ],
)
def test_texts_without_call_link(texts: list[str | None]) -> None:
    assert find_call_link(texts) is None


# --- Priority -----------------------------------------------------------------------------------

def test_candidates_are_searched_in_order() -> None:
    conference, url_property = None, "https://calendar.google.com/calendar/event?eid=abc"
    location = f"Room 4 / {ZOOM}"
    description = f"Agenda first.\nJoin with Google Meet: {MEET}\n"
    link = find_call_link([conference, "", None, url_property, location, description])
    assert link == CallLink(ZOOM, "Zoom")


def test_a_conference_property_beats_the_description() -> None:
    description = f"Old link: {ZOOM}"
    assert find_call_link([MEET, None, None, None, None, description]) == CallLink(
        MEET, "Google Meet")


def test_within_one_text_the_first_call_link_wins() -> None:
    text = f"Docs: https://example.com/doc\nMeet: {MEET}\nFallback: {ZOOM}"
    assert find_call_link([text]) == CallLink(MEET, "Google Meet")


def test_a_non_call_url_candidate_is_passed_over() -> None:
    assert find_call_link(["https://calendar.google.com/event?eid=MTIz", None, "Room 1",
                           f"Join: {TEAMS}"]) == CallLink(TEAMS, "Microsoft Teams")


def test_candidates_may_be_a_generator() -> None:
    assert find_call_link(t for t in [None, ZOOM]) == CallLink(ZOOM, "Zoom")


# --- Redirectors --------------------------------------------------------------------------------

def safelinks(url: str, host: str = "nam12.safelinks.protection.outlook.com") -> str:
    return (f"https://{host}/?url={quote(url, safe='')}"
            "&data=05%7C02%7Calice%40example.com%7C0123456789abcdef%7C72f988bf%7C0%7C0"
            "&sdata=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2BabcDEF%3D&reserved=0")


def google_redirect(url: str) -> str:
    return (f"https://www.google.com/url?q={quote(url, safe='')}"
            "&sa=D&source=calendar&ust=1700000000000000&usg=AOvVaw0AbCdEfGhIjKlMnOpQrSt")


@pytest.mark.parametrize(
    ("wrapped", "real"),
    [
        pytest.param(safelinks(TEAMS), TEAMS, id="safelinks-teams"),
        pytest.param(safelinks(ZOOM, "eur01.safelinks.protection.outlook.com"), ZOOM,
                     id="safelinks-eur"),
        pytest.param(google_redirect(MEET), MEET, id="google-redirect"),
        pytest.param(f"https://www.google.com/url?q={ZOOM}&sa=D", ZOOM.split("&")[0],
                     id="google-redirect-unencoded"),
        pytest.param(safelinks(google_redirect(ZOOM)), ZOOM, id="nested"),
        pytest.param(MEET, MEET, id="plain-unchanged"),
        pytest.param("https://example.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F1",
                     "https://example.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F1",
                     id="other-redirector-unchanged"),
        pytest.param("https://nam12.safelinks.protection.outlook.com/?data=x",
                     "https://nam12.safelinks.protection.outlook.com/?data=x",
                     id="safelinks-without-url"),
        pytest.param("https://www.google.com/url?q=javascript%3Aalert(1)",
                     "https://www.google.com/url?q=javascript%3Aalert(1)",
                     id="never-to-javascript"),
        pytest.param("https://www.google.com/search?q=https%3A%2F%2Fzoom.us%2Fj%2F1",
                     "https://www.google.com/search?q=https%3A%2F%2Fzoom.us%2Fj%2F1",
                     id="google-search-is-no-redirector"),
    ],
)
def test_unwrap_safelinks(wrapped: str, real: str) -> None:
    assert unwrap_safelinks(wrapped) == real


def test_safelinks_wrapped_teams_link_in_outlook_html() -> None:
    href = safelinks(TEAMS).replace("&", "&amp;")
    description = (
        '<html><body><div>________________</div><div><span style="font-size:24px">'
        "Microsoft Teams meeting</span></div><div><b>Join on your computer or mobile app</b>"
        f'</div><div><a href="{href}" target="_blank" rel="noreferrer noopener">'
        "Click here to join the meeting</a></div></body></html>"
    )
    assert find_call_link([None, None, None, None, "Microsoft Teams Meeting", description]) == (
        CallLink(TEAMS, "Microsoft Teams"))


def test_safelinks_in_outlook_plain_text() -> None:
    description = (
        "Microsoft Teams meeting\r\nJoin on your computer or mobile app\r\n"
        f"Click here to join the meeting<{safelinks(TEAMS)}>\r\n"
        "Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft"
        ".com/meetingOptions/?organizerId=a1&tenantId=b2>\r\n"
    )
    assert find_call_link([description]) == CallLink(TEAMS, "Microsoft Teams")


def test_google_calendar_description_with_redirected_links() -> None:
    description = (
        f'Notes: <a href="{google_redirect("https://docs.google.com/document/d/1x")}">doc</a>'
        f'<br>Join: <a href="{google_redirect(ZOOM).replace("&", "&amp;")}">{ZOOM}</a>'
    )
    assert find_call_link([description]) == CallLink(ZOOM, "Zoom")


# --- Messy text ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "url"),
    [
        pytest.param(f"({ZOOM})", ZOOM, id="parentheses"),
        pytest.param(f"Join here: <{ZOOM}>.", ZOOM, id="angle-brackets"),
        pytest.param(f"Join at {MEET}.", MEET, id="full-stop"),
        pytest.param(f"Links: {MEET}, {ZOOM}; thanks!", MEET, id="comma"),
        pytest.param(f"[Join the call]({MEET})", MEET, id="markdown"),
        pytest.param(f'"{MEET}"', MEET, id="quoted"),
        pytest.param(f"Join:{MEET}", MEET, id="no-space-after-colon"),
        pytest.param(f"Join Zoom Meeting{ZOOM}", ZOOM, id="glued-to-a-word"),
        pytest.param(f"{MEET},https://zoom.us/j/1", MEET, id="glued-list"),
        pytest.param(f"https://example.com/agenda,{ZOOM}", ZOOM, id="glued-after-non-call"),
        pytest.param("Room 4\\, https://zoom.us/j/123456789\\, floor 2",
                     "https://zoom.us/j/123456789", id="ics-escaped-comma"),
        pytest.param("Agenda\\nhttps://zoom.us/j/123456789\\nPasscode: 1234",
                     "https://zoom.us/j/123456789", id="ics-escaped-newline"),
        pytest.param(f"<p>Join&nbsp;{MEET}&nbsp;now</p>", MEET, id="nbsp"),
        pytest.param(f"&lt;{MEET}&gt;", MEET, id="escaped-angle-brackets"),
        pytest.param(f'<a href="{ZOOM.replace(".1", "&amp;uname=Jo")}">Join</a>',
                     ZOOM.replace(".1", "&uname=Jo"), id="amp-entity"),
        pytest.param('<a href="https://zoom.us/j/123?a=1&amp;notify=0">x</a>',
                     "https://zoom.us/j/123?a=1&notify=0", id="entity-without-semicolon-kept"),
        pytest.param("<a href='https://zoom.us/j/123'>x</a>", "https://zoom.us/j/123",
                     id="single-quoted-href"),
        pytest.param("Location: zoom.us/j/123456789", "https://zoom.us/j/123456789",
                     id="no-scheme"),
        pytest.param("meet.google.com/abc-defg-hij (Google Meet)", MEET, id="no-scheme-meet"),
        pytest.param(f"HTML<br>{MEET}<br>", MEET, id="br-tags"),
        pytest.param("tel:+16465588656,,85012345678# US\nhttps://zoom.us/j/85012345678",
                     "https://zoom.us/j/85012345678", id="after-tel-line"),
    ],
)
def test_link_is_cleaned(text: str, url: str) -> None:
    link = find_call_link([text])
    assert link is not None
    assert link.url == url


def test_balanced_parentheses_stay_in_the_url() -> None:
    link = find_call_link(["(see https://whereby.com/room_(blue))."])
    assert link == CallLink("https://whereby.com/room_(blue)", "Whereby")


def test_zoom_invitation_text() -> None:
    description = (
        "Jane Doe is inviting you to a scheduled Zoom meeting.\n\n"
        f"Join Zoom Meeting\n{ZOOM}\n\nMeeting ID: 850 1234 5678\nPasscode: 123456\n\n---\n\n"
        "One tap mobile\n+16465588656,,85012345678#,,,,*123456# US (New York)\n\n"
        "Join by SIP\n85012345678@zoomcrc.com\n"
    )
    assert find_call_link([None, None, None, None, "Zoom", description]) == CallLink(ZOOM, "Zoom")


def test_non_string_candidates_are_tolerated() -> None:
    candidates = [42, b"Join: https://zoom.us/j/123", ["", MEET]]
    assert find_call_link(candidates) == CallLink(  # type: ignore[arg-type]
        "https://zoom.us/j/123", "Zoom")


# --- User patterns ------------------------------------------------------------------------------

OUR_JITSI = LinkPattern.checked("Our Jitsi", r"https://meet\.example\.org/\S+")


def test_self_hosted_jitsi_by_user_pattern() -> None:
    description = "Weekly sync\nhttps://meet.example.org/Room\nNotes: https://example.org/notes"
    assert find_call_link([description]) is None
    assert find_call_link([description], [OUR_JITSI]) == CallLink(
        "https://meet.example.org/Room", "Our Jitsi")
    assert identify_service("https://meet.example.org/Room", [OUR_JITSI]) == "Our Jitsi"
    assert identify_service("https://meet.example.org/Room") is None


def test_user_patterns_win_over_known_services() -> None:
    ours = LinkPattern.checked("Team Zoom", r"acme\.zoom\.us/j/")
    assert identify_service("https://acme.zoom.us/j/123", [ours]) == "Team Zoom"
    assert identify_service("https://zoom.us/j/123", [ours]) == "Zoom"
    assert find_call_link(["https://acme.zoom.us/j/123"], [OUR_JITSI, ours]) == CallLink(
        "https://acme.zoom.us/j/123", "Team Zoom")


def test_first_matching_user_pattern_names_the_service() -> None:
    first = LinkPattern.checked("First", r"meet\.example\.org")
    second = LinkPattern.checked("Second", r"example\.org")
    assert identify_service("https://meet.example.org/Room", [first, second]) == "First"
    assert identify_service("https://meet.example.org/Room", [second, first]) == "Second"


def test_user_pattern_matches_case_insensitively_and_scheme_less_links() -> None:
    assert find_call_link(["Join at MEET.EXAMPLE.ORG/Room"], [OUR_JITSI]) == CallLink(
        "https://MEET.EXAMPLE.ORG/Room", "Our Jitsi")


def test_checked_strips_whitespace() -> None:
    assert LinkPattern.checked("  Our Jitsi ", r" meet\.example\.org/\S+ ") == LinkPattern(
        "Our Jitsi", r"meet\.example\.org/\S+")


@pytest.mark.parametrize(
    ("name", "pattern", "message"),
    [
        pytest.param("Our Jitsi", r"https://meet\.example\.org/(\S+", "'Our Jitsi'",
                     id="unbalanced-parenthesis"),
        pytest.param("Broken", "[a-z", "'Broken'", id="unterminated-set"),
        pytest.param("Stars", "**", "not a valid regular expression", id="nothing-to-repeat"),
        pytest.param("", r"meet\.example\.org", "needs a name", id="empty-name"),
        pytest.param("   ", r"meet\.example\.org", "needs a name", id="blank-name"),
        pytest.param("Our Jitsi", "  ", "empty regular expression", id="empty-pattern"),
    ],
)
def test_checked_rejects_bad_patterns(name: str, pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match="Link pattern") as excinfo:
        LinkPattern.checked(name, pattern)
    assert message in str(excinfo.value)


def test_invalid_pattern_built_directly_is_ignored() -> None:
    broken = LinkPattern("Broken", "(")
    assert identify_service(MEET, [broken]) == "Google Meet"
    assert find_call_link([MEET], [broken, LinkPattern("", ".")]) == CallLink(MEET, "Google Meet")


# --- Robustness and speed -----------------------------------------------------------------------

FRAGMENTS = st.sampled_from([
    "https://", "http://", "zoommtg://", "msteams:/", "jitsi-meet://", "zoom.us", "/j/", "123456",
    "meet.google.com/", "abc-defg-hij", "teams.microsoft.com/l/meetup-join/", "?url=", "&amp;",
    "&#", ";", "&", "%", "%3A%2F%2F", "(", ")", "<", ">", '"', "'", ".", ",", "\\", "\\,", "\\n",
    "\n", " ", "?", "#", "@", ":", "/", "safelinks.protection.outlook.com/", "www.google.com/url",
    "?q=", "&data=", "webex.com/meet/", "acme.", "\x00", "\ud800", "é", "..", "://",
])
MESSY = st.lists(FRAGMENTS | st.text(max_size=12), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.none() | st.text() | MESSY, max_size=6))
def test_find_call_link_never_raises_and_agrees_with_identify(texts: list[str | None]) -> None:
    link = find_call_link(texts)
    if link is not None:
        assert identify_service(link.url) == link.service
        assert link.url and not any(ch.isspace() for ch in link.url)


@settings(max_examples=100, deadline=None)
@given(text=MESSY, pattern=st.text(max_size=10))
def test_user_patterns_never_raise(text: str, pattern: str) -> None:
    extra = [LinkPattern("Mine", pattern)]
    link = find_call_link([text], extra)
    if link is not None:
        assert identify_service(link.url, extra) == link.service
    unwrap_safelinks(text)


def best_of(runs: int, func: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append(time.perf_counter() - started)
    return min(timings)


def long_description() -> str:
    """About 100 KB of Outlook-style HTML: prose, entities, a link every few hundred bytes, and
    the call link at the very end."""
    paragraph = (
        '<p class="MsoNormal"><span style="font-size:11.0pt;font-family:&quot;Calibri&quot;">'
        "Thanks&nbsp;everyone for joining last week&#8217;s review. Notes are in the "
        '<a href="https://example.sharepoint.com/sites/team/Shared%20Documents/notes.docx?'
        'd=w123&amp;csf=1&amp;web=1">shared document</a>; please add your comments before '
        "Friday. We will cover the roadmap, hiring, and the offsite plans.</span></p>\r\n"
    )
    body = paragraph * (100_000 // len(paragraph))
    return body + f'<p><a href="{safelinks(TEAMS).replace("&", "&amp;")}">Join</a></p>'


def test_a_100_kb_description_finds_the_link_at_its_end() -> None:
    description = long_description()
    assert len(description) >= 95_000
    assert find_call_link([description]) == CallLink(TEAMS, "Microsoft Teams")
    # Its speed is measured by benchmarks/core_bench.py, not here.


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a." * 50_000, id="dots"),
        pytest.param("a-" * 50_000 + ".com/", id="hyphens"),
        pytest.param("https://zoom.us/j/1" + ")" * 100_000, id="closing-parentheses"),
        pytest.param("https://x.example/" + "a" * 100_000, id="one-long-url"),
        pytest.param("https://x.example/a " * 5_000, id="many-urls"),
        pytest.param(":/ " * 33_000, id="many-anchors"),
        pytest.param("&amp;" * 20_000, id="entities"),
        pytest.param("\\," * 50_000, id="ics-escapes"),
    ],
)
def test_hostile_text_does_not_backtrack_for_ever(text: str) -> None:
    # A guard against catastrophic regex backtracking (seconds to hours), not a speed
    # target: linear scanning takes milliseconds, so a whole second is never reached.
    find_call_link([text])
    assert best_of(1, lambda: find_call_link([text])) < 1.0
