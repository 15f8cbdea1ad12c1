"""A real SFTP server on 127.0.0.1 for the delivery's tests: asyncssh, in a thread with its own event loop,
serving one folder (chroot) to one client key. Its host key and the client's key are made for each test."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import asyncssh


class SftpServer:
    def __init__(self, root: Path, client_public_key: str) -> None:
        self.root = root
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.authorized = asyncssh.import_authorized_keys(client_public_key)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.port = 0

    async def _listen(self) -> asyncssh.SSHAcceptor:
        root = str(self.root).encode()
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            authorized_client_keys=self.authorized,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root),
            allow_scp=False,
        )

    def start(self) -> SftpServer:
        self.thread.start()
        self.acceptor = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(timeout=30)
        self.port = self.acceptor.get_port()
        return self

    def known_hosts_line(self) -> str:
        public = self.host_key.export_public_key("openssh").decode().strip()
        return f"[127.0.0.1]:{self.port} {public}\n"

    async def _shut(self) -> None:
        if self.acceptor is not None:
            self.acceptor.close()
        # A client refused in the middle of its handshake may leave its connection's tasks behind.
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()


def client_key(folder: Path, name: str = "gar_key") -> tuple[Path, str]:
    """A new private key written in OpenSSH's format (mode 600), and its public line."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = folder / name
    path.write_bytes(key.export_private_key("openssh"))
    path.chmod(0o600)
    return path, key.export_public_key("openssh").decode()
