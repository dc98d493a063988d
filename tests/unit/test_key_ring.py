"""The key ring's version: what tells a server process to build its keys again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from idp.hub import Hub
from idp.models import SigningKey, utcnow
from idp.services.tokens.signing_keys import published_state, rotate_keys


def test_the_version_changes_when_a_rotated_key_starts_signing(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        rotated = rotate_keys(db, hub.key_box, timedelta(minutes=2), timedelta(days=1))
        new_kids = {key.kid for key in rotated}
    with hub.database.unit_of_work() as db:
        waiting = published_state(db)
        assert not any(signs for kid, signs in waiting if kid in new_kids)
        # The lead time passes: nothing but the clock has changed.
        db.execute(
            update(SigningKey)
            .where(SigningKey.kid.in_(new_kids))
            .values(activates_at=utcnow() - timedelta(seconds=1))
        )
        db.execute(
            update(SigningKey)
            .where(SigningKey.kid.not_in(new_kids))
            .values(retired_at=utcnow() - timedelta(seconds=1))
        )
    with hub.database.unit_of_work() as db:
        signing = published_state(db)
    assert signing != waiting
    assert {kid for kid, signs in signing if signs} == new_kids
