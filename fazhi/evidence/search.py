"""Full-text search over materials on SQLite and PostgreSQL alike.

Neither database finds two-character Chinese words on its own (FTS5's trigram tokenizer needs
three characters; to_tsvector('simple') keeps a whole run of Chinese as one word), so the text is
cut into words by jieba (its Rust port, rjieba) before either sees it: at index time with `cut_for_search`, which also
emits the shorter words inside long ones ("行政复议" → 行政, 复议, 行政复议), and at query time
with the precise cut. Both cuts use the dictionary only (HMM off) so that a word the dictionary
does not know falls apart into the same single characters on both sides. A query word is found
either as indexed or through all of its shorter words, which covers the rare text in which jieba
cut the same characters differently.

SQLite: an FTS5 table over the `words` column (unicode61 splits on the spaces we put in), kept in
step by triggers. PostgreSQL: a GIN index on to_tsvector('simple', words). Both are created by
this app's migrations; `matching_ids` is the one place that queries them.

A search is always within one campaign, while the index holds the whole province. Each
material's words therefore begin with a word of its campaign (`campaign_word`), and every search
asks for it together with the query's words: the index itself then answers for one campaign's
3,000 materials instead of listing, say, the 400,000 of the province that mention 行政执法."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_WORDS = 12
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _jieba():
    # jieba's dictionary and algorithm in Rust (jieba-rs), the same words as jieba itself for the
    # same text, about 15 times faster and with its dictionary in ~10 MB rather than the ~80 MB
    # of Python objects jieba builds in every process that cuts words. Its dictionary is built
    # in; nothing is read or written at run time.
    import rjieba  # imported late: processes that never cut words (most web requests) skip it

    return rjieba


def campaign_word(campaign_id: int) -> str:
    """A word only the campaign's materials have: letters and digits, one token to both
    FTS5's unicode61 and PostgreSQL's 'simple' parser."""
    return f"fzcampaign{campaign_id}"


def index_words(*texts: str) -> str:
    """The words of the texts, lower-cased and separated by single spaces."""
    jieba = _jieba()
    parts = []
    for text in texts:
        for piece in _pieces(text):
            words = (w.lower() for w in jieba.cut_for_search(piece, False) if _WORD.search(w))
            if joined := " ".join(words):
                parts.append(joined)
    return " ".join(parts)


PIECE_CHARS = 65_536


def _pieces(text: str):
    """The text in pieces of about PIECE_CHARS characters, each ending at a line break (jieba
    never cuts a word across one), so that a long text's words are never all held as separate
    strings at once: two megabytes of text are a million words, ~80 MB of Python objects in the
    task worker."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + PIECE_CHARS)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def query_terms(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each word of the query with the shorter words it may have been indexed as instead."""
    jieba = _jieba()
    terms: dict[str, tuple[str, ...]] = {}
    for part in query.split():
        for word in jieba.cut(part, False):
            word = word.strip().lower()
            if not _WORD.search(word) or word in terms:
                continue
            parts = tuple(
                w.lower() for w in jieba.cut_for_search(word, False) if w != word and len(w) > 1
            )
            terms[word] = parts
    return list(terms.items())[:MAX_QUERY_WORDS]


def _fts5_expression(terms) -> str:
    def quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    clauses = []
    for word, parts in terms:
        alternative = " AND ".join(quoted(p) for p in parts)
        clauses.append(f"({quoted(word)} OR ({alternative}))" if parts else quoted(word))
    return " AND ".join(clauses)


def _tsquery_expression(terms) -> str:
    def quoted(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    clauses = []
    for word, parts in terms:
        alternative = " & ".join(quoted(p) for p in parts)
        clauses.append(f"({quoted(word)} | ({alternative}))" if parts else quoted(word))
    return " & ".join(clauses)


def matching_ids(query: str, *, campaign_id: int) -> RawSQL | None:
    """A subquery of the ids of the campaign's materials whose words match every word of the
    query, for `Evidence.objects.filter(pk__in=...)`; None when the query has no searchable
    word."""
    terms = query_terms(query)
    if not terms:
        return None
    within = (campaign_word(campaign_id), ())
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT evidence_id FROM evidence_searchdocument "
            "WHERE to_tsvector('simple', words) @@ to_tsquery('simple', %s)",
            [_tsquery_expression([within, *terms])],
        )
    return RawSQL(
        "SELECT rowid FROM evidence_search_fts WHERE evidence_search_fts MATCH %s",
        [_fts5_expression([within, *terms])],
    )


def highlight_terms(query: str) -> list[str]:
    """What to mark in a snippet: the query's phrases as typed, their words, and the words'
    shorter words; the longest that fits is marked."""
    terms = query_terms(query)
    phrases = [part for part in query.split() if _WORD.search(part)]
    return phrases + [word for word, _ in terms] + [p for _, parts in terms for p in parts]


@lru_cache(maxsize=64)
def _mark_pattern(query: str) -> re.Pattern | None:
    """One pattern per query, longest words first, shared by every hit of a results page."""
    marks = sorted(set(highlight_terms(query)), key=len, reverse=True)
    return re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE) if marks else None


def snippet(text: str, query: str, *, width: int = 120) -> SafeString:
    """A window of the text around the first place a query word appears, with every query word
    marked; the beginning of the text when none appears literally."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    pattern = _mark_pattern(query)
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    window = text[start : start + width]
    if pattern is None:
        body = escape(window)
    else:
        pieces, last = [], 0
        for found in pattern.finditer(window):
            pieces.append(escape(window[last : found.start()]))
            pieces.append(f"<mark>{escape(found.group())}</mark>")
            last = found.end()
        pieces.append(escape(window[last:]))
        body = "".join(pieces)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - every piece is escaped above
