"""Who may do what, written down once from the personas' places in the world and independently
of `core.scoping`: the matrix compares every answer of the site with these rules. A target is
named "<variant>.<county>" (an item "sfj.szq" is 市中区's item led by its 司法局) or by its
county or owner alone ("szq", "xc", "national", "city", "province", "top")."""

from collections.abc import Callable

from fazhi.core.tests.authz_world import SCJG, SFJ, WRITTEN, XC, Persona

OK, LOGIN, FORBIDDEN, HIDDEN, REFUSED, NOT_SERVED = (
    "ok",  # served: 2xx or a redirect other than to the login page; a POST changed rows
    "login",  # sent to log in first: 401 or a redirect to the login page
    "403",
    "404",
    "refused",  # turned down with a message on the page: any answer below 500, no row changed
    "not-served",  # a GET of a POST-only address: 403, 404 or 405, no row changed
)
REFUSALS = frozenset({LOGIN, FORBIDDEN, HIDDEN, REFUSED})

REGION_WIDE = frozenset({"lead_admin", "reviewer", "leader", "inspector"})
READERS = ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert")  # sheets, filings
OWNERS = ("admin", "lead_admin")
# Which units an item is given to (1.1.1 is led by 司法局 with 市场监管局 responsible), its lead
# unit, and its area (一级指标).
ITEM_UNITS = {
    "shared": {"sfj", "scjg"},
    "scjg": {"scjg"},
    "sfj": {"sfj"},
    "parent": {"sfj"},
    "refined": {"sfj"},
}
ITEM_LEAD = {"shared": "sfj", "scjg": "scjg", "sfj": "sfj", "parent": "sfj", "refined": "sfj"}
ITEM_AREA = {"shared": "1", "scjg": "1", "sfj": "2", "parent": "2", "refined": "2"}
EVIDENCE_UNIT = {
    "sfj": "sfj",
    "sfj_deleted": "sfj",
    "scjg": "scjg",
    "scjg_deleted": "scjg",
    "shared_scjg": "scjg",
}
CAMPAIGN_UNITS = {"sfj", "scjg"}


def county(target: str) -> str:
    return target.rsplit(".", 1)[-1]


def variant(target: str) -> str:
    return target.rsplit(".", 1)[0]


def unit_key(where: str, unit: str) -> str:
    return unit if where == "szq" else f"xc_{unit}"


# -- reach -------------------------------------------------------------------------------------


def region_reach(p: Persona, where: str) -> bool:
    """A region-wide role whose region covers the county."""
    return p.admin or bool(p.roles & REGION_WIDE and where in p.counties)


def granted(p: Persona, where: str) -> bool:
    return "expert" in p.roles and where in p.grants


def liaison_of(p: Persona, where: str, units) -> bool:
    return "liaison" in p.roles and p.unit in {unit_key(where, u) for u in units}


def sees_campaign(p: Persona, target: str) -> bool:
    c = county(target)
    return region_reach(p, c) or granted(p, c) or liaison_of(p, c, CAMPAIGN_UNITS)


def sees_item(p: Persona, target: str) -> bool:
    c = county(target)
    return region_reach(p, c) or granted(p, c) or liaison_of(p, c, ITEM_UNITS[variant(target)])


def sees_evidence(p: Persona, target: str) -> bool:
    c = county(target)
    return region_reach(p, c) or granted(p, c) or liaison_of(p, c, {EVIDENCE_UNIT[variant(target)]})


def sees_unit(p: Persona, target: str) -> bool:
    c = county(target)
    return region_reach(p, c) or ("liaison" in p.roles and p.unit == unit_key(c, variant(target)))


def sees_board_unit(p: Persona, target: str) -> bool:
    return sees_campaign(p, target) and sees_unit(p, target)


def sees_framework(p: Persona, target: str) -> bool:
    """National frameworks are read by everyone; a county's by those whose region covers it or
    lies within it (everyone reads what their own region and those above it own)."""
    if target == "national":
        return True
    return p.admin or (
        target in p.counties and (p.level == "county" or bool(p.roles & REGION_WIDE))
    )


def sees_user(p: Persona, target: str) -> bool:
    if target == "top":  # the system administrator's account sits in the province
        return p.admin or bool(p.roles & REGION_WIDE and p.level == "province")
    return region_reach(p, target) or ("liaison" in p.roles and p.unit == unit_key(target, "sfj"))


def sees_evaluation(p: Persona, target: str) -> bool:
    levels = {"city": {"city", "province"}, "province": {"province"}}[target]
    seated = "expert" in p.roles and target == "city" and bool(p.evaluation_grants)
    return p.admin or bool(p.roles & REGION_WIDE and p.level in levels) or seated


PLAN_UNITS = {"sfj", "scjg"}  # each county's plan has one measure, for both units


def sees_plan(p: Persona, target: str) -> bool:
    c = county(target)
    return region_reach(p, c) or liaison_of(p, c, PLAN_UNITS)


def may_comment_plan(p: Persona, target: str) -> bool:
    return owns(p, target) or liaison_of(p, county(target), PLAN_UNITS)


