"""The overview's one big read: every score row of a round as one line per agency of joined
lists (``_scores_query``), read ahead on a second connection, at the same snapshot as the
caller's session, while the caller reads the rest (``ScoresAhead``). Split from
``overview_points``, which turns the lines into points."""

import threading
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.base import Executable

from ..store.database import Database
from ..store.models import AuditEvent, ScoreRow


def _silent() -> Any:
    """A row whose appraisal (figure or points) has no written reason."""
    return and_(
        ScoreRow.reason == "",  # the services store reasons trimmed
        or_(ScoreRow.appraised_points.is_not(None), ScoreRow.appraised_answer.is_not(None)),
    )


SEP = "\x1f"  # between answers: JSON escapes control characters, json.loads refuses them raw
GIVEN = "="  # before an appraised answer in the joined list ("" alone: none)


def _scores_query(round_id: int) -> Select[Any]:
    """One line per agency, every list joined in one pass over the round's rows:

    * its criteria, self-assessed points and appraised points ("" for no points);
    * the criteria whose appraisal has no written reason;
    * the rows whose points a rule computes (no stored points on one side): their criteria,
      the appraised answer (after ``GIVEN``; "" when none counts) and the self-assessed
      answer when that side needs it ("" otherwise), joined by ``SEP``.

    A database aggregate: fetching 2,000 lines costs far less than 86,000 rows, and one list
    per column costs the database less than one joined text per row. The aggregates of one
    line take its rows in the same order, and those of the computed rows leave out the same
    rows (an aggregate skips NULL), so the lists line up."""
    no_appraised_points = ScoreRow.appraised_points.is_(None)
    computed = or_(no_appraised_points, ScoreRow.self_points.is_(None))
    own_needed = or_(
        ScoreRow.self_points.is_(None),
        and_(
            no_appraised_points,
            or_(ScoreRow.appraised_answer.is_(None), ScoreRow.appraised_answer == ""),
        ),
    )
    criterion = cast(ScoreRow.criterion_id, String)
    appraised_answer = case(
        (
            and_(no_appraised_points, ScoreRow.appraised_answer.is_not(None)),
            literal(GIVEN, String) + ScoreRow.appraised_answer,
        ),
        else_=literal("", String),
    )
    own_answer = case(
        (own_needed, func.coalesce(ScoreRow.self_answer, "")), else_=literal("", String)
    )

    def joined(value: Any, separator: str = ",") -> Any:
        return func.aggregate_strings(value, separator)

    return (
        select(
            ScoreRow.agency_id,
            joined(criterion),
            joined(func.coalesce(cast(ScoreRow.self_points, String), "")),
            joined(func.coalesce(cast(ScoreRow.appraised_points, String), "")),
            joined(case((_silent(), criterion))),
            joined(case((computed, criterion))),
            joined(case((computed, appraised_answer)), SEP),
            joined(case((computed, own_answer)), SEP),
        )
        .where(ScoreRow.round_id == round_id)
        .group_by(ScoreRow.agency_id)
    )


def _answers_query(round_id: int, agency: int) -> Executable:
    """The rows of one agency whose points a rule computes, one by one (should a stored
    answer hold a control character, which no valid answer does)."""
    no_appraised_points = ScoreRow.appraised_points.is_(None)
    own_needed = or_(
        ScoreRow.self_points.is_(None),
        and_(
            no_appraised_points,
            or_(ScoreRow.appraised_answer.is_(None), ScoreRow.appraised_answer == ""),
        ),
    )
    return select(
        ScoreRow.criterion_id,
        case((no_appraised_points, ScoreRow.appraised_answer), else_=None),
        case((own_needed, ScoreRow.self_answer), else_=None),
    ).where(
        ScoreRow.round_id == round_id,
        ScoreRow.agency_id == agency,
        or_(no_appraised_points, ScoreRow.self_points.is_(None)),
    )


FIELD, LINE = "\x1d", "\x1e"  # between the lists of a line, between lines (as ``SEP``)


