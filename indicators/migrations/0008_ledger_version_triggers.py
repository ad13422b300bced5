"""The ledger version's triggers on every table a department-year's pages read
(indicators.ledger_versions). A migration that adds such a table adds its line there and calls
ledger_versions.reinstall again."""

from django.db import migrations

from indicators import ledger_versions


def triggers_install(apps, schema_editor):
    ledger_versions.reinstall(schema_editor)


def triggers_uninstall(apps, schema_editor):
    ledger_versions.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0007_performance_year"),
        ("projects", "0003_budget_year_plans_transfers_closing"),
        ("units", "0003_ledger_version"),
    ]

    operations = [migrations.RunPython(triggers_install, triggers_uninstall)]
