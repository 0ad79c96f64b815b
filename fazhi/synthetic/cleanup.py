"""Removing a synthetic province (`--replace`): hundreds of thousands of rows, so the tables the
seed fills are emptied with one DELETE each, without Django's collector loading every row.
Rows that benchmarks may have added in other tables (notifications, filings, audit entries…)
are handled first, through the ORM, as their foreign keys say."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import models

from fazhi.accounts.models import User
from fazhi.campaigns.models import Assignment, Campaign, Item, Stage
from fazhi.evidence.models import Blob, Evidence, EvidenceVersion, SearchDocument
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator
from fazhi.orgs.models import Region, Unit
from fazhi.reviews.models import (
    Assessment,
    CampaignGrant,
    Comment,
    Deduction,
    Review,
    Round,
    RoundReviewer,
)

SEEDED = {
    SearchDocument,
    Comment,
    Deduction,
    Assessment,
    Review,
    RoundReviewer,
    Round,
    CampaignGrant,
    Applicant,
    Evaluator,
    Evaluation,
    EvidenceVersion,
    Evidence,
    Blob,
    Assignment,
    Item,
    Stage,
    Campaign,
    User,
    Unit,
    Region,
}
NULLING = (models.SET_NULL, models.SET_DEFAULT)


def delete_province(path: str) -> int:
    """Delete the regions under `path` and everything in them; returns the rows deleted."""
    campaigns = Campaign._base_manager.filter(region__path__startswith=path)
    by_campaign = {"item__campaign__in": campaigns}
    querysets = [
        (SearchDocument, {"evidence__item__campaign__in": campaigns}),
        (Comment, {"review__round__campaign__in": campaigns}),
        (Deduction, {"assessment__item__campaign__in": campaigns}),
        (Assessment, by_campaign),
        (Review, {"round__campaign__in": campaigns}),
        (RoundReviewer.areas.through, {"roundreviewer__round__campaign__in": campaigns}),
        (RoundReviewer, {"round__campaign__in": campaigns}),
        (Round, {"campaign__in": campaigns}),
        (CampaignGrant, {"campaign__in": campaigns}),
        (Applicant, {"evaluation__region__path__startswith": path}),
        (Evaluator, {"evaluation__region__path__startswith": path}),
        (Evaluation, {"region__path__startswith": path}),
        (Blob, {"versions__evidence__item__campaign__in": campaigns}),
        (EvidenceVersion, {"evidence__item__campaign__in": campaigns}),
        (Evidence, by_campaign),
        (Assignment, by_campaign),
        (Item, {"campaign__in": campaigns}),
        (Stage, {"campaign__in": campaigns}),
        (Campaign, {"region__path__startswith": path}),
    ]
    users = {"user__region__path__startswith": path}
    querysets += [
        (User.roles.through, users),
        (User.groups.through, users),
        (User.user_permissions.through, users),
        (User, {"region__path__startswith": path}),
        (Unit, {"region__path__startswith": path}),
        (Region, {"path__startswith": path}),
    ]
    _clear_others(querysets)
    _delete_files(Blob._base_manager.filter(**querysets[12][1]))
    deleted = 0
    for model, lookup in querysets:
        deleted += model._base_manager.filter(**lookup)._raw_delete(model._base_manager.db)
    return deleted


def _clear_others(querysets) -> None:
    """Rows outside the seeded tables that point at seeded rows: deleted or set to null as
    their foreign keys' on_delete says (PROTECT too: a benchmark made them)."""
    for model, lookup in querysets:
        if model not in SEEDED:
            continue
        targets = model._base_manager.filter(**lookup)
        for relation in model._meta.related_objects:
            other = relation.related_model
            if other in SEEDED or relation.many_to_many or not relation.field.concrete:
                continue
            rows = other._base_manager.filter(**{f"{relation.field.name}__in": targets})
            if relation.on_delete in NULLING:
                rows.update(**{relation.field.name: None})
            else:
                rows.delete()


def _delete_files(blobs) -> None:
    """Files written by `--files`, if the first blob has one."""
    names = blobs.values_list("storage_name", flat=True)
    first = names.first()
    if first is None or not default_storage.exists(first):
        return
    for name in names.iterator():
        default_storage.delete(name)
