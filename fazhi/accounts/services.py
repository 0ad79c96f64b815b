"""Writes about people: logging in, creating and changing accounts, tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record, changed_only, client_ip, snapshot
from fazhi.accounts.models import ApiToken, LoginThrottle, Role, RoleCode, User
from fazhi.core.scoping import Scope, can_write_at

logger = logging.getLogger(__name__)

USER_AUDIT_FIELDS = [
    "username",
    "display_name",
    "phone",
    "email",
    "region_id",
    "unit_id",
    "is_active",
]


@dataclass
class LoginOutcome:
    user: User | None
    error: str = ""


def login_attempt(*, request, username: str, password: str) -> LoginOutcome:
    """Check a password with lockout: after N failures in a row the account is locked for M
    minutes, even for the right password; after N failures from one source address within a
    window, that address may not try at all until the window has passed, whatever the username.
    Every attempt is audited."""
    ip = client_ip(request)
    blocked_until = _address_blocked_until(ip)
    if blocked_until is not None:
        audit_record(
            acting_user=username[:150],
            action="login.ip_locked",
            ip_address=ip,
            summary="该地址暂停登录期间尝试登录",
        )
        return LoginOutcome(None, _address_blocked_message(blocked_until))
    account = User.objects.filter(username=username).first()
    if account is not None and _is_locked(account):
        audit_record(
            acting_user=account,
            action="login.locked",
            target=account,
            ip_address=ip,
            summary="账号锁定期间尝试登录",
        )
        return LoginOutcome(None, _locked_message(account))
    user = authenticate(request, username=username, password=password)
    if user is not None:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        audit_record(
            acting_user=user, action="login", target=user, ip_address=ip, summary="登录成功"
        )
        return LoginOutcome(user)
    if account is None:
        audit_record(
            acting_user=username[:150], action="login.failed", ip_address=ip, summary="用户名不存在"
        )
        message = _failure_message()
    else:
        message = _record_failure(account, ip)
    blocked_until = _record_address_failure(ip)
    if blocked_until is not None:
        return LoginOutcome(None, _address_blocked_message(blocked_until))
    return LoginOutcome(None, message)


def _address_blocked_until(ip: str | None):
    if ip is None:
        return None
    now = timezone.now()
    return (
        LoginThrottle.objects.filter(ip_address=ip, blocked_until__gt=now)
        .values_list("blocked_until", flat=True)
        .first()
    )


def _address_blocked_message(blocked_until) -> str:
    until = timezone.localtime(blocked_until)
    return (
        f"本网络地址登录失败次数过多，已暂停从该地址登录至 {until:%H:%M}（对所有账号）。"
        "请稍后再试；如确需立即登录，请联系管理员。"
    )


@transaction.atomic
def _record_address_failure(ip: str | None):
    """Count a failed password (wrong, or for an unknown username) against its source address
    in a fixed window; the failure that reaches the limit pauses the address until the window's
    length has passed, and is audited. Returns when the pause ends, if it began now. A success
    does not reset the count: one valid account must not buy an attacker more guesses."""
    if ip is None:
        return None
    now = timezone.now()
    window = timedelta(minutes=settings.FAZHI_LOGIN_IP_WINDOW_MINUTES)
    throttle, created = LoginThrottle.objects.select_for_update().get_or_create(
        ip_address=ip, defaults={"window_started": now}
    )
    if created:
        # Forget addresses whose window and pause are long over, so the table stays small.
        LoginThrottle.objects.filter(window_started__lt=now - window).exclude(
            blocked_until__gt=now
        ).delete()
    if now - throttle.window_started >= window:
        throttle.window_started, throttle.failure_count, throttle.blocked_until = now, 0, None
    throttle.failure_count += 1
    reached = throttle.failure_count >= settings.FAZHI_LOGIN_MAX_FAILURES_PER_IP
    if reached:
        throttle.blocked_until = now + window
        # The pause is a window of its own: failures before it do not count after it.
        throttle.window_started, throttle.failure_count = throttle.blocked_until, 0
    throttle.save()
    if not reached:
        return None
    audit_record(
        acting_user=None,
        action="login.ip_lockout",
        ip_address=ip,
        summary=(
            f"来自 {ip} 的登录在 {settings.FAZHI_LOGIN_IP_WINDOW_MINUTES} 分钟内失败 "
            f"{settings.FAZHI_LOGIN_MAX_FAILURES_PER_IP} 次，暂停该地址登录 "
            f"{settings.FAZHI_LOGIN_IP_WINDOW_MINUTES} 分钟"
        ),
    )
    return throttle.blocked_until


def _is_locked(account: User) -> bool:
    return bool(account.locked_until and account.locked_until > timezone.now())


def _locked_message(account: User) -> str:
    until = timezone.localtime(account.locked_until)
    return f"连续登录失败次数过多，账号已锁定至 {until:%H:%M}。请稍后再试，或联系管理员解锁。"


def _failure_message() -> str:
    return (
        f"用户名或密码错误。连续失败 {settings.FAZHI_LOGIN_MAX_FAILURES} 次后账号将锁定 "
        f"{settings.FAZHI_LOGIN_LOCKOUT_MINUTES} 分钟。"
    )


@transaction.atomic
def _record_failure(account: User, ip: str | None) -> str:
    account = User.objects.select_for_update().get(pk=account.pk)
    account.failed_login_count += 1
    if account.failed_login_count >= settings.FAZHI_LOGIN_MAX_FAILURES:
        account.locked_until = timezone.now() + timedelta(
            minutes=settings.FAZHI_LOGIN_LOCKOUT_MINUTES
        )
        account.failed_login_count = 0
        account.save(update_fields=["failed_login_count", "locked_until"])
        audit_record(
            acting_user=account,
            action="login.lockout",
            target=account,
            ip_address=ip,
            summary=f"连续 {settings.FAZHI_LOGIN_MAX_FAILURES} 次密码错误，账号锁定",
        )
        return _locked_message(account)
    account.save(update_fields=["failed_login_count"])
    audit_record(
        acting_user=account,
        action="login.failed",
        target=account,
        ip_address=ip,
        summary="密码错误",
    )
    return _failure_message()


# -- who may manage whom ---------------------------------------------------------------------

# The rungs of the ladder: an account sits on the rung of its highest role. Below the system
# administrator, nobody manages (resets, deactivates, re-roles, moves) an account on their own
# rung or above, nor hands out a role on it: otherwise a lead office could reset the system
# administrator's password and log in as them. The system administrator (and the command line's
# system actor) sits above all and manages every account, other administrators included, so
# that a locked-out administrator can be helped.
ROLE_RANK = {RoleCode.ADMIN: 3, RoleCode.LEAD_ADMIN: 2}
OTHER_ROLE_RANK = 1  # 联络员, 审核员, 评审专家, 领导, 督察员
NO_ROLE_RANK = 0


def role_rank(code: str) -> int:
    return ROLE_RANK.get(code, OTHER_ROLE_RANK)


def _highest(codes) -> int:
    return max((role_rank(code) for code in codes), default=NO_ROLE_RANK)


def account_rank(user) -> int:
    """The rank of the account's highest role; a superuser ranks as the system administrator."""
    if user.is_superuser:
        return ROLE_RANK[RoleCode.ADMIN]
    return _highest(user.role_codes())


