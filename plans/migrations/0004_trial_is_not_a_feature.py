"""The Developer trial is offered on the upgrade page only to organizations that have not had
it, so it leaves the plan's feature list, which every organization sees."""

from django.db import migrations

TRIAL_LINE = "One-month free trial"


def drop_trial_line(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    for plan in Plan.objects.filter(features__contains=TRIAL_LINE):
        lines = [line for line in plan.features.splitlines() if line.strip() != TRIAL_LINE]
        plan.features = "\n".join(lines)
        plan.save(update_fields=["features"])


def restore_trial_line(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    for plan in Plan.objects.filter(code="developer"):
        plan.features = f"{plan.features}\n{TRIAL_LINE}"
        plan.save(update_fields=["features"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_next_response_and_resolution_targets")]

    operations = [migrations.RunPython(drop_trial_line, restore_trial_line)]
