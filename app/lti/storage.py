"""pylti1p3's launch data (state, nonce, the validated launch) kept in the database with an
expiry, so it works across workers and nodes. A nonce is deleted in the same statement that checks
it and committed at once: an id_token is good for one launch, even when two arrive together."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete, select

from ..extensions import db, rows_changed
from ..models import LtiLaunchValue
from ..timeutil import utcnow

#: pylti1p3 passes no lifetime for some values; state and nonce need minutes, not days.
DEFAULT_LIFETIME = timedelta(hours=2)


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = db.session.execute(select(LtiLaunchValue.value).where(
            LtiLaunchValue.key == self._prepare_key(key), LtiLaunchValue.expires_at > utcnow())).first()
        return None if row is None else row[0]

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        now = utcnow()
        lifetime = timedelta(seconds=exp) if exp else DEFAULT_LIFETIME
        full_key = self._prepare_key(key)
        db.session.execute(delete(LtiLaunchValue).where(
            (LtiLaunchValue.key == full_key) | (LtiLaunchValue.expires_at <= now)))
        db.session.add(LtiLaunchValue(key=full_key, value=value, expires_at=now + min(lifetime, DEFAULT_LIFETIME)))
        db.session.flush()

    def check_value(self, key: str) -> bool:
        """Only ever called for a nonce: true once, for an unexpired one."""
        result = db.session.execute(delete(LtiLaunchValue).where(
            LtiLaunchValue.key == self._prepare_key(key), LtiLaunchValue.expires_at > utcnow()))
        used = rows_changed(result) == 1
        db.session.commit()
        return used