def _packed_query(round_id: int) -> Select[Any]:
    """``_scores_query`` as one text (a single row to fetch: the database does all the work
    in one step, without Python's lock)."""
    lines = _scores_query(round_id).subquery()
    agency, *lists = lines.c
    text: Any = cast(agency, String)
    for column in lists:
        text = text + literal(FIELD, String) + func.coalesce(column, literal("", String))
    return select(func.aggregate_strings(text, LINE))


def _unpack(packed: str | None) -> list[tuple[Any, ...]] | None:
    """The lines of ``_packed_query``'s text as ``_scores_query`` gives them (None for a
    text that does not split as it should: an answer holding a control character, which no
    valid answer does)."""
    if not packed:
        return []
    lines: list[tuple[Any, ...]] = []
    for line in packed.split(LINE):
        fields = line.split(FIELD)
        if len(fields) != 8:
            return None
        lines.append((int(fields[0]), *fields[1:]))
    return lines


def head_of(session: Session) -> tuple[int, str] | None:
    """The audit trail's last event (sequence, hash) as ``session`` sees it: every change
    made through the program appends one, in the change's own transaction."""
    row = session.execute(
        select(AuditEvent.sequence, AuditEvent.hash)
        .where(AuditEvent.sequence.is_not(None))
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None:
        return None
    return int(row[0]), str(row[1])


def one_snapshot(session: Session, db: Database) -> None:
    """Every statement of ``session`` (not used yet) reads the same snapshot of the
    database: what a SQLite transaction does anyway; REPEATABLE READ on PostgreSQL."""
    if db.is_postgres:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def can_read_ahead(db: Database) -> bool:
    """A second connection sees the same database: a SQLite file or a server (an
    in-memory SQLite database is one per connection)."""
    return db.is_postgres or db.path is not None


def _ahead_query(round_id: int) -> Executable:
    """The audit trail's last event and ``_packed_query``, in one statement: one snapshot,
    one row."""
    last = AuditEvent.sequence.is_not(None)
    latest = AuditEvent.sequence.desc()
    sequence = select(AuditEvent.sequence).where(last).order_by(latest).limit(1)
    hash_ = select(AuditEvent.hash).where(last).order_by(latest).limit(1)
    packed = _packed_query(round_id)
    return select(sequence.scalar_subquery(), hash_.scalar_subquery(), packed.scalar_subquery())


class ScoresAhead:
    """The score lines of a round (``_scores_query``) read on a connection of its own, in a
    thread, while the caller reads the members, forms and the rest: the aggregate is the
    largest query of the overview.

    The thread runs a single statement that gives a single row (``_ahead_query``): SQLite and
    PostgreSQL's driver release Python's lock while they work, and a thread that needs the
    lock back waits for the other to hand it over (up to 5 ms each time), so the fewer times
    the better — 2,000 rows would hand it over 2,000 times. The statement is built here, in
    the caller's thread, and the text split there too.

    One snapshot: a single statement reads one, with the audit trail's last event; the
    caller's session reads one too (``one_snapshot``). ``lines`` gives the lines only when
    both end with the same event: every change made through the program appends one in its
    own transaction, so the two saw the same data. Otherwise (a change committed in
    between), or if anything failed in the thread, it gives None and the caller reads the
    lines itself."""

    def __init__(self, db: Database, round_id: int) -> None:
        self._found: tuple[Any, ...] | None = None
        self._thread = threading.Thread(
            target=self._read,
            args=(db, _ahead_query(round_id)),
            name="khit-overview-scores",
            daemon=True,
        )
        self._thread.start()

    def _read(self, db: Database, statement: Executable) -> None:
        try:
            with db.engine.connect() as connection:
                self._found = tuple(connection.execute(statement).one())
        except Exception:  # the caller reads the lines itself, and meets the error there
            self._found = None

    def close(self) -> None:
        """Wait for the thread (its connection back in the pool)."""
        self._thread.join()

    def lines(self, head: tuple[int, str] | None) -> list[tuple[Any, ...]] | None:
        """The lines, if read at a snapshot whose last audit event is ``head``."""
        self._thread.join()
        found = self._found
        if found is None:
            return None
        sequence, hash_, packed = found
        seen = None if sequence is None else (int(sequence), str(hash_))
        return _unpack(packed) if seen == head else None
