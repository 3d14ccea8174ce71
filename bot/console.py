"""Local mode: an in-process Bot API stand-in with one console chat.

:class:`ConsoleBotAPI` is a PTB ``BaseRequest``: the real ``Application`` runs on top of it,
exactly as it would against Telegram. Lines typed on the console become updates from a private
chat (delivered by ``getUpdates``), and whatever the bot sends (``sendMessage``,
``editMessageText``) is printed as readable text. Standard input is read by a daemon thread that
feeds an asyncio queue, so the event loop never blocks on the keyboard; end of input stops
reading, not the bot (it keeps watching the inbox until Ctrl-C).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import sys
import threading
import time
from typing import Any, TextIO

from telegram.request import BaseRequest, RequestData

__all__ = [
    "CONSOLE_CHAT_ID",
    "LOCAL_TOKEN",
    "ConsoleBotAPI",
    "group_lines",
    "to_terminal",
]

LOCAL_TOKEN = "0:LOCAL"
CONSOLE_CHAT_ID = 1
CONSOLE_USER: dict[str, Any] = {
    "id": CONSOLE_CHAT_ID,
    "is_bot": False,
    "first_name": "You",
    "username": "console",
}
LOCAL_BOT: dict[str, Any] = {
    "id": 10,
    "is_bot": True,
    "first_name": "newsbot",
    "username": "newsbot_local_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_ACCEPTED = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "deleteWebhook",
        "sendChatAction",
        "answerCallbackQuery",
        "setChatMenuButton",
        "close",
        "logOut",
    }
)
_TAG_RE = re.compile(r"<[^>]+>")


PASTE_WINDOW = 0.05  # seconds: lines closer together than this were pasted at once


def group_lines(lines: list[str]) -> list[str]:
    """Messages from console lines: a command per line, runs of other lines joined."""
    messages: list[str] = []
    block: list[str] = []

    def flush() -> None:
        text = "\n".join(block).strip()
        if text:
            messages.append(text)
        block.clear()

    for line in lines:
        if line.strip().startswith("/"):
            flush()
            messages.append(line.strip())
        else:
            block.append(line.rstrip())
    flush()
    return messages


def to_terminal(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, entities unescaped."""
    return html.unescape(_TAG_RE.sub("", text))


class ConsoleBotAPI(BaseRequest):
    """The Bot API subset newsbot uses, served from the console (see module docstring)."""

    def __init__(
        self,
        *,
        input_stream: TextIO | None = None,
        output: TextIO | None = None,
        read_input: bool = True,
    ) -> None:
        self._input = input_stream
        self._output = output
        self._read_input = read_input
        self._queue: asyncio.Queue[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: threading.Thread | None = None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.sent: list[dict[str, Any]] = []
        # Inline buttons of the newest message that had some: "#2" on the console presses the
        # second one (the /settings keyboard, a digest's "more" numbers).
        self._buttons: tuple[int, list[str]] | None = None

    # -- BaseRequest ---------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        if self._queue is not None:
            return  # PTB initializes the updates request and the general one: same object
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        if self._read_input:
            self._reader = threading.Thread(target=self._read_lines, name="console", daemon=True)
            self._reader.start()

    async def shutdown(self) -> None:
        """Nothing to release: the reader is a daemon thread blocked on the keyboard."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if api_method == "getUpdates":
            result: Any = await self._get_updates(float(params.get("timeout") or 0))
        elif api_method == "getMe":
            result = LOCAL_BOT
        elif api_method in ("sendMessage", "editMessageText"):
            result = self._show(api_method, params)
        elif api_method == "getChatMember":
            result = {"status": "creator", "user": CONSOLE_USER, "is_anonymous": False}
        elif api_method == "getMyCommands":
            result = []
        elif api_method in _ACCEPTED:
            result = True
        else:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            return 404, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # -- console side --------------------------------------------------------------------------

    def type_line(self, line: str) -> None:
        """Queue one typed line from the console user (thread-safe). Lines that arrive together
        (a pasted article) become one message; each ``/command`` line is a message of its own."""
        if self._loop is None or self._queue is None:
            return
        self._loop.call_soon_threadsafe(self._queue.put_nowait, line.rstrip("\r\n"))

    def _read_lines(self) -> None:
        stream = self._input if self._input is not None else sys.stdin
        for line in stream:
            self.type_line(line)
        if stream.isatty():
            out = self._output if self._output is not None else sys.stdout
            print("(input closed: still watching the inbox; Ctrl-C to quit)", file=out, flush=True)

    def _update(self, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": CONSOLE_CHAT_ID, "type": "private", "first_name": "You"},
            "from": CONSOLE_USER,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    async def _get_updates(self, timeout: float) -> list[dict[str, Any]]:
        assert self._queue is not None, "initialize() first"
        lines: list[str] = []
        if self._queue.empty() and timeout > 0:
            try:
                lines.append(await asyncio.wait_for(self._queue.get(), timeout))
            except TimeoutError:
                return []
            await asyncio.sleep(PASTE_WINDOW)  # let the rest of a paste arrive
        while not self._queue.empty():
            lines.append(self._queue.get_nowait())
        return [self._press(text) or self._update(text) for text in group_lines(lines)]

    def _press(self, text: str) -> dict[str, Any] | None:
        """``#N``: a press of the N-th inline button shown last, as a callback query."""
        if not (text.startswith("#") and text[1:].isdigit()) or self._buttons is None:
            return None
        message_id, data = self._buttons
        index = int(text[1:]) - 1
        if not 0 <= index < len(data):
            return None
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": CONSOLE_USER,
                "chat_instance": str(CONSOLE_CHAT_ID),
                "data": data[index],
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": CONSOLE_CHAT_ID, "type": "private", "first_name": "You"},
                    "from": LOCAL_BOT,
                    "text": "…",
                },
            },
        }

    def _keyboard(self, message_id: int, markup: Any) -> str:
        """Remember a message's inline buttons and show them as ``[#1] label`` choices."""
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        buttons = [b for row in rows for b in row if "callback_data" in b]
        if not buttons:
            return ""
        self._buttons = (message_id, [str(b["callback_data"]) for b in buttons])
        choices = "  ".join(f"[#{n}] {b.get('text', '')}" for n, b in enumerate(buttons, 1))
        return f"\n{choices}\n(type #N to press a button)"

    def _show(self, api_method: str, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        is_html = str(params.get("parse_mode", "")).upper() == "HTML"
        shown = to_terminal(text) if is_html else text
        header = "── newsbot" + (" (edited)" if api_method == "editMessageText" else "") + " "
        out = self._output if self._output is not None else sys.stdout
        message_id = int(params.get("message_id") or next(self._message_ids))
        keyboard = (
            self._keyboard(message_id, params["reply_markup"]) if params.get("reply_markup") else ""
        )
        print(f"\n{header:─<60}\n{shown}{keyboard}", file=out, flush=True)
        self.sent.append(params)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "You"},
            "from": LOCAL_BOT,
            "text": shown,
        }
