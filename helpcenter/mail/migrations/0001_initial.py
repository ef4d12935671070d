"""The outbox moves here from accounts: the table is renamed, not copied, so every row, its id
sequence, constraints and indexes stay; the content type moves too, so permissions granted on
the outbox stay granted."""

import django.utils.timezone
from django.db import migrations, models

OLD_TABLE = "accounts_outboundemail"
NEW_TABLE = "mail_outboundemail"


def _rename(apps, schema_editor, old_table, new_table, old_label, new_label):
    # The accounts model is in the migration state on both sides of this step.
    OutboundEmail = apps.get_model("accounts", "OutboundEmail")
    schema_editor.alter_db_table(OutboundEmail, old_table, new_table)
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new_label, model="outboundemail").exists():
        ContentType.objects.filter(app_label=old_label, model="outboundemail").update(
            app_label=new_label
        )


def move_in(apps, schema_editor):
    _rename(apps, schema_editor, OLD_TABLE, NEW_TABLE, "accounts", "mail")


def move_out(apps, schema_editor):
    _rename(apps, schema_editor, NEW_TABLE, OLD_TABLE, "mail", "accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboundEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("event_key", models.CharField(max_length=200)),
                        ("to_email", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=300)),
                        ("text_body", models.TextField()),
                        ("html_body", models.TextField(blank=True)),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")], default="pending", max_length=16)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due_idx")],
                        "constraints": [models.UniqueConstraint(fields=("event_key", "to_email"), name="outbound_email_once"), models.CheckConstraint(condition=models.Q(("status__in", ["pending", "sending", "sent", "failed"])), name="outbound_email_status_valid")],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(move_in, move_out)],
        ),
    ]
