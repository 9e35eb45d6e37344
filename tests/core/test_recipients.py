"""Phone numbers become E.164 (or a clear InvalidRecipient); ids pass through."""

from __future__ import annotations

import pytest

from whatsapp_async import Channel, Conversation, Group, InvalidRecipient, Phone
from whatsapp_async.recipients import normalise


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+14155552671", None, "+14155552671"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("14155552671", None, "+14155552671"),
        ("0044 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+55 11 98765-4321", None, "+5511987654321"),
        ("+91 98765 43210", None, "+919876543210"),
    ],
)
def test_common_formats_normalise(raw: str, region: str | None, expected: str) -> None:
    phone = normalise(raw, default_region=region)
    assert phone == Phone(expected)
    assert isinstance(phone, Phone) and phone.digits == expected[1:]


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "abc", "12", "+1 415 555", "+50212345678", "(415) 555-2671", "+999123456789"],
)
def test_invalid_numbers_are_rejected_with_a_hint(raw: str) -> None:
    with pytest.raises(InvalidRecipient) as info:
        normalise(raw)
    assert str(info.value)


def test_national_number_without_region_says_how_to_fix() -> None:
    with pytest.raises(InvalidRecipient, match="default_region"):
        normalise("(415) 555-2671")


def test_possible_mode_accepts_numbers_outside_metadata() -> None:
    # +50212345678 has a possible length for Guatemala but no assigned range.
    with pytest.raises(InvalidRecipient, match="phone_validation='possible'"):
        normalise("+50212345678")
    assert normalise("+50212345678", validation="possible") == Phone("+50212345678")


def test_ids_pass_through_and_reject_empty() -> None:
    group = Group("120363025246125486@g.us")
    assert normalise(group) is group
    assert str(Channel("1@newsletter")) == "1@newsletter"
    assert str(Conversation("42")) == "42"
    for cls in (Group, Channel, Conversation):
        with pytest.raises(InvalidRecipient):
            cls("")
    with pytest.raises(InvalidRecipient, match="got int"):
        normalise(14155552671)  # type: ignore[arg-type]
