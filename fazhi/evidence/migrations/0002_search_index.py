"""The full-text index of materials, one per database (see fazhi/evidence/search.py)."""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE evidence_search_fts USING fts5("
    "words, content='evidence_searchdocument', content_rowid='evidence_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER evidence_search_ai AFTER INSERT ON evidence_searchdocument BEGIN "
    "INSERT INTO evidence_search_fts(rowid, words) VALUES (new.evidence_id, new.words); END",
    "CREATE TRIGGER evidence_search_ad AFTER DELETE ON evidence_searchdocument BEGIN "
    "INSERT INTO evidence_search_fts(evidence_search_fts, rowid, words) "
    "VALUES ('delete', old.evidence_id, old.words); END",
    "CREATE TRIGGER evidence_search_au AFTER UPDATE ON evidence_searchdocument BEGIN "
    "INSERT INTO evidence_search_fts(evidence_search_fts, rowid, words) "
    "VALUES ('delete', old.evidence_id, old.words); "
    "INSERT INTO evidence_search_fts(rowid, words) VALUES (new.evidence_id, new.words); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS evidence_search_au",
    "DROP TRIGGER IF EXISTS evidence_search_ad",
    "DROP TRIGGER IF EXISTS evidence_search_ai",
    "DROP TABLE IF EXISTS evidence_search_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX evidence_search_words_gin ON evidence_searchdocument "
    "USING gin (to_tsvector('simple', words))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS evidence_search_words_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
