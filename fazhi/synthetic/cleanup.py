"""Removing a synthetic province (`--replace`): hundreds of thousands of rows, deleted without
Django's collector loading every row.

The rows are found table by table, each by the ids of its parent rows, and deleted by their own
ids in batches: every statement reads or writes one table through an index. A statement that
joins the tables instead (`DELETE … WHERE id IN (SELECT … JOIN … JOIN …)`) leaves the plan to
the database's statistics, and right after the bulk seed PostgreSQL has none (the tables were
never analysed): it took each table for one row and nested full index scans, a plan polynomial
in the rows that ran for over 25 minutes on a county seed. Rows that benchmarks may have added
in other tables (notifications, filings…) are handled first, through the ORM, as their foreign
keys say; the audit log's rows stay as written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.db import connection, models

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

NULLING = (models.SET_NULL, models.SET_DEFAULT)
DO_NOTHING = models.DO_NOTHING
AreasThrough = RoundReviewer.areas.through
# Through tables deleted by the user column, with the users.
USER_THROUGHS = (User.roles.through, User.groups.through, User.user_permissions.through)


# The seeded models, children before parents: the order of the deletes.
SEEDED = (
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
    Assignment,
    Item,
    Stage,
    Campaign,
    User,
    Unit,
    Region,
)


def seeded_tables() -> list[str]:
    """The tables a seed fills (and a replace empties)."""
    models_ = [*SEEDED, Blob, AreasThrough, *USER_THROUGHS]
    return [model._meta.db_table for model in models_]


def batch_size() -> int:
    # SQLite allows 999 parameters a statement in the builds Django supports.
    return 900 if connection.vendor == "sqlite" else 5000


def delete_province(path: str) -> int:
    """Delete the regions under `path` and everything in them; returns the rows deleted."""
    rows = _collect(path)
    _clear_others(rows)
    blobs = _unshared_blobs(rows)
    _delete_files(blobs)
    deleted = 0
    for model in SEEDED:
        deleted += _delete(model, "pk", rows[model])
    deleted += _delete(AreasThrough, "roundreviewer_id", rows[RoundReviewer])
    for through in USER_THROUGHS:
        deleted += _delete(through, "user_id", rows[User])
    return deleted + _delete(Blob, "pk", blobs)


def _collect(path: str) -> dict[type[models.Model], list[int]]:
    """The ids of every seeded row under `path`, by model."""
    regions = list(Region._base_manager.filter(path__startswith=path).values_list("pk", flat=True))
    campaigns = _ids(Campaign, "region_id", regions)
    items = _ids(Item, "campaign_id", campaigns)
    evidence = _ids(Evidence, "item_id", items)
    rounds = _ids(Round, "campaign_id", campaigns)
    reviews = _ids(Review, "round_id", rounds)
    assessments = _ids(Assessment, "item_id", items)
    evaluations = _ids(Evaluation, "region_id", regions)
    applicants = _ids(Applicant, "evaluation_id", evaluations)
    # An applicant of another evaluation must go with the campaign it names too.
    applicants = sorted(set(applicants) | set(_ids(Applicant, "campaign_id", campaigns)))
    rows = {
        SearchDocument: _ids(SearchDocument, "evidence_id", evidence),
        Comment: _ids(Comment, "review_id", reviews),
        Deduction: _ids(Deduction, "assessment_id", assessments),
        Assessment: assessments,
        Review: reviews,
        RoundReviewer: _ids(RoundReviewer, "round_id", rounds),
        Round: rounds,
        CampaignGrant: _ids(CampaignGrant, "campaign_id", campaigns),
        Applicant: applicants,
        Evaluator: _ids(Evaluator, "evaluation_id", evaluations),
        Evaluation: evaluations,
        EvidenceVersion: _ids(EvidenceVersion, "evidence_id", evidence),
        Evidence: evidence,
        Assignment: _ids(Assignment, "item_id", items),
        Item: items,
        Stage: _ids(Stage, "campaign_id", campaigns),
        Campaign: campaigns,
        User: _ids(User, "region_id", regions),
        Unit: _ids(Unit, "region_id", regions),
        Region: regions,
    }
    return rows


def _ids(model: type[models.Model], column: str, parents: list[int], value: str = "pk") -> list:
    found = []
    for batch in _batches(parents):
        # No ordering: a model's default ordering may name a related table and join it.
        found += (
            model._base_manager.filter(**{f"{column}__in": batch})
            .order_by()
            .values_list(value, flat=True)
        )
    return found


def _delete(model: type[models.Model], column: str, ids: list[int]) -> int:
    deleted = 0
    for batch in _batches(ids):
        query = model._base_manager.filter(**{f"{column}__in": batch})
        deleted += query._raw_delete(query.db)
    return deleted


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    size = batch_size()
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _clear_others(rows: dict[type[models.Model], list[int]]) -> None:
    """Rows outside the seeded tables that point at seeded rows: deleted, set to null or left
    as their foreign keys' on_delete says (PROTECT too: a benchmark made them)."""
    for model, ids in rows.items():
        for relation in _pointing_at(model):
            other = relation.related_model
            # DO_NOTHING keeps the pointing row as it is: the audit log's, which the database
            # refuses to change, keeps its actor's and region's ids and the actor's name.
            if other in rows or not relation.field.concrete or relation.on_delete is DO_NOTHING:
                continue
            column = relation.field.attname
            for batch in _batches(ids):
                pointing = other._base_manager.filter(**{f"{column}__in": batch})
                if relation.on_delete in NULLING:
                    pointing.update(**{relation.field.name: None})
                else:
                    pointing.delete()


def _pointing_at(model: type[models.Model]) -> list:
    """Every foreign key to `model`, also those without a reverse accessor (related_name="+",
    as the audit log's), which `_meta.related_objects` leaves out."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


def _unshared_blobs(rows) -> list[int]:
    """The contents only the province's materials hold: a blob that a material elsewhere also
    points at (the same file uploaded outside the province) stays."""
    versions = set(rows[EvidenceVersion])
    blobs = set(_ids(EvidenceVersion, "evidence_id", rows[Evidence], value="blob_id"))
    shared = {
        blob
        for batch in _batches(sorted(blobs))
        for pk, blob in EvidenceVersion._base_manager.filter(blob_id__in=batch)
        .order_by()
        .values_list("pk", "blob_id")
        if pk not in versions
    }
    return sorted(blobs - shared)


def _delete_files(blobs: list[int]) -> None:
    """Files written by `--files`, if the first blob has one."""
    if not blobs:
        return
    first = Blob._base_manager.filter(pk=blobs[0]).values_list("storage_name", flat=True).first()
    if first is None or not default_storage.exists(first):
        return
    for batch in _batches(blobs):
        names = Blob._base_manager.filter(pk__in=batch).order_by().values_list("storage_name")
        for (name,) in names:
            default_storage.delete(name)
