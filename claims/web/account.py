"""A user's own account: changing one's password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import ValidationFailed
from claims.i18n import gettext
from claims.security import policy
from claims.services.users import new_own_password, set_password
from claims.web.auth import WINDOW_SECONDS, sign_in, throttle
from claims.web.claims import field_messages, signed_in_user

bp = Blueprint("account", __name__, url_prefix="/account")

_CHANGED_AR = "تغيّرت كلمة المرور، وخرجتَ من كل متصفح آخر"
i18n.register({
    "account.password_title": ("تغيير كلمة المرور", "Change password"),
    "account.password_help": (
        "تُنهي كلمة المرور الجديدة جلساتك في كل متصفح آخر وتلغي رموزك للواجهة البرمجية.",
        "A new password signs you out of every other browser and revokes your API tokens."),
    "account.password_submit": ("غيّر كلمة المرور", "Change password"),
    "account.password_changed": (_CHANGED_AR + "، وأُلغي {n} رمز للواجهة البرمجية.",
                                 "Password changed: signed out of every other browser and "
                                 "{n} API tokens revoked."),
    "field.current_password": ("كلمة المرور الحالية", "Current password"),
    "field.new_password": ("كلمة المرور الجديدة", "New password"),
    "field.confirm_password": ("تأكيد كلمة المرور الجديدة", "Confirm new password"),
    "error.wrong_password": ("كلمة المرور غير صحيحة.", "Wrong password."),
    "error.same_password": ("كلمة المرور الجديدة هي الحالية نفسها.",
                            "The new password is the current one."),
    "error.password_mismatch": ("لا تطابق كلمة المرور الجديدة.",
                                "Does not match the new password."),
    "nav.password": ("كلمة المرور", "Password"),
}, plurals={
    "account.password_changed": (
        {"zero": _CHANGED_AR + "؛ لم يكن لك رمز للواجهة البرمجية.",
         "one": _CHANGED_AR + "، وأُلغي رمزك الوحيد للواجهة البرمجية.",
         "two": _CHANGED_AR + "، وأُلغي رمزاك للواجهة البرمجية.",
         "few": _CHANGED_AR + "، وأُلغيت {n} رموز للواجهة البرمجية.",
         "many": _CHANGED_AR + "، وأُلغي {n} رمزًا للواجهة البرمجية."},
        {"one": "Password changed: signed out of every other browser and 1 API token revoked."}),
})


def _form(errors: dict[str, str] | None = None) -> str:
    # Passwords are never sent back into a form: each error names the field to type again.
    return render_template("account/password.html", errors=errors or {})


@bp.route("/password", methods=["GET", "POST"], endpoint="password")
@policy("viewer")
def password() -> ResponseReturnValue:
    """Change one's own password; this browser stays signed in under a new session."""
    if request.method != "POST":  # GET, and HEAD (which Flask routes here too)
        return _form()
    user = signed_in_user()
    keys = (f"addr:{request.remote_addr}", f"user:{user.username.lower()}")
    # The login's throttle, the attempt counted before its slow check (as at the login):
    # no guessing through this form either, not even with guesses sent at once.
    reserved = throttle.reserve(*keys)
    if reserved is None:
        return _form({"current_password": gettext("auth.throttled")}), 429, \
            {"Retry-After": str(WINDOW_SECONDS)}
    session = get_session()
    try:
        new = new_own_password(signed_in_user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        errors = field_messages(exc)
        if "current_password" not in errors:  # the password was right: no guess to count
            begin_write(session)
            throttle.release(session, reserved)
            session.commit()
        return _form(errors), 422
    session.rollback()  # end the read the slow hash checks sat in; the write starts afresh
    begin_write(session)
    throttle.release(session, reserved)
    user = signed_in_user()
    revoked = set_password(session, user, new, actor=user)
    sign_in(session, user)
    session.commit()
    flash(gettext("account.password_changed", n=revoked), "success")
    return redirect(url_for("account.password"))
