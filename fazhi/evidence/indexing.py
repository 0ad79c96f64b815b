"""Each material's search words, and the check that they still match what they were built from.

A material's words come from its title, document number, description, item code, campaign and
its file's text (see `search`). Cutting a long text into words takes seconds, so it is done
before the writer's transaction opens (`cut_text`); the words are then written in the same
transaction as the text they came from, so that a process killed in between leaves neither.

Every search document records a fingerprint of what its words were built from. `reindex`
compares it with the fingerprint of the material as it now is and rebuilds the documents that
differ or are missing: those left by a process killed before this rule, by a bulk load that
wrote words without one, or by a change to how words are cut (`INDEX_VERSION`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from fazhi.evidence import search
from fazhi.evidence.models import Evidence, SearchDocument

# Raise when the words of the same text change (another dictionary, another cut): every
# document's fingerprint then differs and `reindex` rebuilds them all.
INDEX_VERSION = 1
REINDEX_BATCH = 500


def text_sha256(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class CutText:
    """A file's text cut into search words, with the hash of the text they were cut from."""

    words: str
    sha256: str


def cut_text(text: str) -> CutText:
    """Cut outside any transaction: on SQLite a transaction holds the one write lock."""
    return CutText(search.index_words(text), text_sha256(text))


def _fingerprint(*, campaign_id, title, doc_number, description, item_code, text_hash: str) -> str:
    parts = [str(INDEX_VERSION), str(campaign_id), title, doc_number, description, item_code]
    return text_sha256("\x1f".join([*parts, text_hash]))


def _current_text(evidence: Evidence) -> str:
    return evidence.current.blob.text if evidence.current else ""


def index_evidence(evidence: Evidence, *, cut: CutText | None = None) -> None:
    """Write the material's search words, inside the caller's transaction. `cut` is its file's
    text cut beforehand; should the text have changed since (another worker read the file in
    the meantime), it is cut again here so that the words always match the text written."""
    text = _current_text(evidence)
    if cut is None or cut.sha256 != text_sha256(text):
        cut = cut_text(text)
    own_words = search.index_words(
        evidence.title, evidence.doc_number, evidence.description, evidence.item.code
    )
    within = search.campaign_word(evidence.item.campaign_id)
    words = " ".join(w for w in (within, own_words, cut.words) if w)
    fingerprint = _fingerprint(
        campaign_id=evidence.item.campaign_id,
        title=evidence.title,
        doc_number=evidence.doc_number,
        description=evidence.description,
        item_code=evidence.item.code,
        text_hash=cut.sha256,
    )
    # Not update_or_create, whose two savepoints and locking read cost every upload four more
    # statements: a material's words are first written in the transaction that creates it,
    # which no other can see yet, and only updated after that.
    fields = {"words": words, "fingerprint": fingerprint}
    if not SearchDocument.objects.filter(evidence=evidence).update(**fields):
        SearchDocument.objects.create(evidence=evidence, **fields)


@dataclass(frozen=True)
class ReindexOutcome:
    checked: int
    rebuilt: int


_FIELDS = (
    "pk",
    "title",
    "doc_number",
    "description",
    "item__code",
    "item__campaign_id",
    "current__blob__text",
    "search_document__fingerprint",
)


def reindex(*, user, campaign=None, batch_size: int = REINDEX_BATCH) -> ReindexOutcome:
    """Rebuild the search documents of the materials the user may see (of one campaign, when
    given) whose words no longer match their title, metadata and text, or that have none. Deleted
    materials are included: restoring one does not rebuild its words. Each batch is read, cut
    outside a transaction, then written in one transaction per material."""
    materials = Evidence.objects.visible_to(user).order_by("pk")
    if campaign is not None:
        materials = materials.filter(item__campaign=campaign)
    checked = rebuilt = 0
    last_pk = 0
    while True:
        batch = list(materials.filter(pk__gt=last_pk).values_list(*_FIELDS)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1][0]
        checked += len(batch)
        for pk, title, number, description, code, campaign_id, text, stored in batch:
            expected = _fingerprint(
                campaign_id=campaign_id,
                title=title,
                doc_number=number,
                description=description,
                item_code=code,
                text_hash=text_sha256(text or ""),
            )
            if stored == expected:
                continue
            cut = cut_text(text or "")  # only for the documents rebuilt: cutting is the slow part
            with transaction.atomic():
                evidence = Evidence.objects.select_related("item", "current__blob").get(pk=pk)
                index_evidence(evidence, cut=cut)
            rebuilt += 1
    return ReindexOutcome(checked, rebuilt)
