"""Once trigram search indexes in raw SQL; they are declared on the models now and built by
0005 (which keeps the ones this migration made on databases that ran it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = []
