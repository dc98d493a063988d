"""Bindings and switch-in (signed-in people): 業務子系統帳號綁定 on 業務子系統帳號管理,
editing a label, unbinding, and 帳號簽入 — jumping into a subsystem as one binding."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import login_required, signed_in_account
from ..http.context import client_ip, current_hub
from ..http.forms import BindForm, ConfirmForm, LabelForm, form_problems
from ..http.unit_of_work import db
from ..models import Binding
from ..oidc.third_party_login import initiate_login_url
from ..services.errors import DomainError, InvalidInput, NotFound, Text, text
from ..services.subsystems import bindings
from ..services.subsystems.catalogues import Subsystem
from ..services.subsystems.clients import find_client
from .apply import render_subsystems_page

bp = Blueprint("bindings", __name__)

FORM_EXPIRED = text("表單已逾時，請重新操作")


def _refusal(form: FlaskForm) -> Text:
    """The first reason a posted form was refused (a stale form, or a value too long)."""
    return next(iter(form_problems(form).values()))


@dataclass(frozen=True)
class SwitchInGroup:
    """帳號簽入's menu: one subsystem and the person's bindings to it."""

    subsystem: Subsystem
    bindings: list[Binding]


def switch_in_groups() -> list[SwitchInGroup]:
    """The signed-in person's bindings, grouped by subsystem in catalogue order."""
    if not current_user.is_authenticated:
        return []
    held = bindings.bindings_of(db(), current_user)
    groups = []
    for subsystem in current_hub().catalogues.values():
        mine = [b for b in held if b.subsystem_account.subsystem == subsystem.code]
        if mine:
            groups.append(SwitchInGroup(subsystem, mine))
    return groups


@bp.post("/apply/subsystems/bind")
@login_required
def bind() -> BaseResponse:
    account = signed_in_account()
    form = BindForm()
    if not form.validate_on_submit():
        return render_subsystems_page(account, bind_error=_refusal(form), status=400)
    hub = current_hub()
    subsystem = hub.catalogues.get(form.subsystem.data or "")
    try:
        if subsystem is None:
            raise InvalidInput("subsystem", "請選擇業務子系統")
        bindings.bind(
            db(),
            hub.throttle(),
            account,
            subsystem,
            label=form.label.data or "",
            username=form.username.data or "",
            password=form.password.data or "",
            ip=client_ip(),
        )
    except DomainError as refused:
        return render_subsystems_page(account, bind_error=refused.text, status=400)
    return redirect(url_for("apply.subsystems", bound=1))


@bp.post("/apply/subsystems/bindings/<public_id>/label")
@login_required
def relabel(public_id: str) -> BaseResponse:
    account = signed_in_account()
    form = LabelForm()
    if not form.validate_on_submit():
        return render_subsystems_page(account, bind_error=_refusal(form), status=400)
    try:
        bindings.relabel(db(), account, public_id, form.label.data or "", client_ip())
    except NotFound as missing:
        return render_subsystems_page(account, bind_error=missing.text, status=404)
    except DomainError as refused:
        return render_subsystems_page(account, bind_error=refused.text, status=400)
    return redirect(url_for("apply.subsystems", relabelled=1))


@bp.post("/apply/subsystems/bindings/<public_id>/unbind")
@login_required
def unbind(public_id: str) -> BaseResponse:
    account = signed_in_account()
    if not ConfirmForm().validate_on_submit():
        return render_subsystems_page(account, bind_error=FORM_EXPIRED, status=400)
    hub = current_hub()
    try:
        bindings.unbind(db(), hub.revocation, account, public_id, client_ip())
    except NotFound as missing:
        return render_subsystems_page(account, bind_error=missing.text, status=404)
    return redirect(url_for("apply.subsystems", unbound=1))


@bp.get("/switch-in")
@login_required
def switch_in_page() -> Response:
    """帳號簽入: the person's bindings by subsystem, each a way into that subsystem."""
    return Response(render_template("bindings/switch_in.html", groups=switch_in_groups()))


@bp.get("/switch-in/<public_id>")
@login_required
def switch_in(public_id: str) -> BaseResponse:
    """Start third-party-initiated login at the binding's subsystem."""
    account = signed_in_account()
    binding = bindings.own_binding(db(), account, public_id)
    client = find_client(db(), binding.subsystem_account.subsystem)
    target = (
        initiate_login_url(client, current_hub().settings.issuer_url, binding)
        if client is not None and client.disabled_at is None
        else None
    )
    if target is None:
        raise NotFound("此子系統尚未開放從單一入口簽入。")
    return redirect(target)