def _actor_rank(acting_user) -> int:
    # From the scope computed once per request (an inactive account holds no role there).
    return _highest(Scope.for_user(acting_user).roles)


def _is_top(acting_user) -> bool:
    return Scope.for_user(acting_user).is_everything


def grantable_roles(acting_user) -> list[str]:
    """The roles `acting_user` may hand out: those below their own rank (all for the top)."""
    if _is_top(acting_user):
        return list(RoleCode.values)
    rank = _actor_rank(acting_user)
    return [code for code in RoleCode.values if role_rank(code) < rank]


def may_manage_user(acting_user, target: User) -> bool:
    """Whether `acting_user` may change `target`'s account: it sits within the actor's reach and
    on a lower rung. The one rule for the pages, the user list's buttons and every service that
    changes an account. Needs `target`'s region and roles loaded to ask no query."""
    if _is_top(acting_user):
        return True
    if account_rank(target) >= _actor_rank(acting_user):
        return False
    return can_write_at(acting_user, User, region=target.region, unit=target.unit)


def check_may_manage_user(acting_user, target: User) -> None:
    if not may_manage_user(acting_user, target):
        if account_rank(target) >= _actor_rank(acting_user):
            held = "、".join(target.role_labels()) or "系统管理员"
            raise PermissionDenied(
                f"账号“{target}”的角色（{held}）与您同级或更高，您无权重置密码、停用、"
                "修改角色或调整其所属区划和单位。"
            )
        raise PermissionDenied("您无权管理该区划或单位下的账号。")


