"""Tests for microapp.core.gratitude: relationships, the gentle hints (examples both ways),
the quiet suggestion of whom to thank, and the mailto: link."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from microapp.core.gratitude import (
    INVITE_LINE,
    RELATIONSHIPS,
    Hint,
    mailto_url,
    parse_relationship,
    sentence_hints,
    suggest_recipient,
)
from microapp.core.records import RecipientSummary

# --- relationships ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", RELATIONSHIPS)
def test_every_relationship_parses_in_any_case(value: str) -> None:
    assert parse_relationship(value) == value
    assert parse_relationship(value.upper()) == value
    assert parse_relationship(f"  {value.title()} ") == value


@pytest.mark.parametrize("value", ["neighbor", "Neighbor", "NEIGHBOUR"])
def test_both_spellings_of_neighbour(value: str) -> None:
    assert parse_relationship(value) == "neighbour"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_relationship_is_none(value: str | None) -> None:
    assert parse_relationship(value) is None


@pytest.mark.parametrize("value", ["enemy", "friends", "boss", "co-worker", "famliy"])
def test_an_unknown_relationship_names_the_allowed_ones(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_relationship(value)
    message = str(caught.value)
    assert value in message
    assert all(name in message for name in RELATIONSHIPS)


# --- hints ------------------------------------------------------------------------------------


def hint(text: str, key: str, recipient: str = "Sam") -> Hint:
    found = {h.key: h for h in sentence_hints(text, recipient)}
    return found[key]


SPECIFIC_OK = [
    "You stay after stand-up to walk me through the deploy.",
    "You leave the kettle warm for me before my early call.",
    "Your voice note this morning makes the commute feel shorter.",
    "You take our parcel in and leave a note with a little drawing.",
    "I love how you hum while you cook pasta on Sundays.",
    "You answer my questions about Python at 9 pm without sighing.",
    "Zoë, you remember my sister's name every time we talk.",
    "Your notes in the design review make my slides clearer.",
    "You save me a seat at lunch.",
    "You walk the dog when I'm tired.",
    "Thanks for everything, especially fixing my bike chain on Saturday.",
    "You fixed my bike chain on Saturday.",
]
SPECIFIC_NOT = [
    "Thanks for everything.",
    "Thank you for being you.",
    "Thanks for all you do.",
    "You are the best.",
    "You're amazing!",
    "Thanks for always being there for me.",
    "I appreciate you so much.",
    "Thank you for all your help and support.",
    "You are a great friend.",
    "Thanks.",
    "You are so kind and wonderful and always nice.",
    "Thanks for all the things you do for me.",
    "Thank you for helping yesterday.",
    "Sam, thank you for being such a good friend.",
]


@pytest.mark.parametrize("text", SPECIFIC_OK)
def test_specific_sentences(text: str) -> None:
    assert hint(text, "specific").ok


@pytest.mark.parametrize("text", SPECIFIC_NOT)
def test_vague_sentences_get_a_gentle_nudge(text: str) -> None:
    found = hint(text, "specific")
    assert not found.ok
    assert found.message.startswith("Could you")


PRESENT_OK = [
    "You stay after stand-up to walk me through the deploy.",
    "I love how you hum while you cook pasta on Sundays.",
    "You are so patient when I ask about the build.",
    "Your laugh makes the office lighter.",
    "I feel supported when you check in on Mondays.",
    "Your detailed notes make reviews easy.",
    "You need quiet mornings and still make time for my calls.",
    "Ahmed, you bring a red pen to every review.",
    "I'm excited when you tell me about your garden.",
    "You’re the one who remembers everyone's coffee order.",
    "It makes my day when you hum in the kitchen.",
    "You speed up my mornings with your playlist.",
    "Fred, you always know which bus is late.",
]
PRESENT_NOT = [
    "You fixed my bike chain on Saturday.",
    "Thank you for helping yesterday.",
    "You helped me move.",
    "You were so patient yesterday.",
    "You gave me your umbrella in the rain.",
    "You made dinner for us tonight.",
    "You brought soup when I was ill.",
    "You took the late shift so I could rest.",
    "Thanks for the card two weeks ago.",
    "You listened to me for an hour the other day.",
    "You told me the truth about my draft.",
    "You've changed how I see mornings.",
    "You make me feel welcome, like when you brought soup last week.",
]


@pytest.mark.parametrize("text", PRESENT_OK)
def test_present_tense_sentences(text: str) -> None:
    recipient = next((n for n in ("Ahmed", "Fred") if n in text), "Sam")
    assert hint(text, "present", recipient).ok


@pytest.mark.parametrize("text", PRESENT_NOT)
def test_past_tense_sentences_get_a_gentle_nudge(text: str) -> None:
    found = hint(text, "present")
    assert not found.ok
    assert found.message.startswith("Could")


TO_THEM_OK = [
    ("You save me a seat at lunch.", "Sam"),
    ("Your voice note makes the commute shorter.", "Priya"),
    ("Thank you, Sam, for the walk round the lake.", "Sam"),
    ("Sam saves me a seat at lunch.", "Sam"),
    ("Zoë makes the soup on Fridays.", "Zoë"),
    ("Thanks, 李雷, for the tea every morning.", "李雷"),
    ("Thanks 李雷for the tea every morning.", "李雷"),
    ("I love how you’ve kept the plants alive.", "Jo"),
    ("Mum, I like hearing about the garden.", "mum"),
    ("Love how u always laugh first.", "Kim"),
    ("You're the one who remembers everyone's order.", ""),
]
TO_THEM_NOT = [
    ("She always saves me a seat at lunch.", "Sam"),
    ("Sam saves me a seat, and she never forgets.", "Sam"),
    ("My neighbour waters the tomatoes when we travel.", "Jo"),
    ("He fixes the printer before anyone asks.", "Tom"),
    ("They make the team feel safe.", "Alex"),
    ("Mum listens and she never interrupts.", "Mum"),
    ("Grateful for my sister and her patience.", "Ana"),
    ("His jokes make the stand-up lighter.", "Ravi"),
    ("The soup on the doorstep is lovely.", "Jo"),
    ("I am grateful for Sam.", "Alex"),
    ("Samantha brings cake.", "Sam"),
]


@pytest.mark.parametrize(("text", "recipient"), TO_THEM_OK)
def test_sentences_spoken_to_them(text: str, recipient: str) -> None:
    assert hint(text, "to_them", recipient).ok


@pytest.mark.parametrize(("text", "recipient"), TO_THEM_NOT)
def test_sentences_about_them_get_a_gentle_nudge(text: str, recipient: str) -> None:
    found = hint(text, "to_them", recipient)
    assert not found.ok
    assert found.message.startswith("Could you")


def test_the_example_tables_are_big_enough() -> None:
    for table in (SPECIFIC_OK, SPECIFIC_NOT, PRESENT_OK, PRESENT_NOT, TO_THEM_OK, TO_THEM_NOT):
        assert len(table) >= 10


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_sentence_gets_no_hints(text: str) -> None:
    assert sentence_hints(text, "Sam") == []


def test_a_sentence_the_heuristics_cannot_read_gets_no_hints() -> None:
    assert sentence_hints("谢谢你每天早上给我泡茶。", "李雷") == []


def test_hints_come_in_a_fixed_order_with_short_kind_messages() -> None:
    for text in SPECIFIC_OK + SPECIFIC_NOT + PRESENT_NOT:
        hints = sentence_hints(text, "Sam")
        assert [h.key for h in hints] == ["specific", "present", "to_them"]
        for h in hints:
            assert 0 < len(h.message) <= 120
            assert "!" not in h.message  # suggestions, never scolding


def test_a_good_sentence_passes_every_hint() -> None:
    hints = sentence_hints("You stay after stand-up to walk me through the deploy.", "Sam")
    assert all(h.ok for h in hints)


# --- whom to thank ------------------------------------------------------------------------------

TODAY = date(2026, 3, 10)


def person(name: str, quiet: int, relationship: str | None = "friend",
           count: int = 1) -> RecipientSummary:
    return RecipientSummary(name, relationship, TODAY - timedelta(days=quiet), count)


def test_nobody_to_suggest() -> None:
    assert suggest_recipient([], TODAY) is None
    assert suggest_recipient([person("Sam", 3), person("Mum", 20)], TODAY) is None


def test_quiet_for_exactly_the_limit_qualifies() -> None:
    mum = person("Mum", 21, "family")
    assert suggest_recipient([person("Sam", 20), mum], TODAY) == mum
    assert suggest_recipient([mum], TODAY, quiet_days=22) is None
    assert suggest_recipient([person("Sam", 5)], TODAY, quiet_days=5) == person("Sam", 5)


def test_the_longest_quiet_comes_first() -> None:
    people = [person("Sam", 30), person("Priya", 90), person("Mum", 45, "family")]
    assert suggest_recipient(people, TODAY) == people[1]


def test_weak_ties_are_slightly_favoured() -> None:
    friend, colleague = person("Priya", 30), person("Sam", 25, "colleague")
    assert suggest_recipient([friend, colleague], TODAY) == colleague
    far_friend = person("Priya", 40)
    assert suggest_recipient([far_friend, colleague], TODAY) == far_friend
    for weak in ("neighbour", "other"):
        tie = person("Jo", 25, weak)
        assert suggest_recipient([friend, tie], TODAY) == tie
    assert suggest_recipient([friend, person("Kim", 25, None)], TODAY) == friend


def test_the_suggestion_is_deterministic() -> None:
    people = [person("sam", 30), person("Sam", 30), person("Alex", 30), person("Kim", 30, count=4)]
    chosen = {suggest_recipient(list(order), TODAY) for order in itertools.permutations(people)}
    assert chosen == {people[3]}  # the most thanked breaks the tie
    rest = people[:3]
    chosen = {suggest_recipient(list(order), TODAY) for order in itertools.permutations(rest)}
    assert chosen == {rest[2]}  # then the name


# --- mailto ---------------------------------------------------------------------------------------

URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~%@:?=&]*$")


def split_mailto(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    fields = {}
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        fields[key] = unquote(value, encoding="utf-8", errors="strict")
    return unquote(parts.path), fields


@pytest.mark.parametrize(("text", "body"), [
    ("You save me a seat at lunch.", "You save me a seat at lunch."),
    ("Line one\nline two\r\nline three\rend", "Line one\r\nline two\r\nline three\r\nend"),
    ("a&b=c#d?e%20f+g %41 100%", "a&b=c#d?e%20f+g %41 100%"),
    ("Zoë, you make the café feel like home 🙏", "Zoë, you make the café feel like home 🙏"),
    ("李雷，谢谢你每天早上的茶。", "李雷，谢谢你每天早上的茶。"),
    ("&subject=evil&body=x", "&subject=evil&body=x"),
    ("<script>alert('x')</script>; \"quoted\" `tick` \\ / |",
     "<script>alert('x')</script>; \"quoted\" `tick` \\ / |"),
    ("", ""),
])
def test_the_body_round_trips_exactly(text: str, body: str) -> None:
    url = mailto_url(text, recipient="Zoë")
    assert URL_CHARS.match(url), url
    assert " " not in url and "+" not in url and "\n" not in url
    address, fields = split_mailto(url)
    assert address == ""
    assert set(fields) == {"subject", "body"}
    assert fields["body"] == body
    assert fields["subject"] == "Thank you, Zoë"
    query = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert query["body"] == [body]  # "+" never stands for a space here


def test_line_breaks_are_crlf_and_spaces_are_percent_20() -> None:
    url = mailto_url("a b\nc", recipient="Sam")
    assert url == "mailto:?subject=Thank%20you%2C%20Sam&body=a%20b%0D%0Ac"


def test_address_subject_and_invite() -> None:
    url = mailto_url("You walk the dog.", recipient="李雷", to_address=" lei+thanks@example.org ",
                     invite=True, subject="Für dich & mehr?")
    address, fields = split_mailto(url)
    assert url.startswith("mailto:lei%2Bthanks@example.org?subject=")
    assert address == "lei+thanks@example.org"
    assert fields["subject"] == "Für dich & mehr?"
    assert fields["body"] == f"You walk the dog.\r\n\r\n{INVITE_LINE}"


def test_default_subject_without_a_recipient_and_invite_alone() -> None:
    _, fields = split_mailto(mailto_url("", invite=True))
    assert fields == {"subject": "Thank you", "body": INVITE_LINE}


def test_a_hostile_address_cannot_add_fields() -> None:
    url = mailto_url("Hi", to_address="a@b.c?bcc=boss@example.org&x=#frag")
    parts = urlsplit(url)
    assert parts.fragment == ""
    assert unquote(parts.path) == "a@b.c?bcc=boss@example.org&x=#frag"
    assert set(split_mailto(url)[1]) == {"subject", "body"}


def test_the_invite_line_is_short_and_friendly() -> None:
    assert 0 < len(INVITE_LINE) <= 120
    assert "http" not in INVITE_LINE
