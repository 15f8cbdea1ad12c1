"""Access matrix of the messaging: Tom's message to Alice's guardians (Marie and Marc), and Alice's message to
Tom that Tom reported. Only the sender and the recipients reach a message; everyone else gets 404. Reports are
for the school-wide staff of school A (and the platform admin); the platform admin has no mailbox."""

from __future__ import annotations

from cartable.files.tests.helpers import mark_all_clean
from cartable.messaging.tests.helpers import world_message, world_report
from tests.matrix import Route, expect, logged_in
from tests.world import World


def _message(suffix: str = ""):
    return lambda w: f"/messagerie/{world_message(w).pk}{suffix}"


def _attachment(w: World) -> str:
    message = world_message(w)
    mark_all_clean()  # the matrix is about access: the antivirus has its own tests (cartable/files)
    return f"/messagerie/{message.pk}/pieces/{message.attachments.first().pk}"


def _report(suffix: str):
    return lambda w: f"/messagerie/signalements/{world_report(w).pk}{suffix}"


MAILBOX = logged_in(200, root=404)
READERS = expect(404, anon=302, tom=200, marie=200, marc=200)
MOVERS = expect(404, anon=302, tom=302, marie=302, marc=302)

ROUTES: dict[str, Route] = {
    "messaging:inbox": Route(lambda w: "/messagerie/"),
    "messaging:sent": Route(lambda w: "/messagerie/envoyes"),
    "messaging:drafts": Route(lambda w: "/messagerie/brouillons"),
    "messaging:trash": Route(lambda w: "/messagerie/corbeille"),
    "messaging:compose": Route(lambda w: "/messagerie/ecrire"),
    "messaging:people": Route(lambda w: "/messagerie/ecrire/personnes?q=mar"),
    "messaging:message": Route(_message()),
    "messaging:reply": Route(_message("/repondre")),
    "messaging:reply_all": Route(_message("/repondre-a-tous")),
    "messaging:forward": Route(_message("/transferer")),
    "messaging:to_trash": Route(_message("/corbeille"), "post"),
    "messaging:restore": Route(_message("/restaurer"), "post"),
    "messaging:delete": Route(_message("/supprimer"), "post"),
    "messaging:recall": Route(_message("/rappeler"), "post"),
    "messaging:unread": Route(_message("/non-lu"), "post"),
    "messaging:report": Route(_message("/signaler")),
    "messaging:attachment": Route(_attachment),
    "messaging:reports": Route(lambda w: "/messagerie/signalements"),
    "messaging:report_block": Route(_report("/bloquer"), "post"),
    "messaging:report_dismiss": Route(_report("/classer"), "post"),
}

MATRIX: dict[str, dict[str, int]] = {
    "messaging:inbox": MAILBOX,
    "messaging:sent": MAILBOX,
    "messaging:drafts": MAILBOX,
    "messaging:trash": MAILBOX,
    "messaging:compose": MAILBOX,
    "messaging:people": MAILBOX,
    "messaging:message": READERS,
    "messaging:reply": READERS,
    "messaging:reply_all": READERS,
    "messaging:forward": READERS,
    "messaging:to_trash": MOVERS,
    "messaging:restore": MOVERS,
    "messaging:delete": MOVERS,
    # Only the sender recalls; a recipient's request answers as if the message were not there to recall.
    "messaging:recall": expect(404, anon=302, tom=302),
    "messaging:unread": MOVERS,
    # The recipients report; the sender cannot report their own message.
    "messaging:report": expect(404, anon=302, marie=200, marc=200),
    "messaging:attachment": READERS,
    # School-wide staff see the reports of their school (Bruno, ADML of school B, an empty page).
    "messaging:reports": expect(404, anon=302, vera=200, paul=200, ada=200, bruno=200, root=200),
    "messaging:report_block": expect(404, anon=302, vera=302, paul=302, ada=302, root=302),
    "messaging:report_dismiss": expect(404, anon=302, vera=302, paul=302, ada=302, root=302),
}
