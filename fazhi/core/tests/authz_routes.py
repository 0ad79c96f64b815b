"""The authorization matrix as data: every URL pattern (by its pattern, as the URL configuration
spells it) and every API operation ("METHOD /api/path", as the OpenAPI schema spells it), with
the objects its path arguments name, the answer each persona should get for GET and for POST,
and for POST a request that goes through for whoever may make it.

Each answer is a rule of `authz_policy`: a chain of checks, each turning the persona away or
letting it on: `role` (403 for a role that never may), `seen` (404 for an object out of reach),
`allowed` (403 for an object in reach that the persona may not change), `soft` (refused with a
message, nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fazhi.core.tests import authz_payloads as pay
from fazhi.core.tests.authz_policy import (
    HIDDEN,
    OWNERS,
    READERS,
    Rule,
    allowed,
    county,
    creator,
    feeds_city_evaluation,
    inspects,
    manages_casereview,
    manages_user,
    may_assess,
    may_comment_plan,
    may_decide,
    may_edit_evidence,
    may_review_item,
    may_set_milestones,
    may_submit,
    may_upload,
    notes_case,
    own_only,
    owns,
    owns_evaluation,
    owns_framework,
    rectifies,
    reports_figure,
    role,
    rule,
    scores_case,
    scores_evaluation,
    seen,
    sees_bank,
    sees_board_unit,
    sees_build,
    sees_campaign,
    sees_case_file,
    sees_case_standard,
    sees_casereview,
    sees_evaluation,
    sees_evidence,
    sees_exam,
    sees_figure,
    sees_finding,
    sees_framework,
    sees_inspection,
    sees_item,
    sees_plan,
    sees_plan_comment,
    sees_region_figures,
    sees_unit,
    sees_user,
    sees_wave,
    soft,
    verifies,
    works_on_case,
)

ANYONE = rule()
OWNER = role(*OWNERS)
INSPECT = role("admin", "lead_admin", "inspector")
INSPECT_ONLY = rule(INSPECT, seen(sees_inspection), allowed(inspects))
INSPECTION = {"pk": "inspection.city"}
FINDING = {"pk": "finding.{t}"}
FINDINGS = ("sfj.szq", "scjg.szq", "sfj.xc")
SEE_FINDING = seen(sees_finding)
CASEREVIEW = {"pk": "casereview.{t}"}
SEE_CASEREVIEW = seen(sees_casereview)
MANAGE_CASEREVIEW = rule(OWNER, SEE_CASEREVIEW, allowed(manages_casereview))
CASE_FILES = ("sfj.szq", "scjg.szq", "sfj.xc")
CASE_FILE = {"pk": "casereview_case.{t}"}
SEE_CASE_FILE = seen(sees_case_file)
REPORT = role("admin", "lead_admin", "liaison")
RANK = role("admin", "lead_admin", "reviewer", "leader", "inspector")
FIGURES = ("sfj.szq", "sfj.xc")
SEE_FIGURE = seen(sees_figure)


@dataclass(frozen=True)
class Route:
    """`args` maps each path argument to the world's id key, formatted with the target: {t} the
    target, {c} its county, {who} the persona whose object "own" or "other" names, and for a
    score "<side>-<item>" {side} and {rest}; "=value" is the argument itself."""

    targets: tuple[str, ...] = ("-",)
    args: tuple[tuple[str, str], ...] = ()
    get: Rule | None = None  # None: the address serves POST only
    post: Rule | None = None  # None: no state-changing method
    data: Callable | None = None
    arrange: Callable | None = None  # the state the request needs, set in its savepoint
    query: Callable | None = None
    writes: bool = True  # an allowed POST changes rows; False where it may rightly change none
    public: bool = False
    body: str = "form"  # form | json (API)
    session: bool = False  # an API address served to the logged-in browser, not a token
    relogin: bool = False  # the request ends the session (logout, a password change)


def r(*targets, get=None, post=None, **fields) -> Route:
    """An entry; `get` and `post` are rules or single checks."""
    args = tuple(fields.pop("args", {}).items())
    get, post = (rule(check) if check else None for check in (get, post))
    return Route(targets=targets or ("-",), args=args, get=get, post=post, **fields)


CAMPAIGNS = ("szq", "xc")
ITEMS = ("shared.szq", "sfj.szq", "scjg.szq", "shared.xc")
EVIDENCE = ("sfj.szq", "scjg.szq", "shared_scjg.szq", "sfj.xc")
OPEN_EVIDENCE = ("sfj.szq", "scjg.szq", "sfj.xc")
DELETED = ("sfj_deleted.szq", "scjg_deleted.szq", "sfj_deleted.xc")
FRAMEWORKS = ("national", "szq", "xc")
EVALUATIONS = ("city", "province")
ASSESS = ("self-sfj.szq", "review-shared.szq", "review-sfj.szq", "written-sfj.szq", "self-sfj.xc")
CAMPAIGN = {"pk": "campaign.{c}"}
WAVE = {"pk": "wave.{c}"}

see_campaign = seen(sees_campaign)
campaign_owner = rule(OWNER, see_campaign, allowed(owns))
reads_campaign = rule(see_campaign)
see_wave = seen(sees_wave)
EXAM = {"pk": "exam.{c}"}
EXAM_BANK = {"pk": "exam_bank.{c}"}
SEE_EXAM = rule(seen(sees_exam))
EXAM_OWNER = rule(seen(sees_exam), allowed(owns))
SITTING = {"code": "exam_sitting.{t}"}
reads_wave = rule(see_wave)

PAGES: dict[str, Route] = {
    # -- core, accounts ------------------------------------------------------------------------
    "": r(get=ANYONE),
    "healthz": r(get=ANYONE, public=True),
    "favicon.ico": r(get=ANYONE, public=True),
    "accounts/login/": r(get=ANYONE, post=ANYONE, data=pay.login, public=True, writes=False),
    "accounts/logout/": r(post=ANYONE, public=True, writes=False, relogin=True),
    "accounts/password/": r(get=ANYONE, post=ANYONE, data=pay.password_change, relogin=True),
    "accounts/profile/": r(get=ANYONE, post=ANYONE, data=pay.token_name),
    "accounts/tokens/<int:pk>/revoke/": r(
        "own", "other", args={"pk": "token.{who}"}, post=rule(soft(own_only))
    ),
    "accounts/users/": r(get=OWNER),
    "accounts/users/new/": r(
        *CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.user_create
    ),
    "accounts/users/<int:pk>/": r(
        "szq",
        "xc",
        "top",
        args={"pk": "user.{t}"},
        get=rule(OWNER, seen(sees_user), allowed(manages_user)),
        post=rule(OWNER, seen(sees_user), allowed(manages_user)),
        data=pay.user_edit,
    ),
    "accounts/users/<int:pk>/reset-password/": r(
        "szq",
        "xc",
        "top",
        args={"pk": "user.{t}"},
        post=rule(OWNER, seen(sees_user), allowed(manages_user)),
        data=pay.password_reset,
    ),
    "accounts/audit/": r(get=OWNER),
    "accounts/audit/export/": r(get=OWNER),
    # -- orgs ------------------------------------------------------------------------------------
    "orgs/regions/": r(get=role(*READERS)),
    "orgs/units/": r(get=role(*READERS)),
    "orgs/units/export/": r(get=role(*READERS)),
    "orgs/units/new/": r(*CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.unit_create),
    "orgs/units/import/": r(
        *CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.unit_import
    ),
    "orgs/units/<int:pk>/": r(
        "scjg.szq",
        "scjg.xc",
        args={"pk": "unit.{t}"},
        get=rule(OWNER, seen(sees_unit), allowed(owns)),
        post=rule(OWNER, seen(sees_unit), allowed(owns)),
        data=pay.unit_edit,
    ),
    # -- frameworks ------------------------------------------------------------------------------
    "frameworks/": r(get=ANYONE),
    "frameworks/import/": r(
        *CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.framework_import
    ),
    "frameworks/import/<int:pk>/": r(
        *CAMPAIGNS, args={"pk": "framework_import.{t}"}, get=rule(OWNER, seen(creator))
    ),
    "frameworks/import/<int:pk>/confirm/": r(
        *CAMPAIGNS, args={"pk": "framework_import.{t}"}, post=rule(OWNER, seen(creator))
    ),
    "frameworks/import/<int:pk>/cancel/": r(
        *CAMPAIGNS, args={"pk": "framework_import.{t}"}, post=rule(OWNER, seen(creator))
    ),
    "frameworks/diff/": r(
        "szq",
        "xc",
        "xlsx.szq",
        "xlsx.xc",
        get=rule(seen(lambda p, t: sees_framework(p, county(t)))),
        query=pay.diff_query,
    ),
    "frameworks/<int:pk>/": r(
        *FRAMEWORKS, args={"pk": "framework.{t}"}, get=rule(seen(sees_framework))
    ),
    "frameworks/<int:pk>/export/<str:fmt>/": r(
        *FRAMEWORKS,
        args={"pk": "framework.{t}", "fmt": "=xlsx"},
        get=rule(seen(sees_framework)),
    ),
    "frameworks/<int:pk>/delete/": r(
        *CAMPAIGNS,
        args={"pk": "framework.{t}"},
        post=rule(OWNER, seen(sees_framework), allowed(owns_framework)),
    ),
    "frameworks/<int:pk>/scoring/": r(
        *FRAMEWORKS,
        args={"pk": "framework.{t}"},
        post=rule(OWNER, seen(sees_framework), allowed(owns_framework)),
        data=pay.scoring,
    ),
    # -- campaigns -------------------------------------------------------------------------------
    "campaigns/": r(get=ANYONE),
    "campaigns/new/": r(
        *CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.campaign_create
    ),
    "campaigns/my-tasks/": r(get=ANYONE),
    "campaigns/<int:pk>/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "campaigns/<int:pk>/edit/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=campaign_owner, post=campaign_owner, data=pay.campaign_edit
    ),
    "campaigns/<int:pk>/assign/": r(
        *CAMPAIGNS, args=CAMPAIGN, post=campaign_owner, data=pay.assign
    ),
    "campaigns/<int:pk>/checks/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "campaigns/<int:pk>/search/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=reads_campaign, query=pay.search_query
    ),
    "campaigns/<int:pk>/export/tasks/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "campaigns/<int:pk>/export/units/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "campaigns/<int:pk>/import/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=campaign_owner, post=campaign_owner, data=pay.tasklist
    ),
    "campaigns/<int:pk>/import/<int:draft>/": r(
        *CAMPAIGNS, args={**CAMPAIGN, "draft": "tasklist_import.{c}"}, get=campaign_owner
    ),
    "campaigns/<int:pk>/import/<int:draft>/confirm/": r(
        *CAMPAIGNS, args={**CAMPAIGN, "draft": "tasklist_import.{c}"}, post=campaign_owner
    ),
    "campaigns/<int:pk>/import/<int:draft>/cancel/": r(
        *CAMPAIGNS, args={**CAMPAIGN, "draft": "tasklist_import.{c}"}, post=campaign_owner
    ),
    "campaigns/<int:pk>/migrate/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=campaign_owner, query=pay.migrate_query
    ),
    "campaigns/<int:pk>/migrate/confirm/": r(
        *CAMPAIGNS, args=CAMPAIGN, post=campaign_owner, data=pay.migrate
    ),
    "campaigns/<int:pk>/archived/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "campaigns/<int:pk>/self-assessment/": r(
        *CAMPAIGNS,
        args=CAMPAIGN,
        get=campaign_owner,
        post=campaign_owner,
        data=pay.self_assessment,
    ),
    "campaigns/items/<int:pk>/": r(*ITEMS, args={"pk": "item.{t}"}, get=rule(seen(sees_item))),
    "campaigns/items/<int:pk>/reopen/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), allowed(owns)),
        data=pay.reopen,
    ),
    "campaigns/items/<int:pk>/rechecked/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), allowed(owns)),
    ),
    "campaigns/items/<int:pk>/edit/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        get=rule(OWNER, seen(sees_item), allowed(owns)),
        post=rule(OWNER, seen(sees_item), allowed(owns)),
        data=pay.item_edit,
    ),
    "campaigns/items/<int:pk>/refine/": r(
        "parent.szq",
        "parent.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), allowed(owns)),
        data=pay.refine,
    ),
    "campaigns/items/<int:pk>/delete/": r(
        "refined.szq",
        "refined.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), allowed(owns)),
    ),
    "campaigns/items/<int:pk>/resolve/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), allowed(owns)),
        data=pay.resolve,
    ),
    "campaigns/items/<int:pk>/submit/": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(seen(sees_item), soft(may_submit)),
    ),
    "campaigns/items/<int:pk>/explanation/": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(seen(sees_item), soft(may_submit)),
        data=pay.explanation,
    ),
    "campaigns/items/<int:pk>/return/": r(
        "shared.szq",
        "shared.xc",
        args={"pk": "item.{t}"},
        post=rule(seen(sees_item), soft(may_review_item)),
        data=pay.return_reason,
    ),
    "campaigns/items/<int:pk>/approve/": r(
        "shared.szq",
        "shared.xc",
        args={"pk": "item.{t}"},
        post=rule(seen(sees_item), soft(may_review_item)),
    ),
    # -- evidence --------------------------------------------------------------------------------
    "evidence/items/<int:item_pk>/upload/": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"item_pk": "item.{t}"},
        post=rule(seen(sees_item), soft(may_upload)),
        data=pay.upload,
    ),
    "evidence/campaigns/<int:campaign_pk>/zip/": r(
        *CAMPAIGNS,
        args={"campaign_pk": "campaign.{c}"},
        get=reads_campaign,
        post=rule(see_campaign, soft(lambda p, t: may_upload(p, f"sfj.{t}"))),
        data=pay.archive,
    ),
    "evidence/campaigns/<int:pk>/ledger/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "evidence/campaigns/<int:pk>/ledger/export/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=reads_campaign, query=pay.with_deleted
    ),
    "evidence/<int:pk>/": r(
        *EVIDENCE,
        args={"pk": "evidence.{t}"},
        get=rule(seen(sees_evidence)),
        post=rule(seen(sees_evidence), allowed(may_edit_evidence)),
        data=pay.evidence_edit,
    ),
    "evidence/<int:pk>/download/": r(
        *EVIDENCE, args={"pk": "evidence.{t}"}, get=rule(seen(sees_evidence))
    ),
    "evidence/<int:pk>/replace/": r(
        *OPEN_EVIDENCE,
        args={"pk": "evidence.{t}"},
        post=rule(seen(sees_evidence), allowed(may_edit_evidence)),
        data=pay.replace,
    ),
    "evidence/<int:pk>/delete/": r(
        *OPEN_EVIDENCE,
        args={"pk": "evidence.{t}"},
        post=rule(seen(sees_evidence), allowed(may_edit_evidence)),
    ),
    "evidence/<int:pk>/restore/": r(
        *DELETED,
        args={"pk": "evidence.{t}"},
        post=rule(seen(sees_evidence), allowed(may_edit_evidence)),
    ),
    # -- reviews ---------------------------------------------------------------------------------
    "reviews/": r(get=ANYONE),
    # A round is open in both campaigns: opening another is refused to its owner too.
    "reviews/campaigns/<int:pk>/rounds/": r(
        *CAMPAIGNS,
        args=CAMPAIGN,
        get=reads_campaign,
        post=rule(see_campaign, allowed(owns)),
        data=pay.round_open,
        writes=False,
    ),
    "reviews/campaigns/<int:pk>/rounds/export/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "reviews/campaigns/<int:pk>/scores/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=rule(role(*READERS), see_campaign)
    ),
    "reviews/campaigns/<int:pk>/scores/export/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=rule(role(*READERS), see_campaign)
    ),
    # The closed round first (the first object in reach stands for the others): it holds the
    # verdicts and the notes on each unit's files.
    "reviews/rounds/<int:pk>/": r(
        "closed.szq", "open.szq", "open.xc", args={"pk": "round.{t}"}, get=reads_campaign
    ),
    "reviews/rounds/<int:pk>/export/": r(
        "closed.szq", "open.szq", "open.xc", args={"pk": "round.{t}"}, get=reads_campaign
    ),
    "reviews/rounds/<int:pk>/close/": r(
        "open.szq", "open.xc", args={"pk": "round.{t}"}, post=rule(see_campaign, soft(owns))
    ),
    "reviews/decisions/<int:pk>/": r(
        "shared.szq",
        "shared.xc",
        args={"pk": "review.open.{c}"},
        post=rule(seen(sees_item), soft(may_decide)),
        data=pay.decide,
    ),
    "reviews/items/<int:item_pk>/scores/<str:side>/": r(
        *ASSESS,
        args={"item_pk": "item.{rest}", "side": "={side}"},
        post=rule(seen(lambda p, t: sees_item(p, t.split("-", 1)[1])), soft(may_assess)),
        data=pay.assess_form,
        arrange=pay.filing_in_force,
    ),
    # -- dashboards ------------------------------------------------------------------------------
    "dashboards/": r(get=ANYONE),
    "dashboards/campaigns/<int:pk>/": r(*CAMPAIGNS, args=CAMPAIGN, get=reads_campaign),
    "dashboards/campaigns/<int:pk>/units/<int:unit_pk>/": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"pk": "campaign.{c}", "unit_pk": "unit.{t}"},
        get=rule(seen(sees_board_unit)),
    ),
    # The whole campaign's board is not there for a liaison, who has their unit's only.
    "dashboards/campaigns/<int:pk>/export/<slug:panel>/": r(
        *CAMPAIGNS,
        args={**CAMPAIGN, "panel": "=all"},
        get=rule(seen(lambda p, t: sees_campaign(p, t) and "liaison" not in p.roles)),
    ),
    "dashboards/campaigns/<int:pk>/units/<int:unit_pk>/export/<slug:panel>/": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"pk": "campaign.{c}", "unit_pk": "unit.{t}", "panel": "=all"},
        get=rule(seen(sees_board_unit)),
    ),
    # -- plans -----------------------------------------------------------------------------------
    "plans/": r(get=ANYONE),
    "plans/import/": r(*CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.plan_upload),
    "plans/import/<int:draft>/": r(
        *CAMPAIGNS, args={"draft": "plan_import.{t}"}, get=rule(OWNER, seen(owns))
    ),
    "plans/import/<int:draft>/confirm/": r(
        *CAMPAIGNS, args={"draft": "plan_import.{t}"}, post=rule(OWNER, seen(owns))
    ),
    "plans/import/<int:draft>/cancel/": r(
        *CAMPAIGNS, args={"draft": "plan_import.{t}"}, post=rule(OWNER, seen(owns))
    ),
    "plans/<int:pk>/": r(*CAMPAIGNS, args={"pk": "plan.{t}"}, get=rule(seen(sees_plan))),
    "plans/<int:pk>/summary.docx": r(
        *CAMPAIGNS, args={"pk": "plan.{t}"}, get=rule(seen(sees_plan))
    ),
    "plans/<int:pk>/export.xlsx": r(*CAMPAIGNS, args={"pk": "plan.{t}"}, get=rule(seen(sees_plan))),
    "plans/<int:pk>/advance/": r(
        "review.szq",
        "review.xc",
        args={"pk": "plan_review.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.plan_adopt,
    ),
    "plans/<int:pk>/legal-review/": r(
        "review.szq",
        "review.xc",
        args={"pk": "plan_review.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.legal_review,
    ),
    "plans/<int:pk>/comments.xlsx": r(
        *CAMPAIGNS, args={"pk": "plan.{t}"}, get=rule(seen(sees_plan))
    ),
    "plans/measures/<int:pk>/": r(
        *CAMPAIGNS, args={"pk": "measure.{t}"}, get=rule(seen(sees_plan))
    ),
    "plans/measures/<int:pk>/edit/": r(
        *CAMPAIGNS,
        args={"pk": "measure.{t}"},
        get=rule(seen(sees_plan), allowed(owns)),
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.measure_edit,
    ),
    "plans/measures/<int:pk>/comment/": r(
        *CAMPAIGNS,
        args={"pk": "measure.{t}"},
        post=rule(seen(sees_plan), soft(may_comment_plan)),
        data=pay.plan_comment,
    ),
    "plans/comments/<int:pk>/answer/": r(
        *CAMPAIGNS,
        args={"pk": "plan_comment.{t}"},
        post=rule(seen(sees_plan_comment), allowed(owns)),
        data=pay.comment_answer,
    ),
    "plans/<int:pk>/cycle/": r(
        "review.szq",
        "review.xc",
        args={"pk": "plan_review.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.plan_cycle,
    ),
    "plans/measures/<int:pk>/report/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "measure_issued.{c}"},
        post=rule(seen(sees_plan), allowed(may_comment_plan)),
        data=pay.progress_report,
    ),
    "plans/measures/<int:pk>/status/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "measure_issued.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.measure_status,
    ),
    "plans/measures/<int:pk>/milestones/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "measure_issued.{c}"},
        get=rule(seen(sees_plan), allowed(may_set_milestones)),
        post=rule(seen(sees_plan), allowed(may_set_milestones)),
        data=pay.measure_milestones,
    ),
    "plans/measures/<int:pk>/items/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "measure_issued.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
        data=pay.measure_link,
    ),
    "plans/measures/<int:pk>/items/<int:item>/remove/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "measure_issued.{c}", "item": "item.sfj.{c}"},
        post=rule(seen(sees_plan), allowed(owns)),
    ),
    # A progress file made a material of the indicator its measure serves (司法局's 2.1.3).
    "plans/files/<int:pk>/offer/": r(
        "issued.szq",
        "issued.xc",
        args={"pk": "progress_file.{c}"},
        post=rule(
            seen(sees_plan),
            seen(lambda p, t: sees_item(p, f"sfj.{county(t)}")),
            soft(lambda p, t: may_upload(p, f"sfj.{county(t)}")),
        ),
        data=pay.offer_file,
    ),
    "plans/files/<int:pk>/": r(
        "issued.szq", "issued.xc", args={"pk": "progress_file.{c}"}, get=rule(seen(sees_plan))
    ),
    "plans/notifications/": r(get=ANYONE),
    "plans/notifications/read-all/": r(post=ANYONE),
    "plans/notifications/<int:pk>/": r(
        "own", "other", args={"pk": "notification.{who}"}, get=rule(seen(own_only))
    ),
    # -- monitoring ------------------------------------------------------------------------------
    "monitoring/": r(get=ANYONE),
    "monitoring/export.xlsx": r(get=RANK),
    "monitoring/figures/": r(get=ANYONE),
    "monitoring/figures/export.xlsx": r(get=ANYONE),
    "monitoring/figures/new/": r(get=REPORT, post=REPORT, data=pay.figure_report),
    "monitoring/figures/<int:pk>/": r(*FIGURES, args={"pk": "figure.{t}"}, get=SEE_FIGURE),
    "monitoring/figures/<int:pk>/confirm/": r(
        *FIGURES, args={"pk": "figure.{t}"}, post=rule(OWNER, SEE_FIGURE, allowed(owns))
    ),
    "monitoring/figures/<int:pk>/correct/": r(
        *FIGURES,
        args={"pk": "figure.{t}"},
        post=rule(REPORT, SEE_FIGURE, allowed(reports_figure)),
        data=pay.figure_correct,
    ),
    "monitoring/files/<int:pk>/": r(*FIGURES, args={"pk": "figure_file.{t}"}, get=SEE_FIGURE),
    "monitoring/import/": r(get=OWNER, post=OWNER, data=pay.figures_table),
    "monitoring/import/<int:pk>/": r(
        "szq", args={"pk": "figure_import.szq"}, get=rule(OWNER, seen(owns))
    ),
    "monitoring/import/<int:pk>/confirm/": r(
        "szq", args={"pk": "figure_import.szq"}, post=rule(OWNER, seen(owns))
    ),
    "monitoring/metrics/": r(get=ANYONE),
    "monitoring/metrics/<slug:code>/edit/": r(
        args={"code": "=court_appearance"}, get=OWNER, post=OWNER, data=pay.metric_edit
    ),
    "monitoring/campaigns/<int:pk>/auto-score/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=campaign_owner, post=campaign_owner, data=pay.metric_binding
    ),
    "monitoring/campaigns/<int:pk>/auto-score/apply/": r(
        *CAMPAIGNS, args=CAMPAIGN, post=campaign_owner
    ),
    "monitoring/annual/": r(get=ANYONE),
    "monitoring/annual/save/": r(post=REPORT, data=pay.annual_report),
    "monitoring/annual/draft.docx": r(get=RANK),
    "monitoring/annual/template/": r(post=OWNER, data=pay.annual_template),
    "monitoring/annual/template.docx": r(get=RANK),
    # -- inspections ----------------------------------------------------------------------------
    "inspections/": r(get=ANYONE),
    "inspections/new/": r(
        get=INSPECT, post=rule(INSPECT, soft(inspects)), data=pay.inspection_create
    ),
    # A category is added to the lead office's own region; inspectors only read the list.
    "inspections/categories/": r(get=INSPECT, post=OWNER, data=pay.finding_category),
    "inspections/<int:pk>/": r("city", args=INSPECTION, get=rule(seen(sees_inspection))),
    "inspections/<int:pk>/report.docx": r("city", args=INSPECTION, get=rule(seen(sees_inspection))),
    "inspections/<int:pk>/documents/": r(
        "city", args=INSPECTION, post=INSPECT_ONLY, data=pay.inspection_document
    ),
    "inspections/<int:pk>/findings/new/": r(
        "city", args=INSPECTION, get=INSPECT_ONLY, post=INSPECT_ONLY, data=pay.finding_create
    ),
    "inspections/<int:pk>/recheck/": r(
        "city", args=INSPECTION, post=INSPECT_ONLY, data=pay.recheck_draw
    ),
    "inspections/<int:pk>/import/": r(
        "city", args=INSPECTION, get=INSPECT_ONLY, post=INSPECT_ONLY, data=pay.findings_table
    ),
    "inspections/<int:pk>/import/<int:draft>/": r(
        "city", args={**INSPECTION, "draft": "finding_import.city"}, get=INSPECT_ONLY
    ),
    "inspections/<int:pk>/import/<int:draft>/confirm/": r(
        "city", args={**INSPECTION, "draft": "finding_import.city"}, post=INSPECT_ONLY
    ),
    "inspections/documents/<int:pk>/": r(
        "city", args={"pk": "inspection_document.city"}, get=rule(seen(sees_inspection))
    ),
    # 市场监管局's item was returned; the inspecting side (the city's inspection) raises it.
    "inspections/findings/from-item/<int:item>/": r(
        "scjg.szq",
        "scjg.xc",
        args={"item": "item.{t}"},
        get=rule(INSPECT, seen(sees_item)),
        post=rule(INSPECT, seen(sees_item), soft(inspects)),
        data=pay.finding_create,
    ),
    "inspections/findings/": r(get=ANYONE),
    "inspections/findings/export.xlsx": r(get=ANYONE),
    "inspections/findings/<int:pk>/": r(*FINDINGS, args=FINDING, get=SEE_FINDING),
    "inspections/findings/<int:pk>/edit/": r(
        *FINDINGS,
        args=FINDING,
        get=rule(SEE_FINDING, allowed(inspects)),
        post=rule(SEE_FINDING, allowed(inspects)),
        data=pay.finding_edit,
    ),
    "inspections/findings/<int:pk>/plan/": r(
        "scjg.szq", args=FINDING, post=rule(SEE_FINDING, soft(rectifies)), data=pay.finding_plan
    ),
    "inspections/findings/<int:pk>/progress/": r(
        "scjg.szq", args=FINDING, post=rule(SEE_FINDING, soft(rectifies)), data=pay.finding_report
    ),
    "inspections/findings/<int:pk>/request-close/": r(
        "scjg.szq", args=FINDING, post=rule(SEE_FINDING, soft(rectifies)), data=pay.finding_report
    ),
    # 市中区司法局's finding waits for 销号: its own liaison sees it and is refused the verdict.
    "inspections/findings/<int:pk>/verify/": r(
        "sfj.szq", args=FINDING, post=rule(SEE_FINDING, soft(verifies)), data=pay.finding_verify
    ),
    "inspections/findings/<int:pk>/reopen/": r(
        "sfj.xc", args=FINDING, post=rule(SEE_FINDING, soft(verifies)), data=pay.finding_reopen
    ),
    "inspections/findings/<int:pk>/escalate/": r(
        "scjg.szq",
        args=FINDING,
        post=rule(SEE_FINDING, soft(verifies)),
        data=pay.finding_escalate,
    ),
    "inspections/findings/<int:pk>/unit/": r(
        "scjg.szq", args=FINDING, post=rule(SEE_FINDING, soft(inspects)), data=pay.finding_unit
    ),
    "inspections/milestones/<int:pk>/done/": r(
        "scjg.szq", args={"pk": "milestone.{t}"}, post=rule(SEE_FINDING, soft(rectifies))
    ),
    "inspections/files/<int:pk>/": r("scjg.szq", args={"pk": "finding_file.{t}"}, get=SEE_FINDING),
    "inspections/rechecks/<int:pk>/": r(
        "sfj.xc",
        args={"pk": "recheck.{t}"},
        post=rule(SEE_FINDING, soft(verifies)),
        data=pay.recheck_decide,
    ),
    # -- exams ---------------------------------------------------------------------------------
    "exams/": r(get=ANYONE),
    "exams/new/": r(*CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.exam_create),
    # The upload is the preview: a draft in the uploader's region, no question yet.
    "exams/banks/import/": r(get=OWNER, post=OWNER, data=pay.exam_bank_upload),
    "exams/banks/import/<int:draft>/": r(
        *CAMPAIGNS, args={"draft": "bank_import.{c}"}, get=rule(OWNER, seen(owns))
    ),
    "exams/banks/import/<int:draft>/confirm/": r(
        *CAMPAIGNS, args={"draft": "bank_import.{c}"}, post=rule(OWNER, seen(owns))
    ),
    "exams/banks/<int:pk>/": r(*CAMPAIGNS, args=EXAM_BANK, get=rule(seen(sees_bank))),
    "exams/banks/<int:pk>/export.xlsx": r(*CAMPAIGNS, args=EXAM_BANK, get=rule(seen(sees_bank))),
    "exams/banks/<int:pk>/export.json": r(*CAMPAIGNS, args=EXAM_BANK, get=rule(seen(sees_bank))),
    "exams/<int:pk>/": r(*CAMPAIGNS, args=EXAM, get=SEE_EXAM),
    "exams/<int:pk>/roster/": r(*CAMPAIGNS, args=EXAM, post=EXAM_OWNER, data=pay.exam_roster),
    "exams/<int:pk>/draw/": r(*CAMPAIGNS, args=EXAM, post=EXAM_OWNER, data=pay.exam_draw),
    "exams/<int:pk>/codes.xlsx": r(*CAMPAIGNS, args=EXAM, get=SEE_EXAM),
    "exams/<int:pk>/results.xlsx": r(*CAMPAIGNS, args=EXAM, get=SEE_EXAM),
    "exams/<int:pk>/items.xlsx": r(*CAMPAIGNS, args=EXAM, get=SEE_EXAM),
    # No sitting is graded yet (the essay waits): whoever may feed is told so, nothing moves.
    # Likewise the results as a material: whoever sees the test may ask, nothing is filed.
    "exams/<int:pk>/evidence/": r(
        *CAMPAIGNS, args=EXAM, get=SEE_EXAM, post=SEE_EXAM, data=pay.exam_evidence, writes=False
    ),
    "exams/<int:pk>/feed/": r(
        *CAMPAIGNS,
        args=EXAM,
        get=SEE_EXAM,
        post=rule(SEE_EXAM, soft(feeds_city_evaluation)),
        data=pay.field_feed,
        writes=False,
    ),
    "exams/<int:pk>/grading/": r(
        *CAMPAIGNS, args=EXAM, get=EXAM_OWNER, post=EXAM_OWNER, data=pay.exam_grade
    ),
    # The examinee's side: no account, the code is the credential. 市中区's code is answering
    # now (its answers are saved); 薛城区's has submitted (refused with a message).
    "exams/t/": r(get=ANYONE, post=ANYONE, data=pay.exam_enter, public=True, writes=False),
    "exams/t/<str:code>/": r(
        *CAMPAIGNS, args={"code": "exam_code.{t}"}, get=ANYONE, post=ANYONE, public=True
    ),
    "exams/t/<str:code>/answer/": r(
        *CAMPAIGNS,
        args=SITTING,
        post=rule(soft(lambda p, t: t == "szq")),
        data=pay.exam_answer,
        public=True,
    ),
    "exams/t/<str:code>/switch/": r(
        *CAMPAIGNS, args=SITTING, post=rule(soft(lambda p, t: t == "szq")), public=True
    ),
    "exams/t/<str:code>/submit/": r(
        *CAMPAIGNS, args=SITTING, post=rule(soft(lambda p, t: t == "szq")), public=True
    ),
    # -- casereviews ----------------------------------------------------------------------------
    "casereviews/": r(get=ANYONE),
    "casereviews/new/": r(
        get=OWNER, post=rule(OWNER, soft(manages_casereview)), data=pay.casereview_create
    ),
    "casereviews/standards/": r(get=ANYONE),
    "casereviews/standards/import/": r(
        get=OWNER,
        post=rule(OWNER, soft(manages_casereview)),
        data=pay.casereview_standard_upload,
    ),
    # A standard's import draft is its creator's alone (the city's lead office).
    "casereviews/standards/import/<int:draft>/": r(
        "city", args={"draft": "casereview_standard_import.city"}, get=rule(OWNER, seen(creator))
    ),
    "casereviews/standards/import/<int:draft>/confirm/": r(
        "city", args={"draft": "casereview_standard_import.city"}, post=rule(OWNER, seen(creator))
    ),
    "casereviews/standards/<int:pk>/": r(
        "city", args={"pk": "casereview_standard.city"}, get=rule(seen(sees_case_standard))
    ),
    # The city's standard is read below the city and changed only by the lead offices above.
    "casereviews/standards/<int:pk>/thresholds/": r(
        "city",
        args={"pk": "casereview_standard.city"},
        post=rule(OWNER, seen(sees_case_standard), allowed(manages_casereview)),
        data=pay.casereview_thresholds,
    ),
    "casereviews/standards/<int:pk>/export.xlsx": r(
        "city", args={"pk": "casereview_standard.city"}, get=rule(seen(sees_case_standard))
    ),
    "casereviews/<int:pk>/": r("city", args=CASEREVIEW, get=SEE_CASEREVIEW),
    "casereviews/<int:pk>/import/": r(
        "city",
        args=CASEREVIEW,
        get=MANAGE_CASEREVIEW,
        post=MANAGE_CASEREVIEW,
        data=pay.casereview_cases,
    ),
    "casereviews/<int:pk>/import/<int:draft>/": r(
        "city", args={**CASEREVIEW, "draft": "casereview_import.city"}, get=MANAGE_CASEREVIEW
    ),
    "casereviews/<int:pk>/import/<int:draft>/confirm/": r(
        "city", args={**CASEREVIEW, "draft": "casereview_import.city"}, post=MANAGE_CASEREVIEW
    ),
    "casereviews/<int:pk>/sample/": r(
        "city", args=CASEREVIEW, post=MANAGE_CASEREVIEW, data=pay.casereview_sample
    ),
    "casereviews/<int:pk>/sample.xlsx": r("city", args=CASEREVIEW, get=SEE_CASEREVIEW),
    # Every drawn file already has its reviewer: the lead office may press it and nothing moves.
    "casereviews/<int:pk>/assign/": r(
        "city", args=CASEREVIEW, post=MANAGE_CASEREVIEW, writes=False
    ),
    "casereviews/<int:pk>/report/": r("city", args=CASEREVIEW, get=SEE_CASEREVIEW),
    "casereviews/<int:pk>/report.xlsx": r("city", args=CASEREVIEW, get=SEE_CASEREVIEW),
    # The scored file is 市中区司法局's: its mean goes into 市中区's part of the city's evaluation.
    "casereviews/<int:pk>/feed/": r(
        "scored",
        args=CASEREVIEW,
        get=SEE_CASEREVIEW,
        post=rule(SEE_CASEREVIEW, soft(lambda p, t: scores_evaluation(p, "city"))),
        data=pay.field_feed,
    ),
    "casereviews/<int:pk>/report.docx": r("city", args=CASEREVIEW, get=SEE_CASEREVIEW),
    "casereviews/<int:pk>/rectify/": r("scored", args=CASEREVIEW, post=MANAGE_CASEREVIEW),
    # The 通报 goes to 市中区's 行政执法公示 item (市场监管局's) as its evidence.
    "casereviews/<int:pk>/evidence/": r(
        "scored", args=CASEREVIEW, post=MANAGE_CASEREVIEW, data=pay.casereview_evidence
    ),
    "casereviews/<int:pk>/notices/<int:unit>.docx": r(
        "scored", args={**CASEREVIEW, "unit": "unit.sfj.szq"}, get=MANAGE_CASEREVIEW
    ),
    "casereviews/cases/<int:pk>/": r(
        *CASE_FILES,
        args=CASE_FILE,
        get=SEE_CASE_FILE,
        post=rule(SEE_CASE_FILE, allowed(scores_case)),
        data=pay.casereview_sheet,
    ),
    "casereviews/cases/<int:pk>/assign/": r(
        "scjg.szq",
        args=CASE_FILE,
        post=rule(OWNER, SEE_CASE_FILE, allowed(manages_casereview)),
        data=pay.casereview_assign,
    ),
    "casereviews/cases/<int:pk>/scans/": r(
        "sfj.szq",
        args=CASE_FILE,
        post=rule(SEE_CASE_FILE, soft(works_on_case)),
        data=pay.casereview_scan,
    ),
    "casereviews/scans/<int:pk>/": r(
        "sfj.szq", args={"pk": "casereview_scan.{t}"}, get=SEE_CASE_FILE
    ),
    "casereviews/scans/<int:pk>/notes/": r(
        "sfj.szq",
        args={"pk": "casereview_scan.{t}"},
        post=rule(SEE_CASE_FILE, soft(notes_case)),
        data=pay.casereview_note,
    ),
    # -- fieldwork -------------------------------------------------------------------------------
    "fieldwork/": r(get=ANYONE),
    "fieldwork/new/": r(
        *EVALUATIONS, get=OWNER, post=rule(OWNER, soft(owns_evaluation)), data=pay.evaluation_create
    ),
    "fieldwork/<int:pk>/": r(
        *EVALUATIONS, args={"pk": "evaluation.{t}"}, get=rule(seen(sees_evaluation))
    ),
    "fieldwork/<int:pk>/edit/": r(
        *EVALUATIONS,
        args={"pk": "evaluation.{t}"},
        get=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        post=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        data=pay.evaluation_edit,
    ),
    "fieldwork/<int:pk>/applicants/": r(
        *EVALUATIONS,
        args={"pk": "evaluation.{t}"},
        get=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        post=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        data=pay.applicants,
    ),
    "fieldwork/<int:pk>/evaluators/": r(
        *EVALUATIONS,
        args={"pk": "evaluation.{t}"},
        get=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        post=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        data=pay.evaluator,
    ),
    "fieldwork/<int:pk>/import/": r(
        *EVALUATIONS,
        args={"pk": "evaluation.{t}"},
        get=rule(seen(sees_evaluation), allowed(scores_evaluation)),
        post=rule(seen(sees_evaluation), allowed(scores_evaluation)),
        data=pay.scores_import,
    ),
    "fieldwork/<int:pk>/import/template/": r(
        *EVALUATIONS, args={"pk": "evaluation.{t}"}, get=rule(seen(sees_evaluation))
    ),
    "fieldwork/<int:pk>/export/": r(
        *EVALUATIONS, args={"pk": "evaluation.{t}"}, get=rule(seen(sees_evaluation))
    ),
    "fieldwork/applicants/<int:pk>/scores/": r(
        *EVALUATIONS,
        args={"pk": "applicant.{t}"},
        post=rule(seen(sees_evaluation), soft(scores_evaluation)),
        data=pay.scores,
    ),
    "fieldwork/<int:pk>/field-parts/": r(
        *EVALUATIONS,
        args={"pk": "evaluation.{t}"},
        get=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        post=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
        data=pay.field_parts,
    ),
    "fieldwork/applicants/<int:pk>/field/": r(
        *EVALUATIONS,
        args={"pk": "applicant.{t}"},
        get=rule(seen(sees_evaluation)),
        post=rule(seen(sees_evaluation), soft(scores_evaluation)),
        data=pay.field_part_score,
    ),
    "fieldwork/applicants/<int:pk>/remove/": r(
        *EVALUATIONS,
        args={"pk": "applicant.{t}"},
        post=rule(OWNER, seen(sees_evaluation), allowed(owns_evaluation)),
    ),
    # -- filing ----------------------------------------------------------------------------------
    "filing/": r(get=role(*READERS)),
    "filing/campaigns/<int:pk>/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=rule(role(*READERS), see_campaign)
    ),
    "filing/campaigns/<int:pk>/build/": r(
        *CAMPAIGNS, args=CAMPAIGN, post=rule(OWNER, see_campaign, soft(owns)), data=pay.build
    ),
    "filing/builds/<int:pk>/": r(
        *CAMPAIGNS, args={"pk": "build.{c}"}, get=rule(role(*READERS), seen(sees_build))
    ),
    "filing/files/<int:pk>/download/": r(
        *CAMPAIGNS, args={"pk": "filing_file.{c}"}, get=rule(role(*READERS), seen(sees_build))
    ),
    "filing/campaigns/<int:pk>/report.docx": r(
        *CAMPAIGNS, args=CAMPAIGN, get=rule(see_campaign, role(*READERS))
    ),
    "filing/campaigns/<int:pk>/choices/": r(
        *CAMPAIGNS, args=CAMPAIGN, get=rule(role(*READERS), see_campaign)
    ),
    "filing/items/<int:pk>/choices/": r(
        *ITEMS, args={"pk": "item.{t}"}, get=rule(role(*READERS), seen(sees_item))
    ),
    "filing/items/<int:pk>/choices/decide/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), soft(owns)),
        data=pay.choice_decide,
    ),
    "filing/items/<int:pk>/choices/order/": r(
        "sfj.szq",
        "sfj.xc",
        args={"pk": "item.{t}"},
        post=rule(OWNER, seen(sees_item), soft(owns)),
        data=pay.choice_order,
    ),
    "filing/campaigns/<int:pk>/submit/": r(
        *CAMPAIGNS,
        args=CAMPAIGN,
        post=rule(OWNER, see_campaign, soft(owns)),
        data=pay.filing_submit,
    ),
    # The world's submission was reopened already: everyone is told there is none to reopen.
    "filing/campaigns/<int:pk>/reopen/": r(
        *CAMPAIGNS,
        args=CAMPAIGN,
        post=rule(OWNER, see_campaign, soft(owns)),
        data=pay.filing_reopen,
        writes=False,
    ),
    "filing/submissions/<int:pk>/": r(
        *CAMPAIGNS, args={"pk": "submission.{c}"}, get=rule(role(*READERS), seen(sees_build))
    ),
    "filing/report-template/": r(get=OWNER, post=OWNER, data=pay.report_template),
    "filing/report-template/download/": r(get=OWNER),
    "filing/report-template/default/": r(get=OWNER),
    # Only 市中区 has a template of its own to reset; the others are told so.
    "filing/report-template/reset/": r(post=OWNER, writes=False),
    # -- surveys ---------------------------------------------------------------------------------
    "surveys/": r(get=ANYONE),
    "surveys/new/": r(
        *CAMPAIGNS, get=OWNER, post=rule(OWNER, soft(owns)), data=pay.survey_wave_create
    ),
    "surveys/<int:pk>/": r(*CAMPAIGNS, args=WAVE, get=reads_wave),
    "surveys/<int:pk>/export/": r(*CAMPAIGNS, args=WAVE, get=reads_wave),
    "surveys/<int:pk>/summary.docx": r(*CAMPAIGNS, args=WAVE, get=reads_wave),
    "surveys/<int:pk>/strata/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=rule(see_wave, allowed(owns)),
        post=rule(see_wave, allowed(owns)),
        data=pay.survey_strata,
    ),
    "surveys/<int:pk>/codes/": r(*CAMPAIGNS, args=WAVE, get=reads_wave),
    # The result becomes the survey score of 市中区's applicant in the city's evaluation, by
    # whoever enters that evaluation's scores; 薛城区's wave has no applicant to feed.
    "surveys/<int:pk>/feed/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=reads_wave,
        post=rule(see_wave, soft(feeds_city_evaluation)),
        data=pay.survey_feed,
    ),
    # Invitation links are as good as answers: the wave's owners alone issue, print, export.
    "surveys/<int:pk>/invitations/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=rule(see_wave, allowed(owns)),
        post=rule(see_wave, allowed(owns)),
        data=pay.survey_invitations,
    ),
    "surveys/<int:pk>/invitations/print/": r(
        *CAMPAIGNS, args=WAVE, get=rule(see_wave, allowed(owns))
    ),
    "surveys/<int:pk>/invitations.xlsx": r(
        *CAMPAIGNS, args=WAVE, get=rule(see_wave, allowed(owns))
    ),
    # The result report filed as a material of the county's item, by the campaign's owners.
    "surveys/<int:pk>/evidence/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=reads_wave,
        post=rule(see_wave, soft(owns)),
        data=pay.survey_evidence,
    ),
    "surveys/<int:pk>/calls/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=reads_wave,
        post=rule(see_wave, allowed(owns)),
        data=pay.survey_call,
    ),
    # The upload is the preview: it checks the table and keeps it as a draft file, no rows.
    "surveys/<int:pk>/import/": r(
        *CAMPAIGNS,
        args=WAVE,
        get=rule(see_wave, allowed(owns)),
        post=rule(see_wave, allowed(owns)),
        data=pay.survey_table,
        writes=False,
    ),
    # The public questionnaire: anyone, signed in or not, answers with the page's token; a
    # printed invitation admits one response.
    "surveys/s/<str:key>/": r(
        *CAMPAIGNS,
        args={"key": "stratum_key.{t}"},
        get=ANYONE,
        post=ANYONE,
        data=pay.survey_open_answer,
        public=True,
    ),
    "surveys/a/<str:token>/": r(
        *CAMPAIGNS,
        args={"token": "invitation.{t}"},
        get=ANYONE,
        post=ANYONE,
        data=pay.survey_answer,
        public=True,
    ),
    # -- the API's own pages ---------------------------------------------------------------------
    "api/openapi.json": r(get=ANYONE, session=True),
    "api/docs": r(get=ANYONE, session=True),
    # The API's root names no operation: django-ninja answers 404 to everyone.
    "api/": r(get=lambda p, t: HIDDEN, session=True, public=True),
}

api_campaign = {"campaign_id": "campaign.{c}"}
api_readers = rule(role(*READERS), see_campaign)

OPERATIONS: dict[str, Route] = {
    "GET /api/plans/": r(get=ANYONE),
    "GET /api/plans/{plan_id}": r(
        *CAMPAIGNS, args={"plan_id": "plan.{t}"}, get=rule(seen(sees_plan))
    ),
    "GET /api/plans/{plan_id}/progress": r(
        *CAMPAIGNS, args={"plan_id": "plan.{t}"}, get=rule(seen(sees_plan))
    ),
    "POST /api/plans/measures/{measure_id}/progress": r(
        "issued.szq",
        "issued.xc",
        args={"measure_id": "measure_issued.{c}"},
        post=rule(seen(sees_plan), allowed(may_comment_plan)),
        data=pay.api_progress,
        body="json",
    ),
    "GET /api/surveys/": r(get=ANYONE),
    "GET /api/surveys/{wave_id}/report": r(
        *CAMPAIGNS, args={"wave_id": "wave.{c}"}, get=reads_wave
    ),
    "GET /api/exams/": r(get=ANYONE),
    "GET /api/exams/banks": r(get=ANYONE),
    "GET /api/exams/banks/{bank_id}/questions": r(
        *CAMPAIGNS, args={"bank_id": "exam_bank.{c}"}, get=rule(seen(sees_bank))
    ),
    "GET /api/exams/{exam_id}/results": r(*CAMPAIGNS, args={"exam_id": "exam.{c}"}, get=SEE_EXAM),
    "GET /api/frameworks/": r(get=ANYONE),
    "POST /api/frameworks/import": r(
        *CAMPAIGNS, post=rule(allowed(owns)), data=pay.api_framework_import
    ),
    "GET /api/frameworks/{ref}": r(
        *FRAMEWORKS, args={"ref": "framework.{t}"}, get=rule(seen(sees_framework))
    ),
    "GET /api/frameworks/diff/{old_id}/{new_id}": r(
        *CAMPAIGNS,
        args={"old_id": "framework.national", "new_id": "framework.{t}"},
        get=rule(seen(sees_framework)),
    ),
    "GET /api/orgs/me": r(get=ANYONE),
    "GET /api/orgs/regions": r(get=ANYONE),
    "GET /api/orgs/units": r(get=ANYONE),
    "GET /api/campaigns/": r(get=ANYONE),
    "POST /api/campaigns/": r(
        *CAMPAIGNS, post=rule(allowed(owns)), data=pay.api_campaign, body="json"
    ),
    "GET /api/campaigns/my-tasks": r(get=ANYONE),
    "GET /api/campaigns/{campaign_id}": r(*CAMPAIGNS, args=api_campaign, get=reads_campaign),
    # The whole campaign's scores and progress: for those who read the score sheet.
    "GET /api/campaigns/{campaign_id}/report": r(
        *CAMPAIGNS, args=api_campaign, get=rule(see_campaign, role(*READERS))
    ),
    "GET /api/campaigns/{campaign_id}/items": r(*CAMPAIGNS, args=api_campaign, get=reads_campaign),
    "POST /api/campaigns/items/{item_id}/submit": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"item_id": "item.{t}"},
        post=rule(seen(sees_item), allowed(may_submit)),
    ),
    "GET /api/campaigns/{campaign_id}/explanations": r(
        *CAMPAIGNS, args=api_campaign, get=reads_campaign
    ),
    "GET /api/campaigns/items/{item_id}/explanation": r(
        *ITEMS, args={"item_id": "item.{t}"}, get=rule(seen(sees_item))
    ),
    "PUT /api/campaigns/items/{item_id}/explanation": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"item_id": "item.{t}"},
        post=rule(seen(sees_item), allowed(may_submit)),
        data=pay.api_explanation,
        body="json",
    ),
    # Each file's refusal is in the answer (400, nothing stored), not a 403.
    "POST /api/evidence/items/{item_id}/files": r(
        "sfj.szq",
        "scjg.szq",
        "sfj.xc",
        args={"item_id": "item.{t}"},
        post=rule(seen(sees_item), soft(may_upload)),
        data=pay.upload,
    ),
    "GET /api/evidence/items/{item_id}": r(
        *ITEMS, args={"item_id": "item.{t}"}, get=rule(seen(sees_item))
    ),
    "GET /api/evidence/search": r(*CAMPAIGNS, get=reads_campaign, query=pay.api_search_query),
    "GET /api/evidence/{evidence_id}": r(
        *EVIDENCE, args={"evidence_id": "evidence.{t}"}, get=rule(seen(sees_evidence))
    ),
    "GET /api/monitoring/metrics": r(get=ANYONE),
    "GET /api/monitoring/figures": r(get=ANYONE),
    "POST /api/monitoring/figures": r(post=REPORT, data=pay.api_figure_report, body="json"),
    "GET /api/monitoring/report": r(
        *CAMPAIGNS, get=rule(seen(sees_region_figures)), query=pay.report_query
    ),
    "GET /api/inspections/": r(get=ANYONE),
    "GET /api/inspections/{inspection_id}/findings": r(
        "city", args={"inspection_id": "inspection.city"}, get=rule(seen(sees_inspection))
    ),
    "GET /api/inspections/{inspection_id}/report": r(
        "city", args={"inspection_id": "inspection.city"}, get=rule(seen(sees_inspection))
    ),
    "POST /api/inspections/findings/{finding_id}/request-close": r(
        "scjg.szq",
        args={"finding_id": "finding.{t}"},
        post=rule(SEE_FINDING, allowed(rectifies)),
        data=pay.finding_report,
        body="json",
    ),
    # The unit's own liaison sees the finding waiting for 销号 and is refused the verdict.
    "POST /api/inspections/findings/{finding_id}/verify": r(
        "sfj.szq",
        args={"finding_id": "finding.{t}"},
        post=rule(SEE_FINDING, allowed(verifies)),
        data=pay.api_finding_verify,
        body="json",
    ),
    "GET /api/casereviews/": r(get=ANYONE),
    "GET /api/casereviews/standards/{standard_id}": r(
        "city", args={"standard_id": "casereview_standard.city"}, get=rule(seen(sees_case_standard))
    ),
    "GET /api/casereviews/{casereview_id}/cases": r(
        "city", args={"casereview_id": "casereview.{t}"}, get=SEE_CASEREVIEW
    ),
    "GET /api/casereviews/{casereview_id}/report": r(
        "city", args={"casereview_id": "casereview.{t}"}, get=SEE_CASEREVIEW
    ),
    "POST /api/casereviews/{casereview_id}/sample": r(
        "city",
        args={"casereview_id": "casereview.{t}"},
        post=rule(SEE_CASEREVIEW, allowed(manages_casereview)),
        data=pay.api_casereview_sample,
        body="json",
    ),
    "POST /api/casereviews/cases/{case_id}/score": r(
        *CASE_FILES,
        args={"case_id": "casereview_case.{t}"},
        post=rule(SEE_CASE_FILE, allowed(scores_case)),
        data=pay.api_casereview_sheet,
        body="json",
    ),
    "GET /api/fieldwork/evaluations": r(get=ANYONE),
    "GET /api/fieldwork/evaluations/{evaluation_id}/ranking": r(
        *EVALUATIONS, args={"evaluation_id": "evaluation.{t}"}, get=rule(seen(sees_evaluation))
    ),
    "GET /api/filing/campaigns/{campaign_id}/builds": r(
        *CAMPAIGNS, args=api_campaign, get=api_readers
    ),
    "POST /api/filing/campaigns/{campaign_id}/builds": r(
        *CAMPAIGNS,
        args=api_campaign,
        post=rule(role(*READERS), see_campaign, allowed(owns)),
        data=pay.api_build,
        body="json",
    ),
    "GET /api/filing/campaigns/{campaign_id}/choices": r(
        *CAMPAIGNS, args=api_campaign, get=api_readers
    ),
    "GET /api/filing/items/{item_id}/choices": r(
        *ITEMS, args={"item_id": "item.{t}"}, get=rule(role(*READERS), seen(sees_item))
    ),
    "PATCH /api/filing/materials/{evidence_id}/choice": r(
        *OPEN_EVIDENCE,
        args={"evidence_id": "evidence.{t}"},
        post=rule(OWNER, seen(sees_evidence), allowed(owns)),
        data=pay.api_choice,
        body="json",
    ),
    "GET /api/filing/campaigns/{campaign_id}/submissions": r(
        *CAMPAIGNS, args=api_campaign, get=api_readers
    ),
    "POST /api/filing/campaigns/{campaign_id}/submissions": r(
        *CAMPAIGNS,
        args=api_campaign,
        post=rule(OWNER, see_campaign, allowed(owns)),
        data=pay.api_filing_submit,
        body="json",
    ),
    "POST /api/filing/campaigns/{campaign_id}/submissions/reopen": r(
        *CAMPAIGNS,
        args=api_campaign,
        post=rule(OWNER, see_campaign, allowed(owns)),
        data=pay.api_filing_reopen,
        arrange=pay.submission_in_force,
        body="json",
    ),
    "GET /api/filing/files/{file_id}": r(
        *CAMPAIGNS, args={"file_id": "filing_file.{c}"}, get=rule(role(*READERS), seen(sees_build))
    ),
    "GET /api/reviews/campaigns/{campaign_id}/rounds": r(
        *CAMPAIGNS, args=api_campaign, get=reads_campaign
    ),
    "POST /api/reviews/reviews/{review_id}/decision": r(
        "shared.szq",
        "shared.xc",
        args={"review_id": "review.open.{c}"},
        post=rule(seen(sees_item), allowed(may_decide)),
        data=pay.api_decide,
        body="json",
    ),
    "POST /api/reviews/items/{item_id}/scores/{side}": r(
        *ASSESS,
        args={"item_id": "item.{rest}", "side": "={side}"},
        post=rule(seen(lambda p, t: sees_item(p, t.split("-", 1)[1])), allowed(may_assess)),
        data=pay.api_assess,
        arrange=pay.filing_in_force,
        body="json",
    ),
}
