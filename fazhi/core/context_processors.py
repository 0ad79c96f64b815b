import functools

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from fazhi.core.scoping import Scope

# (label, url name, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("工作台", "core:home", None),
    ("我的任务", "campaigns:my_tasks", ("liaison",)),
    ("创建活动", "campaigns:list", None),
    (
        "工作计划",
        "plans:list",
        ("admin", "lead_admin", "reviewer", "leader", "inspector", "liaison"),
    ),
    (
        "法治督察",
        "inspections:list",
        ("admin", "lead_admin", "inspector", "leader", "reviewer", "liaison"),
    ),
    # Open to everyone signed in: a cross-reviewer may sit in any role and unit.
    ("案卷评查", "casereviews:list", None),
    (
        "动态监测",
        "monitoring:overview",
        ("admin", "lead_admin", "reviewer", "leader", "inspector", "liaison"),
    ),
    ("审核任务", "reviews:mine", ("admin", "lead_admin", "reviewer", "expert")),
    ("数据看板", "dashboards:index", None),
    (
        "申报材料",
        "filing:index",
        ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert"),
    ),
    ("指标体系", "frameworks:list", None),
    ("版本对比", "frameworks:diff", None),
    ("省级评估", "fieldwork:list", ("admin", "lead_admin", "reviewer", "expert", "leader")),
    ("满意度测评", "surveys:list", ("admin", "lead_admin", "reviewer", "leader", "inspector")),
    (
        "法治能力测试",
        "exams:list",
        ("admin", "lead_admin", "reviewer", "leader", "inspector", "liaison"),
    ),
    (
        "行政区划",
        "orgs:regions",
        ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert"),
    ),
    ("单位", "orgs:units", ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert")),
    ("用户", "accounts:users", ("admin", "lead_admin")),
    ("审计日志", "accounts:audit", ("admin", "lead_admin")),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = Scope.for_user(user)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return {
        # The menu as ready HTML: built by the template, its links and loop were a tenth of
        # the time of a small page, on every page.
        "nav_menu": menu_html(tuple(sorted(scope.roles)), scope.is_everything, current),
        "scope": scope,
    }


@functools.lru_cache(maxsize=512)
def menu_html(roles: tuple[str, ...], everything: bool, current: str) -> SafeString:
    """The menu's links for these roles, the current page's marked: the same few combinations
    recur on every request, so each is built once per process."""
    has_role = set(roles).intersection
    return format_html_join(
        "\n",
        '<a href="{}" class="{}">{}</a>',
        (
            (reverse(name), "active" if name == current else "", label)
            for label, name, allowed in NAVIGATION
            if allowed is None or everything or has_role(allowed)
        ),
    )