def may_set_milestones(p: Persona, target: str) -> bool:
    """The lead office and the measure's lead unit (司法局) draw its road map."""
    return owns(p, target) or liaison_of(p, county(target), {"sfj"})


def sees_plan_comment(p: Persona, target: str) -> bool:
    """Each county's plan has one comment, made by its 司法局."""
    c = county(target)
    return region_reach(p, c) or liaison_of(p, c, {"sfj"})


def sees_build(p: Persona, target: str) -> bool:
    return region_reach(p, county(target)) or granted(p, county(target))


def sees_wave(p: Persona, target: str) -> bool:
    """A survey wave is the region's: its region-wide roles read it, no unit and no expert."""
    return region_reach(p, county(target))


def sees_bank(p: Persona, target: str) -> bool:
    """A question bank holds the answers: its region's region-wide roles only, no unit."""
    return region_reach(p, county(target))


def sees_exam(p: Persona, target: str) -> bool:
    """A test: its region, and each unit with people on its roster (their results only)."""
    c = county(target)
    return region_reach(p, c) or liaison_of(p, c, {"sfj", "scjg"})


# -- writes ------------------------------------------------------------------------------------


def owns(p: Persona, target: str) -> bool:
    """The lead office of the county or above: the campaign's and the region's owner."""
    return p.admin or ("lead_admin" in p.roles and county(target) in p.counties)


def manages_user(p: Persona, target: str) -> bool:
    """Nobody below the system administrator manages an account at or above their own rank."""
    return p.admin or ("lead_admin" in p.roles and target != "top" and sees_user(p, target))


def owns_framework(p: Persona, target: str) -> bool:
    return p.admin if target == "national" else owns(p, target)


def may_submit(p: Persona, target: str) -> bool:
    lead = ITEM_LEAD[variant(target)]
    return owns(p, target) or liaison_of(p, county(target), {lead})


def may_upload(p: Persona, target: str) -> bool:
    return owns(p, target) or liaison_of(p, county(target), ITEM_UNITS[variant(target)])


def may_edit_evidence(p: Persona, target: str) -> bool:
    return owns(p, target) or liaison_of(p, county(target), {EVIDENCE_UNIT[variant(target)]})


def may_review_item(p: Persona, target: str) -> bool:
    return p.admin or bool(p.roles & {"lead_admin", "reviewer"} and region_reach(p, county(target)))


def seated_for(p: Persona, target: str) -> bool:
    """A reviewer of 市中区's open round whose areas cover the item."""
    area = ITEM_AREA[variant(target)]
    return county(target) == "szq" and ("*" in p.seat_areas or area in p.seat_areas)


def may_decide(p: Persona, target: str) -> bool:
    return owns(p, target) or seated_for(p, target)


def may_give_written(p: Persona, where: str) -> bool:
    """The written review: the offices above the county, and evaluators granted it."""
    above = bool(p.roles & {"lead_admin", "reviewer"}) and p.level in {"city", "province"}
    return p.admin or (above and where in p.counties) or where in p.evaluation_grants


def may_see_written(p: Persona, where: str) -> bool:
    """Who reads the written review's scores: those who give it, and the region-wide roles of
    the regions above the county; never the county's own offices, nor its round's experts."""
    above = bool(p.roles & REGION_WIDE) and p.level in {"city", "province"}
    return may_give_written(p, where) or (above and where in p.counties)


def may_assess(p: Persona, target: str) -> bool:
    """`target` is "<side>-<item variant>.<county>"."""
    side, rest = target.split("-", 1)
    if side == "self":
        return may_submit(p, rest)
    if side == "review":
        return may_review_item(p, rest) or seated_for(p, rest)
    return may_give_written(p, county(rest))


def owns_evaluation(p: Persona, target: str) -> bool:
    levels = {"city": {"city", "province"}, "province": {"province"}}[target]
    return p.admin or ("lead_admin" in p.roles and p.level in levels)


def scores_evaluation(p: Persona, target: str) -> bool:
    levels = {"city": {"city", "province"}, "province": {"province"}}[target]
    return p.admin or bool(p.roles & {"lead_admin", "reviewer"} and p.level in levels)


def feeds_city_evaluation(p: Persona, target: str) -> bool:
    """A survey wave's result entered in the city's evaluation, whose one applicant is 市中区."""
    return county(target) == "szq" and scores_evaluation(p, "city")


# -- inspections: the city's inspection of both counties; a finding is one unit's ("scjg.szq") --


def oversees_inspection(p: Persona, target: str) -> bool:
    """The region-wide roles of the city and the province, where the inspection sits."""
    return p.admin or bool(p.roles & REGION_WIDE and p.level in {"city", "province"})


def inspects(p: Persona, target: str) -> bool:
    """The inspecting side: the inspectors and lead offices of the city or the province."""
    return p.admin or bool(
        p.roles & {"lead_admin", "inspector"} and p.level in {"city", "province"}
    )


def sees_inspection(p: Persona, target: str) -> bool:
    """Its overseers, and the liaisons of every unit responsible for one of its findings."""
    return oversees_inspection(p, target) or (
        "liaison" in p.roles and p.unit in {"sfj", "scjg", "xc_sfj"}
    )


