"""Topic preferences: defaults, channels per topic, the activation e-mail cannot be turned off."""

from __future__ import annotations

import pytest

from ses_core.errors import ValidationFailed
from ses_core.notifications import Channel, Preferences, Topic, TopicChoice, check_choices


def test_topics_without_a_choice_use_email_and_in_app() -> None:
    assert Preferences().channels_for(Topic.RESPONSE_SUBMITTED) == {Channel.EMAIL, Channel.IN_APP}


def test_a_choice_picks_the_channels_of_its_topic_only() -> None:
    preferences = Preferences(
        {Topic.CONTRIBUTOR_ADDED: TopicChoice(Topic.CONTRIBUTOR_ADDED, email=False, in_app=True)}
    )
    assert preferences.channels_for(Topic.CONTRIBUTOR_ADDED) == {Channel.IN_APP}
    assert preferences.channels_for(Topic.COMPLAINT_CLOSED) == {Channel.EMAIL, Channel.IN_APP}


def test_activation_always_goes_by_email() -> None:
    off = TopicChoice(Topic.ACCOUNT_ACTIVATION, email=False, in_app=False)
    assert Preferences({off.topic: off}).channels_for(Topic.ACCOUNT_ACTIVATION) == {Channel.EMAIL}
    with pytest.raises(ValidationFailed, match="cannot be turned off") as refused:
        check_choices([off])
    assert refused.value.reason == "preference_mandatory_topic"


def test_a_topic_may_be_listed_once() -> None:
    choice = TopicChoice(Topic.DUE_DATE_CHANGED, email=False)
    with pytest.raises(ValidationFailed, match="listed twice"):
        check_choices([choice, choice])
    assert check_choices([choice]) == {Topic.DUE_DATE_CHANGED: choice}
