"""Writing the audit log. Every service that changes data calls `audit_record` inside its
transaction, so the log row and the change commit or roll back together.

The source address comes from the request the service runs in: `RequestAddressMiddleware` sets it
for the request's duration, so services need no `request` argument to record it, and work done
outside a request (the worker, the command line) records none."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models

from fazhi.accounts.auditchain import append
from fazhi.accounts.models import AuditEntry
from fazhi.accounts.system import stored_user

_request_address: ContextVar[str | None] = ContextVar("fazhi_request_address", default=None)


@contextmanager
def request_address(address: str | None) -> Iterator[None]:
    """Audit rows written inside this block record `address` unless told another."""
    token = _request_address.set(address)
    try:
        yield
    finally:
        _request_address.reset(token)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-safe picture of a row's concrete fields, for the before/after columns."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _json_safe(getattr(instance, name)) for name in names}


def _json_safe(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_update(
    *, acting_user, action: str, target: models.Model, before: dict, region=None
) -> AuditEntry:
    """Record a change to `target`: `before` is its snapshot taken before the change, and only
    the fields that changed are kept on either side."""
    old, new = changed_only(before, snapshot(target, list(before)))
    return audit_record(
        acting_user=acting_user, action=action, target=target, region=region, before=old, after=new
    )


def audit_record(
    *,
    acting_user,
    action: str,
    target: models.Model | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    region=None,
    ip_address: str | None = None,
) -> AuditEntry:
    actor = stored_user(acting_user)
    if region is None:
        region = getattr(target, "region", None) if target is not None else None
        if region is None and actor is not None:
            region = actor.region
    return append(
        actor=actor,
        actor_name=_actor_name(acting_user),
        region=region,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        summary=summary[:500],
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        ip_address=ip_address or _request_address.get(),
    )


def _actor_name(user) -> str:
    if user is None:
        return "系统"
    if isinstance(user, str):
        return user
    display = getattr(user, "display_name", "")
    return f"{display}（{user.username}）" if display else user.username


def client_ip(request) -> str | None:
    """The address the request came from. Behind a reverse proxy every request comes from the
    proxy, so the proxy's header is read, but only when settings name it: otherwise anyone
    could claim any address by sending the header. The proxy appends the address it saw, so
    the last value is the one it vouches for."""
    if request is None:
        return None
    header = settings.FAZHI_CLIENT_IP_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(meta_key, "").split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
