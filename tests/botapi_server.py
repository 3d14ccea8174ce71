"""A loopback HTTP server speaking the Bot API subset newsbot needs, for end-to-end tests.

It answers ``getMe``, ``getUpdates`` (long poll with ``timeout``) and ``sendMessage``; every
other method gets ``404 {"ok": false, "description": "Not Found: method not found"}`` unless
listed in ``extra_methods``. ``date_style`` makes message dates odd on purpose ("ms" for
milliseconds, "zero", "string", "iso"), as some non-Telegram servers write them;
``unsupported_code`` changes the 404, and ``thin_replies`` answers ``sendMessage`` with a bare
``true`` instead of the Message. Built on
``asyncio.start_server`` with a tiny HTTP/1.1 parser (keep-alive, Content-Length bodies,
form-urlencoded or JSON parameters), so it runs in the test's own event loop.

Usage::

    async with BotAPIServer() as server:
        settings = Settings(TELEGRAM_API_BASE_URL=server.base_url, ...)
        server.queue_text("/start", chat_id=42, user_id=42)
        await server.wait_for_messages(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any, Literal
from urllib.parse import parse_qsl

__all__ = ["BotAPIServer"]

JSONDict = dict[str, Any]
DateStyle = Literal["seconds", "ms", "zero", "string", "iso"]

BOT_USER: JSONDict = {
    "id": 777,
    "is_bot": True,
    "first_name": "Loopback",
    "username": "loopback_news_bot",
}


class BotAPIServer:
    """See the module docstring. ``calls`` records ``(method, params)`` for every request."""

    def __init__(
        self,
        *,
        token: str = "777:LOOPBACK-token",
        extra_methods: frozenset[str] = frozenset(),
        date_style: DateStyle = "seconds",
        unsupported_code: int = 404,
        thin_replies: bool = False,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.extra_methods = extra_methods
        self.date_style = date_style
        self.unsupported_code = unsupported_code
        self.thin_replies = thin_replies
        self.latency = latency  # seconds each sendMessage takes (a far-away server)
        self.in_flight = 0
        self.max_in_flight = 0  # most sendMessage requests being answered at once
        self.calls: list[tuple[str, JSONDict]] = []
        self.sent: list[JSONDict] = []
        self._updates: list[JSONDict] = []
        self._new_update = asyncio.Event()
        self._new_message = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = False
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> BotAPIServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self._closing = True
        self._new_update.set()  # long polls answer now
        for writer in list(self._writers):
            writer.close()  # idle keep-alive connections end their read loop
        if self._clients:
            await asyncio.wait(list(self._clients), timeout=2)
        await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        """Value for ``TELEGRAM_API_BASE_URL`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- scripting -----------------------------------------------------------------------------

    def _date(self) -> Any:
        now = int(time.time())
        return {
            "seconds": now,
            "ms": now * 1000,
            "zero": 0,
            "string": str(now),
            "iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        }[self.date_style]

    def queue_text(
        self,
        text: str,
        *,
        chat_id: int,
        user_id: int,
        chat_type: str = "private",
        title: str | None = None,
    ) -> None:
        """Queue a text message from a user (a ``/command`` gets its entity)."""
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Tester"
        else:
            chat["title"] = title or f"Group {chat_id}"
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": self._date(),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Tester"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.queue_update({"message": message})

    def queue_update(self, update: JSONDict) -> None:
        """Queue any update (``update_id`` is filled in)."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()

    def messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Parameters of every accepted ``sendMessage``, oldest first."""
        return [m for m in self.sent if chat_id is None or int(m["chat_id"]) == chat_id]

    async def wait_for_messages(
        self, count: int, *, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[JSONDict]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``)."""
        async with asyncio.timeout(timeout):
            while len(self.messages(chat_id)) < count:
                self._new_message.clear()
                await self._new_message.wait()
        return self.messages(chat_id)

    # -- HTTP ----------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        self._writers.add(writer)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                _verb, path, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, payload = await self._handle(path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._clients.discard(task)
            self._writers.discard(writer)
            writer.close()

    @staticmethod
    def _params(headers: dict[str, str], body: bytes) -> JSONDict:
        if not body:
            return {}
        if headers.get("content-type", "").startswith("application/json"):
            loaded = json.loads(body)
            return loaded if isinstance(loaded, dict) else {}
        params: JSONDict = {}
        for key, value in parse_qsl(body.decode(), keep_blank_values=True):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    async def _handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, JSONDict]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = path[len(prefix) :]
        params = self._params(headers, body)
        self.calls.append((method, params))
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(params)}
        if method == "sendMessage":
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.latency)  # 0: still lets other requests in
            finally:
                self.in_flight -= 1
            message = self._send(params)
            return 200, {"ok": True, "result": True if self.thin_replies else message}
        if method in self.extra_methods:
            return 200, {"ok": True, "result": True}
        code = self.unsupported_code
        return code, {"ok": False, "error_code": code, "description": "Not Found: method not found"}

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and not self._closing:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout") or 0))
        return list(self._updates)

    def _send(self, params: JSONDict) -> JSONDict:
        self.sent.append(params)
        self._new_message.set()
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": self._date(),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "x"},
            "from": BOT_USER,
            "text": str(params.get("text", "")),
        }
