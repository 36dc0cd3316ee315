"""A small real SMTP server on loopback for the fault tests: it can accept, refuse (a 4xx reply), stay
silent (the client times out) or hold one message's DATA until told to go on, and it records what it
accepted. Threaded, one connection per thread; enough of RFC 5321 for Django's SMTP backend."""

import socketserver
import threading
from email import message_from_bytes
from email.policy import default as default_policy


class Mode:
    ACCEPT = "accept"
    REFUSE = "refuse"  # 421 at the greeting: "service not available"
    SILENT = "silent"  # connects, never greets


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: SmtpServer = self.server.owner
        server.connections += 1
        if server.mode == Mode.SILENT:
            server.release.wait(timeout=30)
            return
        if server.mode == Mode.REFUSE:
            self.reply("421 4.3.2 Service not available, try again later")
            return
        self.reply("220 cxm-test ESMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 cxm-test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                if server.hold_on_message is not None and server.received_count() + 1 == server.hold_on_message:
                    # The message is in, the 250 is not sent: the client is "in the middle" of it. Once.
                    server.hold_on_message = None
                    server.holding.set()
                    server.release.wait(timeout=60)
                    return  # connection dropped without a 250: not accepted
                server.accept(recipients, b"".join(data))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpServer:
    def __init__(self, mode: str = Mode.ACCEPT):
        self.mode = mode
        self.messages: list[tuple[list[str], object]] = []
        self.connections = 0
        self.hold_on_message: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = _Threaded(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def accept(self, recipients: list[str], data: bytes) -> None:
        with self._lock:
            self.messages.append((recipients, message_from_bytes(data, policy=default_policy)))

    def received_count(self) -> int:
        with self._lock:
            return len(self.messages)

    def recipients(self) -> list[str]:
        with self._lock:
            return [address for recipients, _message in self.messages for address in recipients]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

