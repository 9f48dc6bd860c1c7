"""A raw RFC 6455 client for protocol tests: hand-built (masked) frames over a socket, and a
reader that returns frames exactly as the server sent them."""
from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def accept_for(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def frame(opcode: int, payload: bytes = b"", fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, (0x80 if mask else 0) | length)
    elif length <= 0xFFFF:
        header = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, length)
    else:
        header = struct.pack("!BBQ", first, (0x80 if mask else 0) | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_frame(code: int, reason: bytes = b"") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason)


class RawWebSocket:
    """An upgraded connection. `handshake()` returns the HTTP response head it got."""

    def __init__(self, port: int, path: str = "/ws/echo", timeout: float = 10.0, rcvbuf: int | None = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.path = path
        self.buffer = b""

    def handshake(self, headers: dict[str, str] | None = None, key: str | None = None) -> tuple[int, dict, bytes]:
        key = key or base64.b64encode(os.urandom(16)).decode()
        fields = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
                  "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", **(headers or {})}
        request = f"GET {self.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None)
        self.sock.sendall((request + "\r\n").encode())
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        parsed = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            parsed[name.strip().lower()] = value.strip()
        body = b""
        if "content-length" in parsed:
            body = self._read_exactly(int(parsed["content-length"]))
        return status, parsed, body

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _read_exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed while reading")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv_frame(self) -> tuple[int, bool, bytes]:
        """(opcode, fin, payload) of the next server frame; server frames must be unmasked."""
        first, second = self._read_exactly(2)
        assert second & 0x80 == 0, "server frames must not be masked"
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exactly(8))[0]
        return first & 0x0F, bool(first & 0x80), self._read_exactly(length)

    def recv_close_code(self) -> int | None:
        """Reads frames until a Close and returns its code (None for an empty Close)."""
        while True:
            opcode, _, payload = self.recv_frame()
            if opcode == CLOSE:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None

    def is_closed(self, timeout: float = 3.0) -> bool:
        """True when the server closed the TCP connection (EOF or reset) within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()
