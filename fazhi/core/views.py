from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fazhi.core.selectors import home_counts, home_tasks


@login_required
def home(request):
    return render(
        request,
        "core/home.html",
        {"counts": home_counts(user=request.user), "tasks": home_tasks(user=request.user)},
    )
