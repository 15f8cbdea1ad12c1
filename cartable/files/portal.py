from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.files.actions import INFECTED
from cartable.notifications.kinds import Channel, EventKind, register_kind


def _infected_text(data: dict) -> str:
    if data.get("owner"):
        return _(
            "Un virus (%(signature)s) a été trouvé dans « %(name)s », déposé par %(owner)s : "
            "le fichier a été supprimé et n'a jamais été transmis."
        ) % {"signature": data.get("signature", ""), "name": data.get("name", ""), "owner": data["owner"]}
    return _(
        "Un virus (%(signature)s) a été trouvé dans « %(name)s » : le fichier a été supprimé et n'a jamais "
        "été transmis."
    ) % {"signature": data.get("signature", ""), "name": data.get("name", "")}


register_kind(
    EventKind(
        code=INFECTED,
        label=gettext_lazy("Virus trouvé dans un fichier déposé"),
        text=_infected_text,
        default_channel=Channel.IMMEDIATE,
        icon="app",
        # No app_code: whatever the switches, the uploader and the ADML must hear of it.
    )
)