def _check_may_manage(acting_user: User, *, region, unit, roles: list[str]) -> None:
    """Whether the actor may place an account holding `roles` at this region and unit."""
    if not can_write_at(acting_user, User, region=region, unit=unit):
        raise PermissionDenied("您无权在该区划或单位下管理账号。")
    allowed = grantable_roles(acting_user)
    labels = dict(RoleCode.choices)
    if too_high := [labels.get(code, code) for code in roles if code not in allowed]:
        raise PermissionDenied(
            f"您无权授予“{'、'.join(too_high)}”角色：只能授予低于您本人角色的角色。"
        )
    if unit is not None and region is not None and unit.region_id != region.pk:
        raise ValidationError({"unit": "所选单位不属于所选区划。"})


@transaction.atomic
def user_create(
    *,
    acting_user: User,
    username: str,
    display_name: str,
    password: str,
    region=None,
    unit=None,
    roles: list[str],
    email: str = "",
    phone: str = "",
) -> User:
    """An administrator creates an account; its owner must change the password at first login."""
    region = region or (unit.region if unit else None)
    _check_may_manage(acting_user, region=region, unit=unit, roles=roles)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名 “{username}” 已被使用。"})
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        phone=phone,
        region=region,
        unit=unit,
        must_change_password=True,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    user.roles.set(Role.objects.filter(code__in=roles))
    audit_record(
        acting_user=acting_user,
        action="user.create",
        target=user,
        after={**snapshot(user, USER_AUDIT_FIELDS), "roles": sorted(roles)},
    )
    return user


@transaction.atomic
def user_update(*, acting_user: User, user: User, roles: list[str], **fields) -> User:
    # The account as it is now must be the actor's to manage, and so must where it is moved to
    # and the roles it is given.
    check_may_manage_user(acting_user, user)
    unit = fields.get("unit", user.unit)
    # As in user_create: a unit without a region places the account in the unit's region.
    region = fields.get("region", user.region) or (unit.region if unit else None)
    if "region" in fields or "unit" in fields:
        fields["region"] = region
    _check_may_manage(acting_user, region=region, unit=unit, roles=roles)
    before = {**snapshot(user, USER_AUDIT_FIELDS), "roles": sorted(user.role_codes())}
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    user.roles.set(Role.objects.filter(code__in=roles))
    after = {**snapshot(user, USER_AUDIT_FIELDS), "roles": sorted(roles)}
    audit_record(acting_user=acting_user, action="user.update", target=user, **_diff(before, after))
    return user


def _diff(before: dict, after: dict) -> dict:
    old, new = changed_only(before, after)
    return {"before": old, "after": new}


@transaction.atomic
def user_reset_password(*, acting_user: User, user: User, password: str) -> None:
    check_may_manage_user(acting_user, user)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    user.save()
    audit_record(
        acting_user=acting_user,
        action="user.reset_password",
        target=user,
        summary="管理员重置密码并解锁",
    )


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        acting_user=user, action="user.change_password", target=user, summary="本人修改密码"
    )


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, acting_user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the clear key, which is shown once and never stored."""
    key = "fz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=acting_user, name=name, key_prefix=key[:8], key_hash=_hash_token(key)
    )
    audit_record(acting_user=acting_user, action="api_token.create", target=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, acting_user: User, token: ApiToken) -> None:
    audit_record(acting_user=acting_user, action="api_token.revoke", summary=str(token))
    token.delete()


def api_token_user(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash_token(key)).first()
    # A token is no way round the login policy: a deactivated or locked account is refused.
    if token is None or not token.user.is_active or _is_locked(token.user):
        return None
    now = timezone.now()
    # Recorded to the minute: a write on every API call would queue behind uploads on SQLite.
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        _stamp_last_use(token, now)
    return token.user


def _stamp_last_use(token: ApiToken, now) -> None:
    """Bookkeeping, not a reason to refuse the call: when the database stays busy past its
    timeout (SQLite's one write lock at a deadline rush), the stamp waits for a later call."""
    try:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError:
        logger.warning("API 令牌 %s 的最近使用时间未能记录：数据库繁忙", token.pk)
