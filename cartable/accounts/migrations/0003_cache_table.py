"""The table of the database cache, the default cache without Redis (see settings.CACHES): made by a migration so
that `migrate` is all a new installation, `make run` and the test databases need."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "cartable_cache"


def create_table(apps, schema_editor):
    # createcachetable's own code (columns, index), for this table whatever CACHES says now: an installation
    # that moves from Redis to the database cache finds it ready. It does nothing when the table exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_pending_email_and_account_events")]

    operations = [migrations.RunPython(create_table, drop_table)]
