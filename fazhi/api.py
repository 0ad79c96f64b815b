"""The REST API root. Each app adds its router from its own `api.py`; every endpoint reads
through the same scoping mechanism as the pages, with the token's user."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
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


def _register_routers() -> None:
    from fazhi.campaigns.api import router as campaigns_router
    from fazhi.evidence.api import router as evidence_router
    from fazhi.fieldwork.api import router as fieldwork_router
    from fazhi.filing.api import router as filing_router
    from fazhi.frameworks.api import router as frameworks_router
    from fazhi.orgs.api import router as orgs_router
    from fazhi.reviews.api import router as reviews_router

    api.add_router("/frameworks", frameworks_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/evidence", evidence_router)
    api.add_router("/fieldwork", fieldwork_router)
    api.add_router("/filing", filing_router)
    api.add_router("/reviews", reviews_router)


_register_routers()
