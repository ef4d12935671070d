"""Once partial indexes in raw SQL for the response-clock states; they are declared on the model
now and built by 0007 (which keeps the ones this migration made on databases that ran it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_seed_and_search")]
    operations = []
