from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_kinds(apps, schema_editor):
    """Every material's kind from its current file, in one UPDATE."""
    Evidence = apps.get_model("evidence", "Evidence")
    EvidenceVersion = apps.get_model("evidence", "EvidenceVersion")
    # No ordering: EvidenceVersion's default one joins evidence_evidence, which then shadows the
    # outer table the OuterRef names (every material got the first file's kind).
    current = EvidenceVersion.objects.filter(pk=OuterRef("current_id")).order_by()
    current_kind = current.values("blob__kind")
    Evidence.objects.filter(current__isnull=False).update(kind=Subquery(current_kind[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_blob_ocr_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="kind",
            field=models.CharField(blank=True, editable=False, max_length=12, verbose_name="类型"),
        ),
        migrations.RunPython(copy_kinds, migrations.RunPython.noop, elidable=True),
    ]
