from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fazhi.core.health import health_checks
from fazhi.core.selectors import leader_landing, workbench


@login_required
def home(request):
    """The workbench: the cards of each of the user's roles (core.selectors). A leader with no
    other role has no work here and lands on the dashboard."""
    landing = leader_landing(user=request.user)
    if landing:
        return redirect(landing)
    return render(request, "core/home.html", workbench(user=request.user))


@never_cache
@require_safe
def health(request):
    """No login: the load balancer asks. 200 when the database and the file storage answer,
    503 naming what does not (and nothing else about the deployment)."""
    checks = health_checks()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if answers else "unavailable" for name, answers in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


@require_safe
def favicon(request):
    """No login: browsers ask for /favicon.ico on pages that name no icon (downloads, the API's
    JSON); the icon itself is a static file."""
    return redirect(static("fazhi/favicon.ico"))
