"""User administration (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import ValidationFailed
from claims.i18n import gettext
from claims.models import User
from claims.models.audit import AUDIT_ACTIONS
from claims.models.users import ROLES
from claims.security import policy, reads_only
from claims.services import audit
from claims.services import users as service
from claims.services.inputs import Inputs
from claims.web.auth import sign_in
from claims.web.claims import field_messages, signed_in_user

bp = Blueprint("admin", __name__, url_prefix="/admin")

i18n.register({
    "audit.title": ("سجل الإدارة", "Audit log"),
    "audit.help": ("كل تغيير في المستخدمين وأسماء الكيانات وبيانات المصادر ورموز الواجهة البرمجية، "
                   "الأحدث أولاً. تغييرات الادعاءات في سجل كل ادعاء.",
                   "Every change to users, entity names, source details and API tokens, newest "
                   "first. Changes to claims are in each claim's history."),
    "audit.empty": ("لا أحداث.", "No events."),
    "audit.older": ("أقدم", "Older"),
    "audit.filter": ("تصفية", "Filter"),
    "audit.action": ("نوع التغيير", "Kind of change"),
    "audit.all": ("الكل", "All"),
    "audit.show": ("عرض", "Show"),
    "audit.command_line": ("سطر الأوامر", "command line"),
    "audit.user.created": ("أُضيف المستخدم", "User added:"),
    "audit.user.changed": ("عُدّل المستخدم", "User changed:"),
    "audit.user.password_set": ("عُيّنت كلمة مرور", "Password set for"),
    "audit.entity.created": ("أُنشئ الكيان", "Entity created:"),
    "audit.alias.added": ("أُضيف الاسم البديل", "Alias added:"),
    "audit.alias.removed": ("حُذف الاسم البديل", "Alias removed:"),
    "audit.source.gazetteer": ("من المعجم الجغرافي المرفق", "from the shipped gazetteer"),
    "audit.source.demo": ("من بيانات العرض", "from the demo data"),
    "audit.of_entity": ("للكيان", "of"),
    "audit.relinked": ("أُعيد ربط {n} ادعاء", "{n} claims re-linked"),
    "audit.source.edited": ("صُحّحت بيانات المصدر", "Source details corrected:"),
    "audit.filter.source.edited": ("تصحيح مصدر", "Source corrected"),
    "audit.source_field.title": ("العنوان", "title"),
    "audit.source_field.outlet": ("الوسيلة", "outlet"),
    "audit.source_field.author": ("الكاتب", "author"),
    "audit.source_field.url": ("الرابط", "address"),
    "audit.source_field.published_date": ("تاريخ النشر", "publication date"),
    "audit.token.created": ("أُنشئ الرمز", "Token created:"),
    "audit.token.revoked": ("أُلغي الرمز", "Token revoked:"),
    "audit.of_user": ("للمستخدم", "owned by"),
    "audit.filter.user.created": ("إضافة مستخدم", "User added"),
    "audit.filter.user.changed": ("تعديل مستخدم", "User changed"),
    "audit.filter.user.password_set": ("تعيين كلمة مرور", "Password set"),
    "audit.filter.entity.created": ("إنشاء كيان", "Entity created"),
    "audit.filter.alias.added": ("إضافة اسم بديل", "Alias added"),
    "audit.filter.alias.removed": ("حذف اسم بديل", "Alias removed"),
    "audit.filter.token.created": ("إنشاء رمز", "Token created"),
    "audit.filter.token.revoked": ("إلغاء رمز", "Token revoked"),
    "audit.reason.password_set": ("مع كلمة المرور الجديدة", "with the new password"),
    "audit.reason.deactivated": ("مع تعطيل المستخدم", "with the user's deactivation"),
    "users.set_password": ("تعيين كلمة مرور", "Set password"),
    "users.new_password": ("كلمة مرور جديدة", "New password"),
    "users.password_reset_ok": ("عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، وأُلغي {n} رمز "
                                "للواجهة البرمجية.",
                                "Password set: the user is signed out everywhere and {n} API "
                                "tokens revoked."),
    "users.deactivated_ok": ("عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغي {n} رمز للواجهة البرمجية.",
                             "User deactivated: signed out everywhere and {n} API tokens "
                             "revoked."),
}, plurals={
    "users.deactivated_ok": (
        {"zero": "عُطّل المستخدم وأُنهيت جلساته كلها، ولم يكن له رمز للواجهة البرمجية.",
         "one": "عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغي رمزه الوحيد للواجهة البرمجية.",
         "two": "عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغي رمزان للواجهة البرمجية.",
         "few": "عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغيت {n} رموز للواجهة البرمجية.",
         "many": "عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغي {n} رمزًا للواجهة البرمجية."},
        {"one": "User deactivated: signed out everywhere and 1 API token revoked."}),
    "users.password_reset_ok": (
        {"zero": "عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، ولم يكن له رمز للواجهة البرمجية.",
         "one": "عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، وأُلغي رمزه الوحيد للواجهة "
                "البرمجية.",
         "two": "عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، وأُلغي رمزان للواجهة البرمجية.",
         "few": "عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، وأُلغيت {n} رموز للواجهة "
                "البرمجية.",
         "many": "عُيّنت كلمة المرور وأُنهيت جلسات المستخدم كلها، وأُلغي {n} رمزًا للواجهة "
                 "البرمجية."},
        {"one": "Password set: the user is signed out everywhere and 1 API token revoked."}),
    "audit.relinked": ({"zero": "لم يتغير ربط أي ادعاء", "one": "أُعيد ربط ادعاء واحد",
                        "two": "أُعيد ربط ادعاءين", "few": "أُعيد ربط {n} ادعاءات",
                        "many": "أُعيد ربط {n} ادعاءً"}, {"one": "1 claim re-linked"}),
})


def _page(values: Any = None, errors: dict[str, str] | None = None,
          edited: int | None = None) -> str:
    """The users page; ``values`` and ``errors`` belong to the add form, or with ``edited`` to
    that user's row."""
    users = get_session().scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=users, roles=ROLES, edited=edited,
                           values=values or {}, errors=errors or {})


