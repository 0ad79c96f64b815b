"""The seven preset metrics, so that every installation starts with them."""

from django.db import migrations


def add_presets(apps, schema_editor):
    from fazhi.monitoring.presets import PRESETS

    Metric = apps.get_model("monitoring", "Metric")
    for position, preset in enumerate(PRESETS, start=1):
        Metric.objects.get_or_create(
            region=None,
            code=preset["code"],
            defaults={**preset, "position": position, "period_kind": "quarter"},
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_metrics_figures_annual_reports")]

    operations = [migrations.RunPython(add_presets, migrations.RunPython.noop)]
