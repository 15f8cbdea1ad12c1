"""A stand-in for the GAR's "liste des ressources" web service: an HTTPS server on 127.0.0.1, in a thread,
that requires a client certificate signed by its authority (mutual TLS, as the GAR does), with a certificate
authority, a server certificate and a client certificate made for each test with `cryptography`."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Pem:
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pem:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Pem(cert_path, key_path)


@dataclass
class Authority:
    """A certificate authority that signs a server's and clients' certificates."""

    folder: Path
    common_name: str = "Autorité de test"
    key: ec.EllipticCurvePrivateKey = field(init=False)
    cert: x509.Certificate = field(init=False)
    pem: Pem = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(self.common_name))
            .issuer_name(_name(self.common_name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = _write(self.folder, self.common_name.replace(" ", "-"), self.cert, self.key)

    def issue(self, common_name: str, *, server: bool) -> Pem:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
            )
        cert = builder.sign(self.key, hashes.SHA256())
        return _write(self.folder, common_name.replace(" ", "-"), cert, key)


def resource(key: str, name: str, editor: str = "Éditions Test", type_code: str = "MAN", **more: Any) -> dict:
    """One resource as the GAR describes it."""
    types = {"MAN": "manuels numériques", "MUL": "ressources d'enseignement multimédias"}
    return {
        "idRessource": key,
        "idType": "ARK",
        "nomRessource": name,
        "idEditeur": "000000000_0000000000000000",
        "nomEditeur": editor,
        "urlVignette": f"https://vignette.gar.test/{key.rsplit('/', 1)[-1]}.png",
        "typePresentation": {"code": type_code, "nom": types.get(type_code, type_code)},
        "typePedagogique": [{"uri": "http://data.education.fr/voc/scolomfr/concept/x", "nom": "manuel"}],
        "typologieDocument": [
            {"uri": "http://data.education.fr/voc/scolomfr/concept/y", "nom": "livre numérique"}
        ],
        "urlAccesRessource": f"https://idp-auth.gar.test/domaineGar?idRessource={key}",
        "nomSourceEtiquetteGar": "Accessible via le Gestionnaire d’accès aux ressources (GAR)",
        **more,
    }


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    client: str  # the common name of the client certificate shown


class GarServer:
    """Answers GET /ressources/<idENT>/<UAI>/<IDO> with the resources set in `lists[(uai, ido)]` (gzip'd when
    asked), 404 with the GAR's error shape otherwise; `status` forces another status for every request."""

    def __init__(self, authority: Authority) -> None:
        self.lists: dict[tuple[str, str], list[dict]] = {}
        self.seen: list[Seen] = []
        self.status: int | None = None
        self.refused_handshakes = 0
        server_pem = authority.issue("gar.test", server=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(server_pem.cert, server_pem.key)
        context.load_verify_locations(authority.pem.cert)
        context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no answer
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet tests
                pass

            def do_GET(self) -> None:
                peer = self.connection.getpeercert() or {}  # type: ignore[attr-defined]
                subject = dict(item[0] for item in peer.get("subject", ()))
                outer.seen.append(Seen(self.path, dict(self.headers), subject.get("commonName", "")))
                parts = self.path.split("/")
                found = None
                if len(parts) == 5 and parts[1] == "ressources":
                    found = outer.lists.get((parts[3], parts[4]))
                status = outer.status or (200 if found is not None else 404)
                if status == 200:
                    body = json.dumps({"listeRessources": {"ressource": found or []}}).encode()
                else:
                    body = json.dumps(
                        {"Erreur": {"Code": str(status), "Message": "Ressources introuvables"}}
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):  # type: ignore[override]
                sock, address = self.socket.accept()
                return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

            def finish_request(self, request: Any, client_address: Any) -> None:
                try:
                    request.do_handshake()
                except (ssl.SSLError, OSError):
                    outer.refused_handshakes += 1
                    return
                super().finish_request(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> GarServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
