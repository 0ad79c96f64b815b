from datetime import date

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fazhi.accounts import audit_display, exports, selectors, services
from fazhi.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserForm,
)
from fazhi.accounts.models import ApiToken, RoleCode, User
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import QueryFilters, paginate, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404


def login_view(request):
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = services.login_attempt(request=request, **form.cleaned_data)
        if outcome.user is not None:
            login(request, outcome.user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "core:home"
            return redirect(target or "core:home")
        error = outcome.error
    return render(request, "accounts/login.html", {"form": form, "error": error})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, new_password=form.cleaned_data["new_password"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            acting_user=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/profile.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is not None:
        services.api_token_revoke(acting_user=request.user, token=token)
        messages.success(request, "令牌已作废。")
    return redirect("accounts:profile")


@require_roles("admin", "lead_admin")
def user_list(request):
    read = QueryFilters(request.GET)
    filters = {
        "query": read.search("query"),
        "role": read.text("role"),
        "unit_id": read.id("unit_id", "单位"),
    }
    show_notes(request, read.notes)
    page = paginate(request, selectors.user_list(user=request.user, **filters))
    # Accounts the user may not manage (their own rank or above) are listed without buttons.
    manageable = {u.pk for u in page if services.may_manage_user(request.user, u)}
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "manageable": manageable,
            "filters": filters,
            "roles": RoleCode.choices,
            "now": timezone.now(),
        },
    )


def _manageable_or_403(request, pk) -> User:
    """The account to change: 404 outside the user's region, 403 when it holds a role at or
    above the user's own (the same rule the services apply)."""
    target = get_editable_or_404(User.objects.select_related("region", "unit"), request.user, pk=pk)
    services.check_may_manage_user(request.user, target)
    return target


@require_roles("admin", "lead_admin")
def user_create(request):
    form = UserForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已创建用户 {user}，首次登录须修改密码。")
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建用户"})


@require_roles("admin", "lead_admin")
def user_edit(request, pk):
    target = _manageable_or_403(request, pk)
    initial = {
        "username": target.username,
        "display_name": target.display_name,
        "region": target.region,
        "unit": target.unit,
        "roles": target.role_codes(),
        "email": target.email,
        "is_active": target.is_active,
        "phone": target.phone,
    }
    form = UserForm(request.POST or None, acting_user=request.user, editing=True, initial=initial)
    reset_form = PasswordResetForm()
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("username", "roles")}
        try:
            services.user_update(
                acting_user=request.user, user=target, roles=form.cleaned_data["roles"], **fields
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存用户 {target}。")
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": f"编辑用户 {target}", "target": target, "reset_form": reset_form},
    )


@require_roles("admin", "lead_admin")
@require_POST
def user_reset_password(request, pk):
    target = _manageable_or_403(request, pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_reset_password(
                acting_user=request.user, user=target, password=form.cleaned_data["password"]
            )
            messages.success(request, f"已重置 {target} 的密码并解除锁定。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect("accounts:user_edit", pk=target.pk)


def _audit_filters(request) -> tuple[dict, dict, list[str]]:
    """The audit log's filters as the form shows them and as the selector takes them, and
    notes on what the query string held that could not be used."""
    read = QueryFilters(request.GET)
    filters = {
        "query": read.search("query"),
        "action": read.text("action"),
        "date_from": read.date("date_from", "开始日期"),
        "date_to": read.date("date_to", "结束日期"),
    }
    form_values = {
        key: value.isoformat() if isinstance(value, date) else (value or "")
        for key, value in filters.items()
    }
    return form_values, filters, read.notes


@require_roles("admin", "lead_admin")
def audit_list(request):
    form_values, filters, notes = _audit_filters(request)
    show_notes(request, notes)
    page = paginate(request, selectors.audit_list(user=request.user, **filters), per_page=50)
    page.object_list = audit_display.describe(page.object_list, user=request.user)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page": page,
            "filters": form_values,
            "actions": audit_display.action_choices(selectors.audit_actions(user=request.user)),
        },
    )


@require_roles("admin", "lead_admin")
def audit_export(request):
    _, filters, _ = _audit_filters(request)
    response = xlsx_attachment(f"审计日志-{timezone.localdate():%Y%m%d}.xlsx")
    exports.audit_xlsx(
        selectors.audit_list(user=request.user, **filters), response, user=request.user
    )
    return response
