"""A loopback Bot API stand-in that enforces Telegram's flood limits, for the bot benchmarks.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) for PTB's httpx client,
answers the methods the bot uses, hands out updates by long polling, and records every
message it accepts with the time it accepted it. When limits are set it answers like
Telegram: HTTP 429, ``{"ok": false, "error_code": 429, "parameters": {"retry_after": N}}``.

Two ways to enforce "30 messages per second overall, 20 per minute per group":

- ``"bucket"``: token buckets (capacity = the limit, refilled evenly), the same model as
  PTB's ``AIORateLimiter`` (aiolimiter's leaky bucket), so a client that follows it never
  sees a 429;
- ``"window"``: sliding windows (never more than N accepted in any period), stricter:
  a client that bursts to the bucket's capacity after an idle period gets 429s.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

__all__ = ["FloodLimits", "LoopbackBotAPI", "SentMessage"]

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Perf",
    "username": "newsbot_perf_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the stand-in accepted, and when (``time.monotonic()``)."""

    at: float
    chat_id: int
    message_id: int
    text: str
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's documented limits; ``None`` turns one off."""

    overall_per_second: float | None = 30.0
    group_per_minute: float | None = 20.0
    model: Literal["bucket", "window"] = "bucket"


class _Bucket:
    """Token bucket: ``capacity`` tokens, refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.stamp = capacity, time.monotonic()

    def take(self, now: float) -> float:
        """0 when a token was taken, else seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class _Window:
    """Sliding window: at most ``count`` events in any ``period`` seconds."""

    def __init__(self, count: float, period: float) -> None:
        self.count, self.period = int(count), period
        self.events: deque[float] = deque()

    def take(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.period:
            self.events.popleft()
        if len(self.events) < self.count:
            self.events.append(now)
            return 0.0
        return self.events[0] + self.period - now


@dataclass(slots=True)
class _Limiter:
    limits: FloodLimits
    overall: _Bucket | _Window | None = None
    groups: dict[int, _Bucket | _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.limits.overall_per_second:
            self.overall = self._make(self.limits.overall_per_second, 1.0)

    def _make(self, count: float, period: float) -> _Bucket | _Window:
        if self.limits.model == "bucket":
            return _Bucket(count, count / period)
        return _Window(count, period)

    def check(self, chat_id: int, now: float) -> float:
        """0 to accept, else the wait Telegram would ask for. Only accepted sends count."""
        group = None
        if chat_id < 0 and self.limits.group_per_minute:
            group = self.groups.get(chat_id)
            if group is None:
                group = self.groups[chat_id] = self._make(self.limits.group_per_minute, 60.0)
        # peek without consuming: take from each, give back if another one refuses
        waits = []
        taken: list[_Bucket | _Window] = []
        for limiter in (self.overall, group):
            if limiter is None:
                continue
            wait = limiter.take(now)
            if wait:
                waits.append(wait)
            else:
                taken.append(limiter)
        if waits:
            for limiter in taken:
                if isinstance(limiter, _Bucket):
                    limiter.tokens += 1
                else:
                    limiter.events.pop()
            return max(waits)
        return 0.0


class LoopbackBotAPI:
    """Bot API stand-in on 127.0.0.1; start it, point ``base_url`` at it, read ``sent``."""

    def __init__(self, limits: FloodLimits | None = None, *, latency: float = 0.0) -> None:
        self.limits = limits or FloodLimits(None, None)
        self.latency = latency
        self.sent: list[SentMessage] = []
        self.calls: defaultdict[str, int] = defaultdict(int)
        self.rejected = 0
        self.handed_out: dict[int, float] = {}  # update_id -> when getUpdates returned it
        self._limiter = _Limiter(self.limits)
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._new_message = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def __aenter__(self) -> LoopbackBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- test-side helpers -------------------------------------------------------------

    def push_message(
        self, text: str, *, chat_id: int, user_id: int | None = None, chat_type: str = "private"
    ) -> int:
        """Queue an incoming text message for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        user_id = user_id if user_id is not None else abs(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Reader"
        else:
            chat["title"] = f"Group {chat_id}"
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
        self._updates.append(
            {
                "update_id": update_id,
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": chat,
                    "from": {"id": user_id, "is_bot": False, "first_name": "Reader"},
                    "text": text,
                    "entities": entities,
                },
            }
        )
        self._new_update.set()
        return update_id

    async def wait_for_messages(
        self, count: int, *, chat_id: int | None = None, timeout: float = 30.0
    ) -> list[SentMessage]:
        """Wait until ``count`` messages (to ``chat_id``, or any) were accepted."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.sent if chat_id is None or m.chat_id == chat_id]
            if len(found) >= count:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(found)} of {count} messages after {timeout} s")
            self._new_message.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_message.wait(), left)

    def release_polls(self) -> None:
        """Answer waiting getUpdates calls now (empty), so a stopping bot need not wait."""
        self._new_update.set()

    # ---- HTTP --------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, payload = await self._dispatch(path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    @staticmethod
    def _params(headers: dict[str, str], body: bytes) -> dict[str, Any]:
        kind = headers.get("content-type", "")
        if not body:
            return {}
        if kind.startswith("application/json"):
            return dict(json.loads(body))
        if kind.startswith("multipart/form-data"):
            boundary = kind.split("boundary=", 1)[1].strip('"').encode()
            out: dict[str, Any] = {}
            for part in body.split(b"--" + boundary):
                head, _, value = part.partition(b"\r\n\r\n")
                if b'name="' not in head:
                    continue
                name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
                out[name] = value.rstrip(b"\r\n").decode("utf-8", "replace")
            return out
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))

    async def _dispatch(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        method = path.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        params = self._params(headers, body)
        self.calls[method] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        result = await handler(params)
        if isinstance(result, tuple):
            return result
        return 200, {"ok": True, "result": result}

    # ---- methods -----------------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        now = time.monotonic()
        for update in self._updates:
            self.handed_out.setdefault(update["update_id"], now)
        return list(self._updates)

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        wait = self._limiter.check(chat_id, now)
        if wait:
            self.rejected += 1
            retry_after = max(1, math.ceil(wait))
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            }
        thread = params.get("message_thread_id")
        message = SentMessage(
            now,
            chat_id,
            next(self._message_ids),
            str(params.get("text", "")),
            int(thread) if thread not in (None, "") else None,
        )
        self.sent.append(message)
        self._new_message.set()
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = f"Group {chat_id}"
        return {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": message.text,
        }

    async def _m_getchatmember(self, params: dict[str, Any]) -> Any:
        user_id = int(params.get("user_id") or 1)
        return {
            "status": "creator",
            "is_anonymous": False,
            "user": {"id": user_id, "is_bot": False, "first_name": "Reader"},
        }

    async def _m_getchatadministrators(self, params: dict[str, Any]) -> Any:
        return [await self._m_getchatmember({"user_id": 1})]

    async def _m_getchat(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        kind = "private" if chat_id > 0 else "supergroup"
        return {"id": chat_id, "type": kind, "accent_color_id": 0, "max_reaction_count": 11}
