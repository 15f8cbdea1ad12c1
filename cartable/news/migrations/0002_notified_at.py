"""When a news item's audience was told of its publication. The news published before this change were never
told and are not told now (a flood of old news on the first night): they count as told at their date."""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

from cartable.lib import facts


def published_news_count_as_told(apps, schema_editor):
    News = apps.get_model("news", "News")
    published = News.objects.filter(publish_at__lte=timezone.now())
    schools = sorted(set(published.values_list("school_id", flat=True)))
    published.update(notified_at=F("publish_at"))
    # notified_at is not in the cached lists, but they hold the rows written here.
    facts.bump_from_migration(f"news:school:{pk}" for pk in schools)


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="news",
            name="notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(published_news_count_as_told, migrations.RunPython.noop),
    ]
