"""The chain's canonical form and hashes: what a receiver recomputes offline."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from audit_support import T0, chain, record
from hypothesis import given
from hypothesis import strategies as st

from ses_core.audit import (
    GENESIS_HASH,
    AuditRecord,
    ChainHead,
    Outcome,
    canonical_json,
    canonical_time,
    entry_from_line,
    parse_time,
    seal,
)


def test_the_first_entry_is_number_one_chained_to_the_genesis_hash() -> None:
    first = seal(ChainHead("agency-ny"), record(1), T0)

    assert (first.sequence, first.previous_hash) == (1, GENESIS_HASH)
    assert first.hash_is_valid()


def test_each_entry_is_chained_to_the_one_before() -> None:
    entries = chain(4)

    assert [e.sequence for e in entries] == [1, 2, 3, 4]
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.hash


def test_the_hash_is_sha256_of_the_documented_canonical_json() -> None:
    """What the README tells a receiver to do, with nothing but hashlib and json."""
    entry = chain(2)[1]
    line = json.loads(json.dumps(entry.line()))  # as read from an export

    content = {key: value for key, value in line.items() if key not in ("type", "hash")}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == line["hash"] == entry.hash
    assert set(content) == {
        "chain", "sequence", "recorded_at", "previous_hash", "event_id", "occurred_at",
        "source", "action", "outcome", "reason", "user_id", "side", "organization_id",
        "roles", "resource_kind", "resource_id", "complaint_id", "request_id",
        "client_address", "forwarded_for",
    }  # fmt: skip
    assert content["occurred_at"] == "2026-12-03T14:05:11.123456Z"
    assert content["roles"] == ["complaints:manage"]


def test_non_ascii_text_is_hashed_as_utf8_not_escaped() -> None:
    assert canonical_json({"name": "Zoë"}) == '{"name":"Zoë"}'.encode()


@pytest.mark.parametrize(
    "change",
    [
        {"chain": "agency-nj"},
        {"sequence": 7},
        {"previous_hash": "1" * 64},
        {"recorded_at": T0 + timedelta(microseconds=1)},
    ],
    ids=["chain", "sequence", "previous_hash", "recorded_at"],
)
def test_the_place_of_an_entry_is_part_of_its_hash(change: dict[str, object]) -> None:
    entry = chain(1)[0]
    assert not replace(entry, **change).hash_is_valid()  # type: ignore[arg-type]


@given(
    text=st.text(max_size=40),
    roles=st.lists(st.text(min_size=1, max_size=10).filter(lambda r: "," not in r), max_size=3),
    outcome=st.sampled_from(Outcome),
)
def test_any_field_value_changes_the_hash_and_lines_round_trip(
    text: str, roles: list[str], outcome: Outcome
) -> None:
    original = seal(ChainHead("c"), record(1), T0)
    changed = seal(
        ChainHead("c"), record(1, reason=text + "x", roles=tuple(roles), outcome=outcome), T0
    )
    assert changed.hash != original.hash
    assert entry_from_line(json.loads(json.dumps(changed.line()))) == changed


def test_instants_are_written_in_utc_with_microseconds() -> None:
    eastern = timezone(timedelta(hours=-5))
    at = datetime(2026, 3, 1, 9, 0, 0, 5, tzinfo=eastern)

    assert canonical_time(at) == "2026-03-01T14:00:00.000005Z"
    assert parse_time(canonical_time(at)) == at


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        parse_time("2026-03-01T14:00:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        record(1, occurred_at=datetime(2026, 1, 1))


def test_a_record_names_its_event() -> None:
    with pytest.raises(ValueError, match="names the event"):
        AuditRecord(event_id="", occurred_at=T0, source="s", action="a")


def test_a_line_that_is_not_an_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="Not an audit entry line"):
        entry_from_line({"type": "entry", "chain": "c"})
