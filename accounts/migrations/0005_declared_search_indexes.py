"""The trigram search indexes, now declared on the models. Databases that got them from the raw
SQL of 0002 keep them (the organization's is only renamed to fit 30 characters); new databases
build them here."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from helpcenter.db import AddIndexUnlessPresent, UpperTrigramIndex


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_outbound_email_moved_to_mail")]

    operations = [
        TrigramExtension(),
        AddIndexUnlessPresent(
            model_name="user",
            index=UpperTrigramIndex(field="email", name="accounts_user_email_trgm"),
        ),
        AddIndexUnlessPresent(
            model_name="organization",
            index=UpperTrigramIndex(field="name", name="accounts_org_name_trgm"),
            formerly="accounts_organization_name_trgm",
        ),
    ]