def sees_finding(p: Persona, target: str) -> bool:
    return oversees_inspection(p, target) or liaison_of(p, county(target), {variant(target)})


def rectifies(p: Persona, target: str) -> bool:
    """Whoever sits in the responsible unit (the system administrator too)."""
    return p.admin or p.unit == unit_key(county(target), variant(target))


def verifies(p: Persona, target: str) -> bool:
    """The inspecting side, never from inside the responsible unit."""
    return inspects(p, target) and p.unit != unit_key(county(target), variant(target))


# -- casereviews: the city's review of three files ("sfj.szq", "scjg.szq", "sfj.xc"), each given
# to a reviewer from elsewhere; "scored" is a second review whose one file (市中区司法局's) is scored.

CASE_REVIEWER = {"sfj.szq": "xc_lead", "scjg.szq": "szq_reviewer", "sfj.xc": "szq_reviewer"}


def manages_casereview(p: Persona, target: str = "") -> bool:
    """The lead offices of the city and the province, where the reviews sit."""
    return p.admin or ("lead_admin" in p.roles and p.level in {"city", "province"})


def sees_case_file(p: Persona, target: str) -> bool:
    """The region-wide roles above, the file's own unit, and the reviewer it is given to."""
    return (
        oversees_inspection(p, target)
        or liaison_of(p, county(target), {variant(target)})
        or p.name == CASE_REVIEWER[target]
    )


def sees_casereview(p: Persona, target: str) -> bool:
    if target == "scored":  # its one file is 市中区司法局's, reviewed by 薛城区's lead office
        return sees_case_file(p, "sfj.szq")
    return any(sees_case_file(p, case) for case in CASE_REVIEWER)


def sees_case_standard(p: Persona, target: str) -> bool:
    """The city's standard: read by everyone sitting in the city or below, and by the
    region-wide roles of the province."""
    return p.admin or p.level in {"city", "county"} or bool(p.roles & REGION_WIDE)


def scores_case(p: Persona, target: str) -> bool:
    """Only the reviewer the file is given to (never anyone of the file's own unit)."""
    return p.name == CASE_REVIEWER[target]


def works_on_case(p: Persona, target: str) -> bool:
    """Scans: the lead office, the file's reviewer, or the file's own unit."""
    own = p.unit == unit_key(county(target), variant(target))
    return manages_casereview(p) or scores_case(p, target) or own


def notes_case(p: Persona, target: str) -> bool:
    """Page notes: the lead office or the reviewer, never the file's own unit."""
    own = p.unit == unit_key(county(target), variant(target))
    return (manages_casereview(p) or scores_case(p, target)) and not own


# -- monitoring: each county's 司法局 reported a figure ("sfj.szq") ----------------------------


def sees_figure(p: Persona, target: str) -> bool:
    return region_reach(p, county(target)) or liaison_of(p, county(target), {variant(target)})


def reports_figure(p: Persona, target: str) -> bool:
    """The region's lead office, or the unit's own liaison."""
    return owns(p, target) or liaison_of(p, county(target), {variant(target)})


def sees_region_figures(p: Persona, target: str) -> bool:
    """A region's roll-up: its region-wide roles and those above it; no unit, no expert."""
    return region_reach(p, target)


# -- rules: chains of checks -------------------------------------------------------------------

Rule = Callable[[Persona, str], str]


def rule(*checks) -> Rule:
    def decide(p: Persona, target: str) -> str:
        for check in checks:
            if (outcome := check(p, target)) is not None:
                return outcome
        return OK

    decide.checks = checks
    return decide


def role(*roles):
    def check(p: Persona, target: str) -> str | None:
        return None if p.has(*roles) else FORBIDDEN

    check.whatever_the_target = True
    return check


def refused_whatever_the_target(decide: Rule, p: Persona) -> bool:
    """Whether the rule turns the persona away by role before it looks at any object: one
    object then answers for all."""
    checks = getattr(decide, "checks", ())
    while len(checks) == 1 and hasattr(checks[0], "checks"):  # a rule wrapped as a check
        checks = checks[0].checks
    first = checks[0] if checks else None
    return getattr(first, "whatever_the_target", False) and first(p, "-") is not None


def seen(reach):
    return lambda p, t: None if reach(p, t) else HIDDEN


def allowed(may):
    return lambda p, t: None if may(p, t) else FORBIDDEN


def soft(may):
    return lambda p, t: None if may(p, t) else REFUSED


def creator(p: Persona, target: str) -> bool:
    """Import drafts are their creator's alone: 市中区's by its lead office, 薛城区's by its."""
    return p.name == f"{target}_lead"


def own_only(p: Persona, target: str) -> bool:
    return target == "own"


# -- what a persona must never read ------------------------------------------------------------


def forbidden_markers(p: Persona) -> list[str]:
    markers = []
    if not sees_evidence(p, "sfj.szq"):
        markers.append(SFJ)
    if not sees_evidence(p, "scjg.szq"):
        markers.append(SCJG)
    if not sees_campaign(p, "xc"):
        markers.append(XC)
    markers += [score for where, score in WRITTEN.items() if not may_see_written(p, where)]
    return markers
