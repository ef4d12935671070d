

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_security_events'),
        ('plans', '0002_seed_plans'),
        ('tickets', '0008_ticket_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['-last_activity_at', '-id'], name='ticket_activity_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('status__in', ['waiting_for_support', 'in_progress', 'waiting_for_customer'])), fields=['assignee'], include=('id', 'status', 'response_target_minutes', 'first_response_due_at', 'first_responded_at', 'sla_paused_at'), name='ticket_open_queue_idx'),
        ),
    ]
