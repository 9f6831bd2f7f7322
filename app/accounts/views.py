"""Signing in and out, personal settings (API tokens), and the admins' user pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts import auth, resets, services, sessions, signin
from app.accounts.access import session_or_404, token_or_404
from app.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    TokenForm,
    UserForm,
)
from app.accounts.models import User
from app.core.forms import CsrfForm
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.urls import redirect_target
from app.core.views import commit, no_store, run_and_flash, save_form
from app.extensions import db

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = signin.sign_in(form.email.data or "", form.password.data or "", auth.client_address())
        if isinstance(user, signin.Refusal):
            commit()  # the failure is counted and audited though nobody signs in
            form.form_errors.append(user.message)
            return render_template("accounts/login.html", form=form), user.status, user.headers
        else:
            auth.sign_in(user, remember=bool(form.remember.data))
            commit()
            return redirect(redirect_target(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    if CsrfForm().validate_on_submit():
        auth.sign_out()
        commit()
        flash("You are signed out.", "info")
    return redirect(url_for(".login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@response_policy(referrer="no-referrer")
def forgot_password() -> str | Response | tuple[str, int, dict[str, str]]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        refusal = resets.request_reset(form.email.data or "", auth.client_address())
        commit()  # the request is counted (and a link written) even when refused
        if refusal is not None:
            form.form_errors.append(refusal.message)
            return render_template("accounts/forgot_password.html", form=form), refusal.status, refusal.headers
        return render_template("accounts/forgot_password.html", form=None, sent=resets.SENT)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@response_policy(referrer="no-referrer")  # the token is in the address: never sent on
def reset_password(token: str) -> Response:
    reset = resets.find(token)
    if reset is None:
        return no_store(make_response(render_template("accounts/reset_password.html", form=None), 404))
    form = ResetPasswordForm()
    if save_form(form, lambda: resets.complete(reset, form.password.data or "", auth.client_address())):
        flash("Your new password is set and you are signed out everywhere: sign in with it.", "success")
        return redirect(url_for(".login"))
    return no_store(make_response(render_template("accounts/reset_password.html", form=form, user=reset.user)))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@response_policy(referrer="no-referrer")  # it shows a new API token, once
def settings() -> Response:
    form = TokenForm()
    new_token = None
    issued = save_form(form, lambda: services.issue_token(current_user, form.name.data or ""))
    if issued is not None:
        new_token = issued[1]  # shown on this page once, never stored
        form = TokenForm(formdata=None)
    response = make_response(render_template(
        "accounts/settings.html", form=form, new_token=new_token, tokens=services.user_tokens(current_user),
        csrf_form=CsrfForm(),
    ))
    return no_store(response) if new_token else response


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    token_or_404(current_user, token_id)
    if CsrfForm().validate_on_submit():
        run_and_flash(lambda: services.revoke_token(current_user, token_id), "Token revoked: it no longer works.")
    return redirect(url_for(".settings"))


@bp.get("/settings/security")
@login_required
def security() -> str:
    return _security_page(ChangePasswordForm(formdata=None))


@bp.post("/settings/security/password")
@login_required
def change_password() -> Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        refusal = signin.check_current_password(current_user, form.current_password.data or "", auth.client_address())
        if refusal is not None:
            commit()  # the wrong guess is counted and audited though nothing changes
            form.current_password.errors = [refusal.message]
            return make_response(_security_page(form), refusal.status, refusal.headers)
    if save_form(form, lambda: services.replace_own_password(current_user, form.current_password.data or "",
                                                             form.new_password.data or "")):
        flash("Your password is changed; every other sign-in has ended.", "success")
        return redirect(url_for(".security"))
    return make_response(_security_page(form))


def _security_page(password_form: ChangePasswordForm) -> str:
    page = sessions.live_sessions(current_user, page_request(default_limit=20))
    return render_template("accounts/security.html", page=page, current=sessions.current_session(),
                           count=sessions.count_live_sessions(current_user), password_form=password_form,
                           **sessions.limits_in_words())


@bp.post("/settings/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> Response:
    record = session_or_404(current_user, session_id)
    if not CsrfForm().validate_on_submit():
        return redirect(url_for(".security"))
    current = sessions.current_session()
    if current is not None and record.id == current.id:  # this very browser: a sign-out
        auth.sign_out()
        commit()
        flash("You are signed out.", "info")
        return redirect(url_for(".login"))
    run_and_flash(lambda: sessions.end_own_session(current_user, record),
                  f"Signed out {record.device}: that browser must sign in again.")
    return redirect(url_for(".security"))


@bp.post("/settings/security/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    if CsrfForm().validate_on_submit():
        run_and_flash(lambda: sessions.end_other_sessions(current_user),
                      "Signed out everywhere else: every other browser must sign in again.")
    return redirect(url_for(".security"))


@bp.get("/admin/users")
@login_required
def users() -> str:
    _require_admin()
    page = services.user_page(page_request())
    return render_template("accounts/users.html", users=page.items, page=page)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def user_new() -> str | Response:
    _require_admin()
    form = UserForm()
    user = save_form(form, lambda: services.create_user(current_user, form.to_input(), form.password.data or ""))
    if user is not None:
        flash(f"Account created for {user.name}.", "success")
        return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int) -> str | Response:
    _require_admin()
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    if save_form(form, lambda: services.update_user(current_user, user, form.to_input(), form.password.data or "")):
        flash(f"Account of {user.name} saved.", "success")
        return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=user, csrf_form=CsrfForm(),
                           lock=signin.account_lock(user), failures=signin.recent_failures(user))


@bp.post("/admin/users/<int:user_id>/unlock")
@login_required
def user_unlock(user_id: int) -> Response:
    _require_admin()
    user = db.session.get(User, user_id) or abort(404)
    if CsrfForm().validate_on_submit():
        run_and_flash(lambda: signin.unlock(current_user, user), f"{user.name} may sign in again.")
    return redirect(url_for(".user_edit", user_id=user.id))


def _require_admin() -> None:
    if not current_user.is_admin:
        abort(404)

