"""BigBlueButton's API, the calls Cartable makes: create, join, isMeetingRunning, getMeetingInfo and end.

Each call is `<server>/api/<call>?<query>&checksum=<hash>`, where the hash (settings.BBB_CHECKSUM: sha1, or
sha256 and above on BigBlueButton 2.4 and later) is that of the call's name, the query string exactly as
sent, and the shared secret (settings.BBB_SECRET), in hexadecimal. The server answers XML with a
`returncode` of SUCCESS or FAILED (and a `messageKey`). `join` is not called by Cartable: its signed
address is where the browser goes.

Server address and secret are the settings BBB_URL and BBB_SECRET; without them, `configured()` is False and
the pages say so. A server that does not answer, or answers something else than BigBlueButton's XML, raises
`Unavailable`; a call it refuses raises `Failed`.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.error import URLError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import urlopen
from xml.etree.ElementTree import Element

from django.conf import settings

TIMEOUT = 5  # seconds: a page waits at most this long for the server
MAX_ANSWER = 1024 * 1024  # bytes read from an answer


class Unavailable(Exception):
    """The server did not answer, or not as BigBlueButton does."""


class Failed(Exception):
    """The server refused the call (`returncode` FAILED); `key` is its messageKey."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


def configured() -> bool:
    return bool(settings.BBB_URL and settings.BBB_SECRET)


def api_base() -> str:
    """The API's address, ending with "/api/", from the server's
    ("…/bigbluebutton" or "…/bigbluebutton/api")."""
    url = settings.BBB_URL.rstrip("/")
    return f"{url}/" if url.endswith("/api") else f"{url}/api/"


def origin() -> str:
    parts = urlsplit(settings.BBB_URL)
    return f"{parts.scheme}://{parts.netloc}"


def checksum(call: str, query: str, secret: str, algorithm: str) -> str:
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def signed_url(call: str, params: list[tuple[str, str]]) -> str:
    query = urlencode(params, quote_via=quote)
    signature = checksum(call, query, settings.BBB_SECRET, settings.BBB_CHECKSUM)
    return (
        f"{api_base()}{call}?{query}&checksum={signature}"
        if query
        else f"{api_base()}{call}?checksum={signature}"
    )


def _call(call: str, params: list[tuple[str, str]]) -> Element:
    if not configured():
        raise Unavailable("BBB_URL is not set")
    try:
        with urlopen(signed_url(call, params), timeout=TIMEOUT) as answer:  # noqa: S310 (http(s) only: env_url)
            body = answer.read(MAX_ANSWER + 1)
    except (URLError, OSError, ValueError) as error:
        raise Unavailable(str(error)) from error
    if len(body) > MAX_ANSWER:
        raise Unavailable(f"{call}: answer too long")
    # BigBlueButton's answers declare no document type: refusing one refuses every entity (no expansion).
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise Unavailable(f"{call}: a document type in the answer")
    try:
        root = ET.fromstring(body)  # noqa: S314 (no document type, so no entity: see above)
    except ET.ParseError as error:
        raise Unavailable(f"{call}: not XML") from error
    code = root.findtext("returncode")
    if code == "SUCCESS":
        return root
    if code == "FAILED":
        raise Failed(root.findtext("messageKey") or "", root.findtext("message") or "")
    raise Unavailable(f"{call}: no returncode")


def _flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True)
class Meeting:
    """What Cartable tells the server about a virtual class."""

    meeting_id: str
    name: str
    moderator_password: str
    attendee_password: str
    recording_allowed: bool = False
    logout_url: str = ""
    welcome: str = ""


def create(meeting: Meeting) -> None:
    """Create the meeting on the server; creating it again while it exists changes nothing (the server
    answers SUCCESS with a duplicateWarning)."""
    params = [
        ("name", meeting.name),
        ("meetingID", meeting.meeting_id),
        ("attendeePW", meeting.attendee_password),
        ("moderatorPW", meeting.moderator_password),
        ("record", _flag(meeting.recording_allowed)),
        ("allowStartStopRecording", _flag(meeting.recording_allowed)),
        ("autoStartRecording", "false"),
    ]
    if meeting.welcome:
        params.append(("welcome", meeting.welcome))
    if meeting.logout_url:
        params.append(("logoutURL", meeting.logout_url))
    _call("create", params)


def join_url(meeting: Meeting, full_name: str, *, moderator: bool) -> str:
    """The signed address that lets one person in, as moderator (the teacher) or viewer (a pupil). Both the
    role (BigBlueButton 2.4 and later) and the matching password (before) are given."""
    password = meeting.moderator_password if moderator else meeting.attendee_password
    return signed_url(
        "join",
        [
            ("fullName", full_name),
            ("meetingID", meeting.meeting_id),
            ("role", "MODERATOR" if moderator else "VIEWER"),
            ("password", password),
            ("redirect", "true"),
        ],
    )


def is_meeting_running(meeting_id: str) -> bool:
    """Whether the meeting exists on the server and someone is in it."""
    return _call("isMeetingRunning", [("meetingID", meeting_id)]).findtext("running") == "true"


@dataclass(frozen=True)
class MeetingInfo:
    running: bool
    participants: int
    moderators: int
    recording: bool


def _count(root: Element, name: str) -> int:
    text = (root.findtext(name) or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


def meeting_info(meeting_id: str) -> MeetingInfo | None:
    """The meeting as the server sees it, or None when it does not exist there (not created, or ended)."""
    try:
        root = _call("getMeetingInfo", [("meetingID", meeting_id)])
    except Failed as failure:
        if failure.key == "notFound":
            return None
        raise
    return MeetingInfo(
        running=root.findtext("running") == "true",
        participants=_count(root, "participantCount"),
        moderators=_count(root, "moderatorCount"),
        recording=root.findtext("recording") == "true",
    )


def end(meeting_id: str, moderator_password: str) -> bool:
    """End the meeting for everyone in it; False when the server did not have it (nobody to send away)."""
    try:
        _call("end", [("meetingID", meeting_id), ("password", moderator_password)])
    except Failed as failure:
        if failure.key == "notFound":
            return False
        raise
    return True
