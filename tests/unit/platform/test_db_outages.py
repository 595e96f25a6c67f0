"""Which database errors mean "unreachable, retry" and which are bugs; recording through one."""

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from ses_core.platform.db.outages import database_unreachable, until_database_returns


def _refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))


def test_a_refused_postgres_connection_is_unreachable_a_bad_query_is_not():
    assert database_unreachable(_refused())
    assert not database_unreachable(
        ProgrammingError("SELEC 1", {}, psycopg.errors.SyntaxError("syntax error"))
    )
    assert not database_unreachable(RuntimeError("not a database error"))


def test_sqlite_operational_errors_are_bugs_not_outages():
    missing_table = OperationalError(
        "SELECT * FROM nope", {}, sqlite3.OperationalError("no such table")
    )
    assert not database_unreachable(missing_table)


def test_a_write_is_tried_again_until_the_database_returns():
    outcomes: list[BaseException | str] = [_refused(), _refused(), "recorded"]

    def write() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    assert until_database_returns(write, pause=0) == "recorded"
    assert outcomes == []


def test_any_other_error_is_raised_at_once():
    calls = []

    def write() -> None:
        calls.append(1)
        raise ProgrammingError("x", {}, psycopg.errors.SyntaxError("syntax error"))

    with pytest.raises(ProgrammingError):
        until_database_returns(write, pause=0)
    assert calls == [1]


def test_an_outage_longer_than_the_patience_is_raised():
    def write() -> None:
        raise _refused()

    with pytest.raises(OperationalError):
        until_database_returns(write, patience=0, pause=0)
