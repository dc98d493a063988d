"""醫事機構卡驗證: a unit admin's application, verified with the institution card of the
same unit, is approved at once. Without a card, or when it fails, the application
stays on paper review (紙本審核)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...models import AccountRole, Application, ApplicationStatus, ReviewRoute, utcnow
from .. import audit
from ..reviews.decisions import settle_application
from .certificates import CardHolder, CardRefused


def can_verify_by_card(application: Application) -> bool:
    return (
        application.role is AccountRole.UNIT_ADMIN
        and application.route is ReviewRoute.PAPER
        and application.status is ApplicationStatus.PENDING
    )


def verify_by_card(db: Session, application: Application, card: CardHolder, ip: str) -> None:
    """Approve the application when the card is its unit's; refuses (audited) otherwise."""
    applicant = application.account
    if not can_verify_by_card(application):
        raise CardRefused("not_pending", "此申請不需或已無法以醫事機構卡驗證")
    if card.unit_code != application.unit.code:
        audit.record_always(
            db,
            "application.card_refused",
            actor=applicant.username,
            actor_account_id=applicant.id,
            target=applicant.username,
            ip=ip,
            application=application.reference,
            fingerprint=card.fingerprint,
        )
        raise CardRefused("other_unit", "此卡片不是申請單位的醫事機構卡")
    application.route = ReviewRoute.CARD
    settle_application(db, application, True, "", utcnow(), None)
    audit.record(
        db,
        "application.card_verified",
        actor=applicant.username,
        actor_account_id=applicant.id,
        target=applicant.username,
        ip=ip,
        application=application.reference,
        unit=application.unit.code,
        fingerprint=card.fingerprint,
    )
