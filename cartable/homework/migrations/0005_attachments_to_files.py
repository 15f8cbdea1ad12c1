"""Existing attachments move onto cartable.files, adopted in quarantine and scanned after the deployment
(cartable/files/legacy.py says why they are not marked clean)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cartable.files.legacy import adopt

    Attachment = apps.get_model("homework", "Attachment")
    StoredFile = apps.get_model("files", "StoredFile")
    for attachment in Attachment.objects.select_related("entry").order_by("pk").iterator():
        stored = adopt(
            StoredFile,
            attachment.file.name or "",
            name=attachment.name,
            school_id=attachment.entry.school_id,
            owner_id=attachment.entry.author_id,
        )
        Attachment.objects.filter(pk=attachment.pk).update(stored_id=stored.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("homework", "0004_attachment_stored"),
        ("files", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
