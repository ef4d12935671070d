"""Every outbox row gets the Message-ID it is (or was) sent with, a thread key and extra headers.

Rows written before this get a Message-ID of their own (unique, like every new one); they belong
to no thread, so later emails start a new chain."""

from uuid import uuid4

from django.db import migrations, models

import helpcenter.mail.models


def _give_message_ids(apps, schema_editor):
    OutboundEmail = apps.get_model("mail", "OutboundEmail")
    for email in OutboundEmail.objects.filter(message_id__isnull=True).only("pk").iterator():
        email.message_id = f"<{uuid4().hex}@outbox.invalid>"
        email.save(update_fields=["message_id"])


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="message_id",
            field=models.CharField(max_length=255, null=True),
        ),
        migrations.RunPython(_give_message_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="outboundemail",
            name="message_id",
            field=models.CharField(
                default=helpcenter.mail.models.new_message_id, max_length=255, unique=True
            ),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="thread_key",
            field=models.CharField(blank=True, default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="headers",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Headers sent besides Message-ID: threading, unsubscribe, reply address.",
            ),
        ),
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(fields=["thread_key", "to_email"], name="outbound_email_thread_idx"),
        ),
    ]