@bp.get("/users", endpoint="users")
@policy("admin")
def users() -> str:
    """All users and their roles."""
    return _page()


@bp.post("/users", endpoint="create_user")
@policy("admin")
def create_user() -> Any:
    """Add a user."""
    session = get_session()
    begin_write(session)
    try:
        service.create_user(session, request.form, signed_in_user())
    except ValidationFailed as exc:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "password"}
        return _page(values, field_messages(exc)), 422
    session.commit()
    flash(gettext("users.created_ok"), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>", endpoint="update_user")
@policy("admin")
def update_user(user_id: int) -> Any:
    """Change a user's role or deactivate them."""
    session = get_session()
    begin_write(session)
    try:
        _, revoked = service.update_user(session, user_id, request.form, signed_in_user())
    except ValidationFailed as exc:
        session.rollback()
        return _page(request.form, field_messages(exc), edited=user_id), 422
    session.commit()
    flash(gettext("users.updated_ok") if revoked is None
          else gettext("users.deactivated_ok", n=revoked), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password", endpoint="reset_password")
@policy("admin")
def reset_password(user_id: int) -> Any:
    """Set a user's password (a forgotten one): their sessions end, their API tokens go."""
    session = get_session()
    begin_write(session)
    admin = signed_in_user()
    try:
        revoked = service.reset_password(session, user_id, request.form, admin)
    except ValidationFailed as exc:
        session.rollback()
        return _page({}, field_messages(exc), edited=user_id), 422
    if user_id == admin.id:  # an admin resetting their own: this browser stays signed in
        sign_in(session, admin)
    session.commit()
    flash(gettext("users.password_reset_ok", n=revoked), "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit", endpoint="audit")
@policy("admin")
@reads_only
def audit_log() -> str:
    """Administrative changes, newest first, a page at a time."""
    args = Inputs(request.args)
    action = args.choice("action", AUDIT_ACTIONS)
    before = args.integer("before")  # a bad value shows the newest page, like none
    events, older = audit.page(get_session(), action, before)
    return render_template("admin/audit.html", events=events, older=older,
                           action=action, actions=AUDIT_ACTIONS)
