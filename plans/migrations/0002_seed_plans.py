"""The four published support plans and their initial response targets."""

from django.db import migrations

PLANS = [
    {
        "code": "basic", "name": "Basic", "rank": 0, "purchase": "free", "trial_days": 0,
        "audience": "Personal or starter projects",
        "response_clock": "No response-time target",
        "features": "Account and billing support tickets\nDocumentation\nCommunity channels",
        "portals": ["billing"],
        "targets": {},
    },
    {
        "code": "developer", "name": "Developer", "rank": 10, "purchase": "self_serve",
        "trial_days": 30,
        "audience": "Workloads under development",
        "response_clock": "Business hours",
        "features": "Everything in Basic\nTechnical support tickets\nKnowledge base\n"
                    "One-month free trial",
        "portals": ["billing", "technical"],
        "targets": {"S1": (240, True), "S2": (480, True), "S3": (720, True), "S4": (1440, True)},
    },
    {
        "code": "enterprise", "name": "Enterprise", "rank": 20, "purchase": "self_serve",
        "trial_days": 0,
        "audience": "Production workloads",
        "response_clock": "7x24 for S1 and S2",
        "features": "Everything in Developer\n7x24 response for S1 and S2\nMonitoring service\n"
                    "Alerts and tickets in chat tools",
        "portals": ["billing", "technical"],
        "targets": {"S1": (60, False), "S2": (120, False), "S3": (480, True), "S4": (1440, True)},
    },
    {
        "code": "premium", "name": "Premium", "rank": 30, "purchase": "sales", "trial_days": 0,
        "audience": "Business-critical production workloads",
        "response_clock": "7x24 for S1 and S2",
        "features": "Everything in Enterprise\nFastest response targets\nTwo-way ticket chat\n"
                    "Named technical account manager",
        "portals": ["billing", "technical"],
        "targets": {"S1": (30, False), "S2": (60, False), "S3": (240, True), "S4": (1440, True)},
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    PlanPortal = apps.get_model("plans", "PlanPortal")
    ResponseTarget = apps.get_model("plans", "ResponseTarget")
    for spec in PLANS:
        spec = dict(spec)
        portals, targets = spec.pop("portals"), spec.pop("targets")
        plan, _ = Plan.objects.update_or_create(code=spec.pop("code"), defaults=spec)
        for portal in portals:
            PlanPortal.objects.get_or_create(plan=plan, portal=portal)
        for severity, (minutes, business_hours) in targets.items():
            ResponseTarget.objects.update_or_create(
                plan=plan, severity=severity,
                defaults={"minutes": minutes, "business_hours": business_hours},
            )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
