"""Notification pages: the user's own list, opening one, marking all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.core.listing import paginate
from fazhi.core.scoping import get_visible_or_404
from fazhi.plans import selectors, services
from fazhi.plans.models import Notification


@login_required
def notification_list(request):
    show = "unread" if request.GET.get("show") == "unread" else "all"
    notes = selectors.notifications_for(user=request.user, unread_only=show == "unread")
    return render(
        request, "plans/notifications.html", {"page": paginate(request, notes), "show": show}
    )


@login_required
def notification_open(request, pk):
    """A plain link, so that it opens in a new tab too: marking one's own notification read is
    harmless and the same however often it happens, which is why a GET may do it."""
    note = get_visible_or_404(Notification, request.user, pk=pk)
    services.notification_mark_read(notification=note, acting_user=request.user)
    if note.item_id:
        return redirect("campaigns:item", pk=note.item_id)
    if note.campaign_id:
        return redirect("campaigns:detail", pk=note.campaign_id)
    if note.link.startswith("/") and not note.link.startswith("//"):  # only inside the site
        return redirect(note.link)
    return redirect("plans:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(acting_user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect(reverse("plans:notifications"))
