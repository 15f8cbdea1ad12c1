"""The communication rules, kill-switches and their trace now belong to the communication app (its 0001):
Django's state only, the tables and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0001_initial'),
        ('communication', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='CommunicationChange'),
                migrations.DeleteModel(name='CommunicationRule'),
                migrations.DeleteModel(name='SendingPause'),
            ],
        ),
    ]
