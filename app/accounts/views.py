"""Signing in and out (with a code when two-factor is on), personal settings (API tokens, security),
and the admins' user pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import Field

from app.accounts import auth, resets, services, sessions, signin, twofactor
from app.accounts.access import session_or_404, token_or_404, trusted_browser_or_404
from app.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    EnableTwoFactorForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    TokenForm,
    TwoFactorPolicyForm,
    UserForm,
)
from app.accounts.models import User
from app.core.forms import CsrfForm, Form
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.urls import redirect_target
from app.core.views import commit, no_store, press, run_and_flash, save_form
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
        signed_in = auth.after_password(user, remember=bool(form.remember.data))
        commit()
        if not signed_in:  # two-factor: the code first
            return redirect(url_for(".login_code", next=request.args.get("next")))
        return redirect(redirect_target(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> str | Response | tuple[str, int, dict[str, str]]:
    """The second step of signing in, for whom two-factor is on."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user = auth.pending_user()
    if user is None:
        auth.forget_pending()
        flash(f"Sign in again: the code is asked for within {auth.PENDING_MINUTES} minutes of the password.", "info")
        return redirect(url_for(".login", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        result = signin.second_factor(user, form.code.data or "", auth.client_address())
        if isinstance(result, signin.Refusal):
            commit()  # the wrong code is counted and audited though nobody signs in
            form.code.errors = [result.message]
            return _code_page(form), result.status, result.headers
        auth.complete_sign_in(user, trust=bool(form.trust.data))
        commit()
        if result == "recovery":
            left = twofactor.recovery_codes_left(user)
            flash(f"You signed in with a recovery code; {left} left. Make new ones in Settings → Security "
                  "if you lost your phone.", "warning")
        return redirect(redirect_target(request.args.get("next")))
    return _code_page(form)


def _code_page(form: CodeForm) -> str:
    return render_template("accounts/login_code.html", form=form, trust_days=twofactor.trust_lifetime().days)


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
    return press(lambda: services.revoke_token(current_user, token_id), "Token revoked: it no longer works.",
                 url_for(".settings"))


@bp.get("/settings/security")
@login_required
def security() -> str:
    return _security_page()


@bp.post("/settings/security/password")
@login_required
def change_password() -> Response:
    form = ChangePasswordForm()
    if (refused := _password_refused(form, form.current_password, "password_form")) is not None:
        return refused
    if save_form(form, lambda: services.replace_own_password(current_user, form.current_password.data or "",
                                                             form.new_password.data or "")):
        flash("Your password is changed; every other sign-in has ended.", "success")
        return redirect(url_for(".security"))
    return make_response(_security_page(password_form=form))


def _password_refused(form: ChangePasswordForm | ConfirmPasswordForm, field: Field, name: str) -> Response | None:
    """A security step that needs the password again: the page with the refusal when ``field`` holds
    a wrong one (counted like a wrong sign-in), else None to go on."""
    if not form.validate_on_submit():
        return None
    refusal = signin.check_current_password(current_user, field.data or "", auth.client_address())
    if refusal is None:
        return None
    commit()  # the wrong guess is counted and audited though nothing changes
    field.errors = [refusal.message]
    return make_response(_security_page(**{name: form}), refusal.status, refusal.headers)


def _security_page(**forms: Form) -> str:
    user = current_user
    page = sessions.live_sessions(user, page_request(default_limit=20))
    current = sessions.current_session()
    return render_template(
        "accounts/security.html", page=page, current=current, count=sessions.count_live_sessions(user),
        password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
        codes_form=forms.get("codes_form") or ConfirmPasswordForm(formdata=None, prefix="codes"),
        off_form=forms.get("off_form") or ConfirmPasswordForm(formdata=None, prefix="off"),
        two_factor=twofactor.record_of(user), required=twofactor.is_required(user),
        codes_left=twofactor.recovery_codes_left(user), trusted=twofactor.trusted_browsers(user),
        trusted_count=twofactor.count_trusted_browsers(user), trust_days=twofactor.trust_lifetime().days,
        trusted_here=auth.trusted_here(user), **sessions.limits_in_words(),
    )


@bp.route("/settings/security/two-factor", methods=["GET", "POST"])
@login_required
@response_policy(referrer="no-referrer")  # it shows the key, and then the recovery codes
def two_factor_setup() -> Response:
    here = sessions.current_session()
    if here is None:
        abort(404)  # an API token sets nothing up: enrolment belongs to a browser's sign-in
    if twofactor.is_on(current_user):
        flash("Two-factor sign-in is on.", "info")
        return redirect(url_for(".security"))
    form = EnableTwoFactorForm()
    codes = save_form(form, lambda: twofactor.confirm(current_user, here, form.code.data or ""))
    if codes is not None:
        return no_store(make_response(render_template("accounts/recovery_codes.html", codes=codes, enabled=True)))
    enrolment = twofactor.begin(current_user, here)
    commit()
    return no_store(make_response(render_template(
        "accounts/two_factor_setup.html", form=form, enrolment=enrolment, required=twofactor.is_required(current_user),
        confined=here.needs_two_factor,
    )))


@bp.post("/settings/security/two-factor/recovery-codes")
@login_required
@response_policy(referrer="no-referrer")
def new_recovery_codes() -> Response:
    form = ConfirmPasswordForm(prefix="codes")
    if (refused := _password_refused(form, form.current_password, "codes_form")) is not None:
        return refused
    codes = save_form(form, lambda: twofactor.new_recovery_codes(current_user))
    if codes is not None:
        return no_store(make_response(render_template("accounts/recovery_codes.html", codes=codes, enabled=False)))
    return make_response(_security_page(codes_form=form))


@bp.post("/settings/security/two-factor/off")
@login_required
def two_factor_off() -> Response:
    form = ConfirmPasswordForm(prefix="off")
    if (refused := _password_refused(form, form.current_password, "off_form")) is not None:
        return refused
    if save_form(form, lambda: twofactor.turn_off_own(current_user)):
        flash("Two-factor sign-in is off: your password alone signs you in.", "success")
        return redirect(url_for(".security"))
    return make_response(_security_page(off_form=form))


@bp.post("/settings/security/trusted/<int:session_id>/forget")
@login_required
def forget_browser(session_id: int) -> Response:
    record = trusted_browser_or_404(current_user, session_id)
    return press(lambda: twofactor.forget_browser(current_user, record),
                 f"{record.device} must type a code at its next sign-in.", url_for(".security"))


@bp.post("/settings/security/trusted/forget")
@login_required
def forget_browsers() -> Response:
    return press(lambda: twofactor.forget_all_browsers(current_user),
                 "Every browser must type a code at its next sign-in.", url_for(".security"))


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
    return press(lambda: sessions.end_other_sessions(current_user),
                 "Signed out everywhere else: every other browser must sign in again.", url_for(".security"))


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
                           lock=signin.account_lock(user), failures=signin.recent_failures(user),
                           two_factor=twofactor.record_of(user), two_factor_required=twofactor.is_required(user))


@bp.post("/admin/users/<int:user_id>/unlock")
@login_required
def user_unlock(user_id: int) -> Response:
    _require_admin()
    user = db.session.get(User, user_id) or abort(404)
    return press(lambda: signin.unlock(current_user, user), f"{user.name} may sign in again.",
                 url_for(".user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/two-factor/off")
@login_required
def user_two_factor_off(user_id: int) -> Response:
    _require_admin()
    user = db.session.get(User, user_id) or abort(404)
    return press(lambda: twofactor.reset(current_user, user),
                 f"Two-factor sign-in is off for {user.name}, and every sign-in of theirs has ended.",
                 url_for(".user_edit", user_id=user.id))


@bp.route("/admin/users/two-factor", methods=["GET", "POST"])
@login_required
def users_two_factor() -> str | Response:
    """Which roles must sign in with a code."""
    _require_admin()
    form = TwoFactorPolicyForm() if request.method == "POST" else TwoFactorPolicyForm.for_roles(twofactor.required_roles())
    if save_form(form, lambda: twofactor.require_for_roles(current_user, form.required_roles())) is not None:
        flash("Two-factor policy saved.", "success")
        return redirect(url_for(".users_two_factor"))
    return render_template("accounts/two_factor_policy.html", form=form, adoption=twofactor.adoption())


def _require_admin() -> None:
    if not current_user.is_admin:
        abort(404)

