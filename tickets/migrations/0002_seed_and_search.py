"""Components offered on the technical form, key counters and the Support engineers group. (The
trigram indexes it once made in raw SQL are declared on the model now: see 0007.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COMPONENTS = [
    "TiDB", "TiKV", "PD", "TiFlash", "TiCDC", "Backup & Restore", "Data Migration", "Import",
    "Console", "Other",
]
KEY_PREFIXES = ["BILL", "TECH"]
SUPPORT_ENGINEER_PERMISSIONS = {
    "tickets": {
        "ticket": ["view", "change"],
        "comment": ["view", "add"],
        "attachment": ["view", "add"],
        "ticketevent": ["view"],
        "cannedresponse": ["view", "add", "change", "delete"],
        "component": ["view"],
    },
    "accounts": {
        "organization": ["view"],
        "membership": ["view"],
        "cluster": ["view"],
        "user": ["view"],
    },
    "plans": {
        "plan": ["view"],
        "subscription": ["view"],
        "planchange": ["view"],
        "responsetarget": ["view"],
    },
}


def seed(apps, schema_editor):
    Component = apps.get_model("tickets", "Component")
    TicketKeyCounter = apps.get_model("tickets", "TicketKeyCounter")
    for position, name in enumerate(COMPONENTS):
        Component.objects.get_or_create(name=name, defaults={"position": position})
    for prefix in KEY_PREFIXES:
        TicketKeyCounter.objects.get_or_create(prefix=prefix)

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Support engineers")
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in SUPPORT_ENGINEER_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("accounts", "0002_search_indexes"),
        ("plans", "0002_seed_plans"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
