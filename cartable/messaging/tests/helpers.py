"""Messages of the permission world, written through the actions like a real sender would."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

from cartable.messaging import actions
from cartable.messaging.models import Message, Report
from tests.world import World

PDF = b"%PDF-1.4\n% Cartable test document\n"


def send(
    world: World,
    sender: str,
    to: Sequence[str] = (),
    groups: Sequence[str] = (),
    subject: str = "Bonjour",
    body: str = "Un message.",
    files=(),
    reply_to: Message | None = None,
) -> Message:
    return actions.send_message(
        world.users[sender],
        actions.Draft(
            people=[world.person(name).pk for name in to],
            groups=list(groups),
            subject=subject,
            body=body,
            files=list(files),
            reply_to=reply_to,
        ),
    )


def pdf(name: str = "sortie.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def parents_of(group) -> str:
    return f"parents:{group.pk}"


def world_message(world: World) -> Message:
    """Tom to Alice's two guardians, with a PDF: the message the matrix asks about (made once per world)."""
    found = Message.objects.filter(subject="Réunion parents-professeurs").first()
    if found is None:
        found = send(
            world,
            "tom",
            to=["marie", "marc"],
            subject="Réunion parents-professeurs",
            body="<p>Rendez-vous jeudi à 18 h.</p>",
            files=[pdf()],
        )
    return found


def world_report(world: World) -> Report:
    """Alice wrote something hurtful to Tom, who reported it."""
    found = Report.objects.first()
    if found is None:
        message = send(world, "alice", to=["tom"], subject="Contrôle", body="Vous allez voir demain.")
        found = actions.report(world.users["tom"], message, "Menace.")
    return found
