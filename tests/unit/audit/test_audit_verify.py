"""Every single tampering of a chain is found, and the finding names the entry.

These are the verifier's rules on entries in memory; ``tests/integration/enrollment/
test_audit_tampering.py`` tampers with real databases and runs ``ses audit verify``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from audit_support import T0, chain, record, rehashed
from hypothesis import given
from hypothesis import strategies as st

from ses_core.audit import (
    AuditEntry,
    ChainHead,
    Checkpoint,
    Finding,
    SignedCheckpoint,
    seal,
    verify_chain,
)

NAME = "agency-ny"


def problems(entries: list[AuditEntry], **options: object) -> list[str]:
    return [str(f) for f in verify_chain(NAME, entries, **options)]  # type: ignore[arg-type]


def signed(
    entries: list[AuditEntry], sequence: int, problem: str | None = None
) -> SignedCheckpoint:
    entry = entries[sequence - 1]
    return SignedCheckpoint(Checkpoint(NAME, sequence, entry.hash, T0), problem)


def head_of(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(NAME, entries[-1].sequence, entries[-1].hash)


def test_an_intact_chain_has_no_findings() -> None:
    entries = chain(6)
    assert verify_chain(NAME, entries, [signed(entries, 4)], head_of(entries)) == []
    assert verify_chain(NAME, []) == []


def test_a_modified_field_names_the_entry() -> None:
    entries = chain(6)
    entries[2] = replace(entries[2], record=record(3, user_id="someone-else"))

    assert problems(entries) == [
        "agency-ny: entry 3: modified: its content no longer matches its hash"
    ]


def test_a_modified_and_rehashed_entry_is_named_by_the_broken_link() -> None:
    entries = chain(6)
    entries[2] = rehashed(entries[2], record=record(3, user_id="someone-else"))

    assert problems(entries) == [
        "agency-ny: entry 4: not chained to entry 3: entry 3 was altered and re-hashed, or an "
        "entry between them was removed"
    ]


def test_a_removed_entry_is_a_gap() -> None:
    entries = chain(6)
    del entries[3]

    assert problems(entries) == ["agency-ny: entry 4: entry 4 is missing (removed)"]


def test_removed_first_entries_are_a_gap_too() -> None:
    entries = chain(6)[2:]
    assert problems(entries) == ["agency-ny: entry 1: entries 1-2 are missing (removed)"]


def test_a_removal_hidden_by_renumbering_is_still_found() -> None:
    entries = chain(6)
    del entries[2]
    entries[2:] = [replace(e, sequence=e.sequence - 1) for e in entries[2:]]

    assert problems(entries) == [
        "agency-ny: entry 3: not chained to entry 2: entry 2 was altered and re-hashed, or an "
        "entry between them was removed",
        "agency-ny: entry 3: entries 3-5 carry another sequence number than the one hashed "
        "(renumbered after an entry was removed or inserted)",
    ]


def test_an_inserted_entry_is_named() -> None:
    entries = chain(6)
    forged = seal(
        ChainHead(NAME, 2, entries[1].hash), record(99, user_id="forger"), T0 + timedelta(hours=1)
    )
    entries = [*entries[:2], forged, *(replace(e, sequence=e.sequence + 1) for e in entries[2:])]

    found = problems(entries)

    assert found[0] == (
        "agency-ny: entry 3: entry 3 was inserted: the entry after it is chained to entry 2"
    )
    assert found[1:] == [
        "agency-ny: entry 4: entries 4-7 carry another sequence number than the one hashed "
        "(renumbered after an entry was removed or inserted)"
    ]


def test_two_swapped_entries_are_named() -> None:
    entries = chain(6)
    entries[1], entries[2] = (
        replace(entries[2], sequence=2),
        replace(entries[1], sequence=3),
    )

    assert problems(entries) == [
        "agency-ny: entry 2: entries 2 and 3 were swapped (reordered): each is chained where "
        "the other stands"
    ]


def test_two_distant_swapped_entries_are_named() -> None:
    entries = chain(7)
    entries[1], entries[5] = replace(entries[5], sequence=2), replace(entries[1], sequence=6)

    assert problems(entries) == [
        "agency-ny: entry 2: entries 2 and 6 were swapped (reordered): each is chained where "
        "the other stands"
    ]


def test_a_repeated_sequence_number_is_named() -> None:
    entries = chain(3)
    entries.append(replace(entries[2]))

    assert "agency-ny: entry 3: its sequence number repeats an earlier one" in problems(entries)


def test_a_first_entry_chained_elsewhere_is_named() -> None:
    entries = chain(3)
    entries[0] = rehashed(entries[0], previous_hash="f" * 64)

    assert problems(entries)[0] == (
        "agency-ny: entry 1: the chain's first entry is chained to another entry"
    )


def test_a_tail_cut_below_a_checkpoint_is_truncation() -> None:
    entries = chain(8)
    checkpoint = signed(entries, 6)

    assert problems(entries[:4], checkpoints=[checkpoint]) == [
        "agency-ny: entry 5: entries 5-6 and any after them are missing (truncated): the "
        "checkpoint signed at 2026-12-03T14:05:09.123456Z covers 6 entries"
    ]


def test_a_tail_cut_after_the_last_checkpoint_shows_against_the_head_record() -> None:
    entries = chain(8)

    assert problems(entries[:6], checkpoints=[signed(entries, 4)], head=head_of(entries)) == [
        "agency-ny: entry 7: entries 7-8 are missing at the end (truncated): the chain's head "
        "record says it has 8 entries"
    ]


def test_entries_appended_past_the_head_record_are_forged() -> None:
    entries = chain(5)
    assert problems(entries, head=head_of(entries[:3])) == [
        "agency-ny: entry 4: entries 4-5 were added after the chain's recorded head, outside "
        "the audit log's writer (forged)"
    ]


def test_a_last_entry_unlike_the_head_record_is_named() -> None:
    entries = chain(3)
    head = ChainHead(NAME, 3, "e" * 64)
    assert problems(entries, head=head) == [
        "agency-ny: entry 3: differs from the chain's head record"
    ]


def test_a_consistently_rewritten_chain_differs_from_its_checkpoint() -> None:
    entries = chain(6)
    checkpoint = signed(entries, 5)
    rewritten = chain(2)  # the same first two entries, then others, every hash recomputed
    head = ChainHead(NAME, 2, rewritten[1].hash)
    for n in range(3, 7):
        entry = seal(head, record(n, user_id="forger"), T0)
        rewritten.append(entry)
        head = ChainHead(NAME, n, entry.hash)

    assert problems(rewritten, checkpoints=[checkpoint]) == [
        "agency-ny: entry 5: differs from the checkpoint signed at 2026-12-03T14:05:09.123456Z: "
        "the chain up to it was rewritten"
    ]


def test_a_checkpoint_whose_entry_was_removed_is_named() -> None:
    entries = chain(6)
    checkpoint = signed(entries, 3)
    del entries[2]

    assert problems(entries, checkpoints=[checkpoint]) == [
        "agency-ny: entry 3: entry 3 is missing (removed)",
        "agency-ny: entry 3: missing, although the checkpoint signed at "
        "2026-12-03T14:05:09.123456Z covers it",
    ]


def test_a_checkpoint_with_a_bad_signature_is_named() -> None:
    entries = chain(4)
    checkpoint = signed(entries, 4, "the signature is not valid (forged or altered)")

    assert problems(entries, checkpoints=[checkpoint]) == [
        "agency-ny: entry 4: the checkpoint signed at 2026-12-03T14:05:09.123456Z does not "
        "verify: the signature is not valid (forged or altered)"
    ]


def test_checkpoint_claims_name_chain_sequence_and_head() -> None:
    assert Checkpoint(NAME, 4, "ab" * 32, T0).claims() == {
        "chain": NAME,
        "sequence": 4,
        "head_hash": "ab" * 32,
        "signed_at": "2026-12-03T14:05:09.123456Z",
    }


def test_a_finding_reads_as_one_line() -> None:
    assert str(Finding("platform", None, "x")) == "platform: chain: x"


@given(data=st.data(), length=st.integers(min_value=3, max_value=12))
def test_any_single_tampering_is_found_and_named(data: st.DataObject, length: int) -> None:
    entries = chain(length)
    index = data.draw(st.integers(min_value=0, max_value=length - 2), label="index")
    kind = data.draw(st.sampled_from(["modify", "rehash", "remove", "swap"]), label="kind")
    if kind == "modify":
        entries[index] = replace(entries[index], record=record(99))
    elif kind == "rehash":
        entries[index] = rehashed(entries[index], record=record(99))
    elif kind == "remove":
        del entries[index]
    else:
        other = data.draw(st.integers(min_value=index + 1, max_value=length - 1), label="other")
        a, b = entries[index], entries[other]
        entries[index], entries[other] = (
            replace(b, sequence=a.sequence),
            replace(a, sequence=b.sequence),
        )

    found = verify_chain(NAME, entries)

    assert found, f"{kind} at {index + 1} went unnoticed"
    named = {f.sequence for f in found}
    assert index + 1 in named or index + 2 in named, (kind, index + 1, [str(f) for f in found])
