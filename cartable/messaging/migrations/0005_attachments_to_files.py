"""Existing attachments move onto cartable.files: one StoredFile per stored content (a forwarded message
shared its original's file), adopted in quarantine and scanned after the deployment (cartable/files/legacy.py
says why they are not marked clean)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cartable.files.legacy import adopt

    Attachment = apps.get_model("messaging", "Attachment")
    StoredFile = apps.get_model("files", "StoredFile")
    adopted: dict[str, int] = {}
    for attachment in Attachment.objects.select_related("message").order_by("pk").iterator():
        name = attachment.file.name or ""
        if name not in adopted:
            adopted[name] = adopt(
                StoredFile,
                name,
                name=attachment.name,
                school_id=attachment.message.school_id,
                owner_id=attachment.message.sender_id,
            ).pk
        Attachment.objects.filter(pk=attachment.pk).update(stored_id=adopted[name])


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_attachment_stored"),
        ("files", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
