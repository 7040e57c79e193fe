"""Extensions created without an app; create_app() binds them."""
from typing import Any, cast

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic's batch mode on SQLite (and later migrations) predictable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
migrate = Migrate()


#: How long a write waits for another one on SQLite; below gunicorn's 30 s timeout.
SQLITE_BUSY_TIMEOUT_MS = 20_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked; WAL lets readers and
    a writer work at the same time, which a threaded server needs; a writer that finds another one
    at work waits for it (busy_timeout) instead of telling the user "database is locked"."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # With WAL, NORMAL loses no committed transaction on a crash of the app (only on power loss).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE, INSERT or DELETE changed: the compare-and-set checks read it. Such
    a statement's result is a CursorResult, which the type of Session.execute does not say."""
    return cast(CursorResult[Any], result).rowcount
