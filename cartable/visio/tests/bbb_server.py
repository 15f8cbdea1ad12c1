"""A small BigBlueButton API server for the tests: a real HTTP server on 127.0.0.1, in a thread, that checks
each call's checksum as BigBlueButton does and answers its XML, for the calls Cartable makes (create, join,
isMeetingRunning, getMeetingInfo, end). It keeps its meetings in memory and records every call."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

SECRET = "8cd8ef52e8e101574e400365b55e11a6"
PREFIX = "/bigbluebutton/api/"
NO_SUCH_MEETING = "The meeting ID that you supplied did not match any existing meetings"
WRONG_PASSWORD = (
    "You either did not supply a password or the password supplied is neither the attendee or moderator "
    "password for this conference."
)
NOT_RUNNING = "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?"


@dataclass
class FakeMeeting:
    meeting_id: str
    name: str
    moderator_password: str
    attendee_password: str
    record: bool
    attendees: list[tuple[str, str]] = field(default_factory=list)  # (full name, role)


@dataclass
class Call:
    name: str
    params: dict[str, str]
    checksum_ok: bool


class BbbServer:
    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.meetings: dict[str, FakeMeeting] = {}
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                status, body, location = server.answer(self.path)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                kind = "text/html" if self.path.startswith("/html5client/") else "text/xml"
                self.send_header("Content-Type", f"{kind};charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://127.0.0.1:{port}/bigbluebutton/"

    def start(self) -> BbbServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- BigBlueButton's behaviour ---------------------------------------------------------------------

    def _valid(self, call: str, query: str, checksum: str) -> bool:
        length = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}.get(len(checksum))
        if length is None:
            return False
        return hashlib.new(length, f"{call}{query}{self.secret}".encode()).hexdigest() == checksum

    def answer(self, path: str) -> tuple[int, bytes, str]:
        parts = urlsplit(path)
        if parts.path.startswith("/html5client/"):  # where a join leads: the web client's page
            return 200, b"<!doctype html><title>BigBlueButton</title><p>BigBlueButton</p>", ""
        if not parts.path.startswith(PREFIX):
            return 404, b"", ""
        call = parts.path[len(PREFIX) :]
        # The checksum is taken over the query string as sent, without its own parameter (BigBlueButton
        # strips "&checksum=…" from the raw query).
        raw = parts.query
        query, _, checksum = raw.rpartition("&checksum=")
        if not _:
            query, checksum = "", raw.removeprefix("checksum=")
        params = dict(parse_qsl(query, keep_blank_values=True))
        ok = self._valid(call, query, checksum)
        with self.lock:
            self.calls.append(Call(call, params, ok))
            if not ok:
                return 200, _failed("checksumError", "You did not pass the checksum security check"), ""
            handler = getattr(self, f"_{call}", None)
            if handler is None:
                return 200, _failed("unsupportedRequest", "This request is not supported."), ""
            return handler(params)

    def _create(self, p: dict[str, str]) -> tuple[int, bytes, str]:
        if not p.get("meetingID"):
            return 200, _failed("missingParamMeetingID", "You must specify a meeting ID"), ""
        meeting = self.meetings.get(p["meetingID"])
        key = "duplicateWarning" if meeting else ""
        if meeting is None:
            meeting = self.meetings[p["meetingID"]] = FakeMeeting(
                p["meetingID"], p.get("name", ""), p.get("moderatorPW", ""), p.get("attendeePW", ""),
                p.get("record") == "true",
            )  # fmt: skip
        return (
            200,
            _success(
                meetingID=meeting.meeting_id,
                internalMeetingID=f"{meeting.meeting_id}-internal",
                parentMeetingID="bbb-none",
                attendeePW=meeting.attendee_password,
                moderatorPW=meeting.moderator_password,
                createTime="1764770400000",
                voiceBridge="70757",
                hasUserJoined="false",
                duration="0",
                hasBeenForciblyEnded="false",
                messageKey=key,
                message="This conference was already in existence and may currently be in progress."
                if key
                else "",
            ),
            "",
        )

    def _join(self, p: dict[str, str]) -> tuple[int, bytes, str]:
        meeting = self.meetings.get(p.get("meetingID", ""))
        if meeting is None:
            return 200, _failed("invalidMeetingIdentifier", NO_SUCH_MEETING), ""
        role = p.get("role", "").upper()
        if role not in ("MODERATOR", "VIEWER"):
            password = p.get("password", "")
            role = {meeting.moderator_password: "MODERATOR", meeting.attendee_password: "VIEWER"}.get(
                password, ""
            )
        if not role:
            return 200, _failed("invalidPassword", WRONG_PASSWORD), ""
        meeting.attendees.append((p.get("fullName", ""), role))
        if p.get("redirect", "true") == "true":
            return 302, b"", f"/html5client/join?sessionToken={len(meeting.attendees)}"
        return 200, _success(messageKey="successfullyJoined", meeting_id=meeting.meeting_id), ""

    def _isMeetingRunning(self, p: dict[str, str]) -> tuple[int, bytes, str]:
        meeting = self.meetings.get(p.get("meetingID", ""))
        return 200, _success(running="true" if meeting is not None and meeting.attendees else "false"), ""

    def _getMeetingInfo(self, p: dict[str, str]) -> tuple[int, bytes, str]:
        meeting = self.meetings.get(p.get("meetingID", ""))
        if meeting is None:
            return 200, _failed("notFound", "We could not find a meeting with that meeting ID"), ""
        moderators = sum(1 for _name, role in meeting.attendees if role == "MODERATOR")
        return (
            200,
            _success(
                meetingName=meeting.name,
                meetingID=meeting.meeting_id,
                running="true" if meeting.attendees else "false",
                recording="false",
                participantCount=str(len(meeting.attendees)),
                moderatorCount=str(moderators),
                listenerCount="0",
                voiceParticipantCount="0",
                videoCount="0",
                maxUsers="0",
            ),
            "",
        )

    def _end(self, p: dict[str, str]) -> tuple[int, bytes, str]:
        meeting = self.meetings.get(p.get("meetingID", ""))
        if meeting is None:
            return 200, _failed("notFound", NOT_RUNNING), ""
        if p.get("password") not in (None, meeting.moderator_password):
            return (
                200,
                _failed("invalidPassword", "You must supply the moderator password for this call."),
                "",
            )
        del self.meetings[meeting.meeting_id]
        return (
            200,
            _success(messageKey="sentEndMeetingRequest", message="A request to end the meeting was sent."),
            "",
        )


def _success(**elements: str) -> bytes:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in elements.items())
    return f"<response><returncode>SUCCESS</returncode>{inner}</response>".encode()


def _failed(key: str, message: str) -> bytes:
    return (
        f"<response><returncode>FAILED</returncode><messageKey>{key}</messageKey>"
        f"<message>{escape(message)}</message></response>"
    ).encode()
