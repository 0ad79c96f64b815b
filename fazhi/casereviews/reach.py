"""Who reaches which files and reviews: `core.scoping` (the region's offices, the file's own
unit, an expert granted a file), and the reviewer a sheet is assigned to. 交叉评查 gives a file
to a reviewer from elsewhere — another unit's 执法人员, a neighbouring county's office — whom the
region tree alone would never let read it; the assignment is their grant, for that file."""

from django.db.models import Q

from fazhi.casereviews.models import Case, CaseReview, ScoreSheet
from fazhi.core.scoping import Scope


def _assigned_case_ids(user):
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if not user_id or not user.is_active:
        return None
    return ScoreSheet.objects.filter(reviewer_id=user_id).values("case_id")


def reachable_cases(user):
    if Scope.for_user(user).is_everything:  # Q() | Q(x) would be Q(x) alone
        return Case.objects.all()
    visible = Scope.for_user(user).visible_q(Case)
    assigned = _assigned_case_ids(user)
    return Case.objects.filter(visible | Q(pk__in=assigned) if assigned is not None else visible)


def reachable_reviews(user):
    if Scope.for_user(user).is_everything:
        return CaseReview.objects.all()
    visible = Scope.for_user(user).visible_q(CaseReview)
    assigned = _assigned_case_ids(user)
    if assigned is None:
        return CaseReview.objects.filter(visible)
    through = Case.objects.filter(pk__in=assigned).values("review_id")
    return CaseReview.objects.filter(visible | Q(pk__in=through))
