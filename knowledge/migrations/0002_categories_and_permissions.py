"""The starting categories, and what the Support engineers group may do with articles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CATEGORIES = [
    ("Billing", "billing", "Invoices, payment methods, credits and support plans."),
    ("Connecting", "connecting", "Drivers, TLS, endpoints, private links and connection errors."),
    ("Performance", "performance", "Slow queries, execution plans, hotspots and tuning."),
    ("Backup & Restore", "backup-restore", "Backups, point-in-time recovery and restores."),
    ("Data Migration", "data-migration", "Importing data, DM, Lightning and TiCDC changefeeds."),
    ("Clusters", "clusters", "Scaling, upgrades, maintenance windows and cluster settings."),
]
SUPPORT_ENGINEER_PERMISSIONS = {
    "article": ["view", "add", "change"],
    "category": ["view", "add", "change"],
    "articleimage": ["view", "add", "change", "delete"],
    "articlerevision": ["view"],
    "articlefeedback": ["view"],
    "articleactivity": ["view"],
}


def seed(apps, schema_editor):
    Category = apps.get_model("knowledge", "Category")
    for position, (name, slug, description) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            name=name, defaults={"slug": slug, "description": description, "position": position}
        )
    app_config = apps.get_app_config("knowledge")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Support engineers")
    for model, actions in SUPPORT_ENGINEER_PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label="knowledge", codename=f"{action}_{model}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("tickets", "0008_ticket_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
