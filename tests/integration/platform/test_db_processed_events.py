"""Processed-event claims: the first claim of (consumer, event) wins, every later one loses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ses_core.platform.db import claim_event, session_factory, was_processed

pytestmark = pytest.mark.integration

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_an_event_is_claimed_once_per_consumer(tally_service):
    sessions = session_factory(tally_service.engine)
    with sessions.begin() as session:
        assert claim_event(session, "notify-mail", "event-1", NOW) is True
    with sessions.begin() as session:
        assert claim_event(session, "notify-mail", "event-1", NOW) is False
        # Another consumer of the same event keeps its own record.
        assert claim_event(session, "search-index", "event-1", NOW) is True
        assert was_processed(session, "notify-mail", "event-1")
        assert not was_processed(session, "notify-mail", "event-2")


def test_a_claim_rolled_back_with_its_effect_can_be_made_again(tally_service):
    sessions = session_factory(tally_service.engine)
    with sessions() as session:
        assert claim_event(session, "notify-mail", "event-1", NOW) is True
        session.rollback()
    with sessions.begin() as session:
        assert claim_event(session, "notify-mail", "event-1", NOW) is True
