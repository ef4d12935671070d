"""The admin list of every request reads its first page in the queues' order from an index
instead of sorting the whole table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_report_covering_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["active_due_at", "severity", "created_at", "id"],
                name="ticket_urgency_idx",
            ),
        ),
    ]
