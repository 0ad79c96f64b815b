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
    items = [
        (label, name)
        for label, name, roles in NAVIGATION
        if roles is None or scope.has_role(*roles)
    ]
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    current_app = current.split(":")[0] if current else ""
    return {
        "nav_items": items,
        "nav_current": current,
        "nav_current_app": current_app,
        "scope": scope,
    }
