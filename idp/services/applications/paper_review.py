"""紙本審核: a unit admin's application goes to the authority on paper. The applicant
downloads the form filled in (``paper_form_of``, rendered by ``paper_form``), has it
signed and stamped, and uploads the scan (``attach_scan``, checked by ``uploads``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ...models import Application, ApplicationStatus, ReviewRoute, utcnow
from .. import audit
from ..accounts.national_id import NationalIdBox, reveal_masked
from ..errors import InvalidInput
from ..subsystems.catalogues import Catalogues, Duty
from ..uploads import Accepted, check_scan
from .paper_form import PaperForm, RequestedRight


def attach_scan(
    db: Session, application: Application, data: bytes, filename: str, ip: str = ""
) -> Accepted:
    """The signed, stamped paper form (紙本審核), checked by its content; a new upload
    replaces the earlier one while the application is pending."""
    if application.route is not ReviewRoute.PAPER:
        raise InvalidInput("scan", "此申請不需上傳紙本申請書")
    if application.status is not ApplicationStatus.PENDING:
        raise InvalidInput("scan", "此申請已審核完成，無法再上傳")
    scan = check_scan(data, filename)
    application.scan = data
    application.scan_media_type = scan.media_type
    application.scan_sha256 = scan.sha256
    application.scan_uploaded_at = utcnow()
    audit.record(
        db,
        "application.scan_upload",
        actor=application.account.username,
        actor_account_id=application.account_id,
        target=application.account.username,
        ip=ip,
        application=application.reference,
        media_type=scan.media_type,
        size=scan.size,
        sha256=scan.sha256,
    )
    return scan


def menu_role_names(duty: Duty | None, codes: Iterable[str]) -> list[str]:
    names = []
    for code in codes:
        role = duty.menu_role(code) if duty else None
        names.append(str(role.name) if role else code)
    return names


def paper_form_of(
    db: Session,
    application: Application,
    catalogues: Catalogues,
    national_ids: NationalIdBox,
    ip: str = "",
) -> PaperForm:
    """The pre-filled 管理者帳號申請表 of a unit admin's application."""
    account = application.account
    unit = application.unit
    rights = []
    for request in application.subsystem_requests:
        subsystem = catalogues[request.subsystem]
        duty = subsystem.duty(request.duty)
        rights.append(
            RequestedRight(
                subsystem=str(subsystem.name),
                duty=str(duty.name) if duty else request.duty,
                menu_roles=tuple(menu_role_names(duty, request.menu_roles)),
            )
        )
    return PaperForm(
        reference=application.reference,
        applied_at=application.submitted_at,
        unit_code=unit.code,
        unit_name=unit.name,
        county=unit.county,
        district=unit.district,
        account_name=account.username,
        person_name=account.name,
        title=account.title,
        masked_national_id=reveal_masked(
            db, national_ids, account, ip=ip, application=application.reference
        ),
        phone=account.phone,
        phone_backup=account.phone_backup,
        unit_phone=account.unit_phone,
        mobile=account.mobile,
        email=account.email,
        email_backup=account.email_backup,
        rights=tuple(rights),
        consent_version=application.consent_version,
        consented_at=application.consent_accepted_at,
    )
