"""The REST API root. Each app adds its router from its own `api.py`; every endpoint reads
through the same scoping mechanism as the pages, with the token's user."""

from collections import defaultdict
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from fazhi.accounts.services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


def signed_in_only(view):
    """The schema and its docs page list every endpoint and parameter: a map for an attacker,
    so only for people signed in on the site (or, for the schema, holding a valid token). The
    page sends a stranger to the login page; the schema, read by programs, answers 401."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            header = request.headers.get("Authorization", "")
            scheme, _, key = header.partition(" ")
            if scheme.lower() == "bearer" and key and api_token_user(key.strip()) is not None:
                return view(request, *args, **kwargs)
            return JsonResponse({"detail": "请先登录后再查看 API 接口说明。"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="法治政府建设示范创建平台 API",
    version="1",
    description="Token authentication: `Authorization: Bearer <token>` (create one under 个人设置).",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_decorator=signed_in_only,
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "没有找到该记录，或您无权查看。"}, status=404
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=400)


# What a parameter that cannot be read must be, by pydantic's error type.
_UNREADABLE = {
    "missing": "缺少参数 {name}",
    "greater_than_equal": "参数 {name} 应不小于 {ge}",
    "greater_than": "参数 {name} 应大于 {gt}",
    "less_than_equal": "参数 {name} 应不大于 {le}",
    "less_than": "参数 {name} 应小于 {lt}",
    "int_parsing": "参数 {name} 应为整数",
    "int_type": "参数 {name} 应为整数",
    "int_from_float": "参数 {name} 应为整数",
    "string_too_long": "参数 {name} 最长 {max_length} 个字",
    "bool_parsing": "参数 {name} 应为 true 或 false",
    "date_parsing": "参数 {name} 应为日期，如 2025-03-31",
    "date_from_datetime_parsing": "参数 {name} 应为日期，如 2025-03-31",
}


def unreadable_detail(errors: list[dict]) -> str:
    """One Chinese sentence naming each parameter that could not be read and what it must be."""
    sentences = []
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ())[1:] if part != "payload")
        template = _UNREADABLE.get(error.get("type"), "参数 {name} 的值无效")
        values = defaultdict(lambda: "?", error.get("ctx") or {}, name=name or "?")
        sentences.append(template.format_map(values))
    return "；".join(dict.fromkeys(sentences)) + "。"


@api.exception_handler(NinjaValidationError)
def _unreadable(request, exc):
    """422 as before, its `detail` a sentence a person can read; pydantic's list in `errors`."""
    body = {"detail": unreadable_detail(exc.errors), "errors": exc.errors}
    return api.create_response(request, body, status=422)


def _register_routers() -> None:
    from fazhi.campaigns.api import router as campaigns_router
    from fazhi.evidence.api import router as evidence_router
    from fazhi.exams.api import router as exams_router
    from fazhi.fieldwork.api import router as fieldwork_router
    from fazhi.filing.api import router as filing_router
    from fazhi.frameworks.api import router as frameworks_router
    from fazhi.inspections.api import router as inspections_router
    from fazhi.orgs.api import router as orgs_router
    from fazhi.plans.api import router as plans_router
    from fazhi.reviews.api import router as reviews_router
    from fazhi.surveys.api import router as surveys_router

    api.add_router("/frameworks", frameworks_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/evidence", evidence_router)
    api.add_router("/fieldwork", fieldwork_router)
    api.add_router("/filing", filing_router)
    api.add_router("/reviews", reviews_router)
    api.add_router("/inspections", inspections_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/plans", plans_router)
    api.add_router("/exams", exams_router)


_register_routers()
