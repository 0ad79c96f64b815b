"""Every material's search words begin with its campaign's word (`search.campaign_word`), so
that a search asks the index for one campaign only. Existing documents get it here, in one
statement; on SQLite the FTS5 table follows through its update trigger."""

from django.db import migrations

PREPEND = (
    "UPDATE evidence_searchdocument SET words = 'fzcampaign' || ("
    "SELECT i.campaign_id FROM evidence_evidence e JOIN campaigns_item i ON i.id = e.item_id "
    "WHERE e.id = evidence_searchdocument.evidence_id) || ' ' || words "
    "WHERE words NOT LIKE 'fzcampaign%%'"
)
STRIP = (
    "UPDATE evidence_searchdocument SET words = substr(words, strpos(words, ' ') + 1) "
    "WHERE words LIKE 'fzcampaign%%'"
)
STRIP_SQLITE = (
    "UPDATE evidence_searchdocument SET words = substr(words, instr(words, ' ') + 1) "
    "WHERE words LIKE 'fzcampaign%%'"
)


def prepend(apps, schema_editor):
    schema_editor.execute(PREPEND)


def strip(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(STRIP_SQLITE if vendor == "sqlite" else STRIP)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_search_index"), ("campaigns", "0001_initial")]

    operations = [migrations.RunPython(prepend, strip)]
