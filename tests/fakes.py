"""A fake Telegram Bot API at PTB's request seam, so the real ``Bot`` stack runs in every test.

``FakeBotAPI`` plays the part of aiogram's ``MockedSession``: everything above the request
object (serialization, error mapping, the rate limiter) is PTB's own code. It records every
call, answers the methods newsbot uses with Telegram-shaped JSON, can be scripted to fail the
way Telegram fails (429 + retry_after, 403, 400 parse errors, migrate_to_chat_id, network
errors) and fails the test on any unscripted unknown method, like PTB's ``OfflineRequest``.

Usage::

    api = FakeBotAPI()
    bot = Bot("123:ABC", request=api)            # or ApplicationBuilder().request(api)
    api.script("sendMessage", error_code=429, description="Too Many Requests: retry after 3",
               retry_after=3)
    ...
    assert [m["text"] for m in api.sent_messages(chat_id=42)] == [...]

``make_update`` builds Update JSON to feed ``await app.process_update(Update.de_json(p, app.bot))``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from telegram.request import BaseRequest, RequestData

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "FakeBotAPI",
    "HTMLParseError",
    "ScriptedFailure",
    "bot_user",
    "make_callback_query_update",
    "make_document_update",
    "make_my_chat_member_update",
    "make_update",
    "parse_telegram_html",
]

BOT_ID = 123
BOT_USERNAME = "newsbot_test_bot"
BASE_DATE = 1_764_000_000  # a fixed unix time, so messages are deterministic

_update_ids = itertools.count(1)
_message_ids = itertools.count(1000)

JSONDict = dict[str, Any]
Responder = Callable[[JSONDict], Any]


@dataclass
class ScriptedFailure:
    """One scripted failure: an error reply like Telegram's, or an exception from the transport."""

    error_code: int = 400
    description: str = ""
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    exception: BaseException | None = None
    times: int = 1
    chat_id: int | None = None


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- Telegram's HTML parse mode, strictly enough to catch our own mistakes -------------------

_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span", "tg-emoji",
}  # fmt: skip
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


class HTMLParseError(ValueError):
    """The text would make Telegram answer ``Bad Request: can't parse entities: ...``."""


def parse_telegram_html(text: str) -> str:
    """Return the plain text Telegram would show, or raise ``HTMLParseError`` like Telegram.

    Rules followed: only Telegram's tags, properly nested and all closed; ``<`` must start a
    tag; entities are ``&lt; &gt; &amp; &quot;`` and numeric ones (a bare ``&`` is kept as is).
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG_RE.match(text, pos)
            offset = len(text[:pos].encode("utf-8"))
            if match is None:
                raise HTMLParseError(f"Unsupported start tag at byte offset {offset}")
            closing, name, _attrs, _selfclose = match.groups()
            name = name.lower()
            if name not in _ALLOWED_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not stack or stack[-1] != name:
                    raise HTMLParseError(
                        f"Unmatched end tag at byte offset {offset}, "
                        f'expected "{stack[-1] if stack else ""}", found "{name}"'
                    )
                stack.pop()
            else:
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY_RE.match(text, pos)
            if match is None:
                out.append("&")
                pos += 1
            else:
                out.append(html.unescape(match.group(0)))
                pos = match.end()
        else:
            out.append(char)
            pos += 1
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


# --- the fake -----------------------------------------------------------------------------------


class FakeBotAPI(BaseRequest):
    """The Bot API as a ``BaseRequest``: records calls, answers like Telegram, fails on cue."""

    def __init__(self, *, validate_html: bool = True, strict: bool = True) -> None:
        self.calls: list[tuple[str, JSONDict]] = []
        self.validate_html = validate_html
        self.strict = strict
        self.unknown_methods: list[str] = []
        self._failures: dict[str, list[ScriptedFailure]] = {}
        self._results: dict[str, Responder] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._updates: list[JSONDict] = []
        self._sent: list[JSONDict] = []
        self._files: dict[str, tuple[str, bytes]] = {}
        self.initialized = False

    # -- BaseRequest ---------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        self.initialized = True

    async def shutdown(self) -> None:
        self.initialized = False

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
        if "/file/bot" in url:  # a file download (File.download_*): GET base_file_url/path
            file_path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            self.calls.append(("downloadFile", {"file_path": file_path}))
            for path, content in self._files.values():
                if path == file_path:
                    return 200, content
            return 404, b"Not Found"
        api_method = url.rsplit("/", 1)[-1]
        params: JSONDict = {}
        if request_data is not None:
            params = json.loads(json.dumps(request_data.parameters))
        self.calls.append((api_method, params))

        failure = self._next_failure(api_method, params.get("chat_id"))
        if failure is not None:
            if failure.exception is not None:
                raise failure.exception
            return self._error(
                failure.error_code,
                failure.description,
                retry_after=failure.retry_after,
                migrate_to_chat_id=failure.migrate_to_chat_id,
            )
        try:
            result = self._answer(api_method, params)
        except HTMLParseError as exc:
            return self._error(400, f"Bad Request: can't parse entities: {exc}")
        except _TelegramReply as reply:
            return self._error(reply.code, reply.description)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # -- scripting -----------------------------------------------------------------------------

    def script(
        self,
        method: str,
        *,
        error_code: int = 400,
        description: str = "",
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        exception: BaseException | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, when given) fail like
        Telegram, or raise ``exception`` from the transport (e.g. ``telegram.error.TimedOut()``)."""
        if not description:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
            }.get(error_code, "Bad Request: can't parse entities: scripted")
            if migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._failures.setdefault(method, []).append(
            ScriptedFailure(
                error_code, description, retry_after, migrate_to_chat_id, exception, times, chat_id
            )
        )

    def set_result(self, method: str, result: Any | Responder) -> None:
        """Answer ``method`` with a fixed result, or with ``result(params)`` when callable."""
        self._results[method] = result if callable(result) else (lambda _params: result)

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """``getChatMember`` answers this status ("creator", "administrator", "member", ...)."""
        self._members[(chat_id, user_id)] = status

    def add_file(self, file_id: str, content: bytes, *, file_path: str | None = None) -> None:
        """Make ``getFile(file_id)`` answer, and its download return ``content``."""
        self._files[file_id] = (file_path or f"documents/{file_id}", content)

    def queue_update(self, update: JSONDict) -> None:
        """Hand ``update`` to the next ``getUpdates`` call (for run_polling tests)."""
        self._updates.append(update)

    # -- inspection ----------------------------------------------------------------------------

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Parameters of every ``sendMessage`` Telegram accepted, oldest first."""
        return [m for m in self._sent if chat_id is None or m.get("chat_id") == chat_id]

    def calls_to(self, method: str) -> list[JSONDict]:
        """Parameters of every call of ``method`` (accepted or not), oldest first."""
        return [params for name, params in self.calls if name == method]

    def clear(self) -> None:
        """Forget the recorded calls (scripts and member statuses stay)."""
        self.calls.clear()
        self._sent.clear()

    # -- internals -----------------------------------------------------------------------------

    def _next_failure(self, method: str, chat_id: Any) -> ScriptedFailure | None:
        queue = self._failures.get(method, [])
        for failure in queue:
            if failure.chat_id is None or str(failure.chat_id) == str(chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    queue.remove(failure)
                return failure
        return None

    @staticmethod
    def _error(
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> tuple[int, bytes]:
        body: JSONDict = {"ok": False, "error_code": code, "description": description}
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return code, json.dumps(body).encode()

    def _answer(self, method: str, params: JSONDict) -> Any:
        if method in self._results:
            return self._results[method](params)
        if method == "getMe":
            return bot_user()
        if method in ("sendMessage", "editMessageText"):
            message = self._message(params)
            if method == "sendMessage":
                self._sent.append(params)
            return message
        if method == "getUpdates":
            updates, self._updates = self._updates, []
            return updates
        if method == "getFile":
            file_id = str(params["file_id"])
            if file_id not in self._files:
                raise _TelegramReply(400, "Bad Request: invalid file_id")
            path, content = self._files[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(content),
                "file_path": path,
            }
        if method == "getChatMember":
            return self._member(int(params["chat_id"]), int(params["user_id"]))
        if method == "getChatAdministrators":
            chat_id = int(params["chat_id"])
            return [
                self._member(chat, user)
                for (chat, user), status in self._members.items()
                if chat == chat_id and status in ("creator", "administrator")
            ]
        if method in _TRUE_METHODS:
            return True
        if method == "getMyCommands":
            return []
        self.unknown_methods.append(method)
        if self.strict:
            pytest.fail(f"FakeBotAPI: unscripted Bot API method {method!r} called")
        return self._error(404, "Not Found")

    def _message(self, params: JSONDict) -> JSONDict:
        text = str(params.get("text", ""))
        chat_id = int(params["chat_id"])
        shown = text
        if self.validate_html and str(params.get("parse_mode", "")).upper() == "HTML":
            shown = parse_telegram_html(text)
        if not shown.strip():
            raise _TelegramReply(400, "Bad Request: message text is empty")
        if _utf16_len(shown) > 4096:
            raise _TelegramReply(400, "Bad Request: message is too long")
        message_id = int(params["message_id"]) if "message_id" in params else next(_message_ids)
        message: JSONDict = {
            "message_id": message_id,
            "date": BASE_DATE + message_id,
            "chat": {"id": chat_id, "type": _chat_type(chat_id)},
            "from": bot_user(),
            "text": shown,
        }
        if "message_thread_id" in params:
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        return message

    def _member(self, chat_id: int, user_id: int) -> JSONDict:
        status = self._members.get((chat_id, user_id), "member")
        member: JSONDict = {
            "status": status,
            "user": {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": f"User{user_id}"},
        }
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
            member["can_be_edited"] = False
            member["is_anonymous"] = False
        elif status == "restricted":
            member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
            member["is_member"] = True
            member["until_date"] = 0
        elif status == "kicked":
            member["until_date"] = 0
        return member


class _TelegramReply(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


_TRUE_METHODS = {
    "setMyCommands", "deleteMyCommands", "deleteWebhook", "setWebhook", "answerCallbackQuery",
    "sendChatAction", "setChatMenuButton", "setMyDescription", "setMyShortDescription",
    "close", "logOut", "deleteMessage", "leaveChat",
}  # fmt: skip
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip
_RESTRICTED_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics",
)  # fmt: skip


def bot_user() -> JSONDict:
    """The bot's own ``User`` JSON, as ``getMe`` returns it."""
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Newsbot",
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def _user(
    user_id: int, first_name: str, username: str | None, language_code: str | None = None
) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def _chat(chat_id: int, chat_type: str, title: str | None, first_name: str) -> JSONDict:
    chat: JSONDict = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name
    else:
        chat["title"] = title or f"Chat {chat_id}"
    if chat_type == "supergroup" and title is None:
        chat["is_forum"] = False
    return chat


def make_update(
    text: str,
    *,
    chat_id: int,
    user_id: int,
    chat_type: str = "private",
    reply_to_text: str | None = None,
    thread_id: int | None = None,
    chat_title: str | None = None,
    first_name: str = "Tester",
    username: str | None = "tester",
    message_id: int | None = None,
    date: int = BASE_DATE,
    update_id: int | None = None,
    language_code: str | None = None,
) -> JSONDict:
    """Update JSON for a text message; a leading ``/command`` gets its ``bot_command`` entity
    (PTB's ``CommandHandler`` needs it)."""
    message: JSONDict = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "date": date,
        "chat": _chat(chat_id, chat_type, chat_title, first_name),
        "from": _user(user_id, first_name, username, language_code),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
        message["chat"]["is_forum"] = True
    if reply_to_text is not None:
        message["reply_to_message"] = {
            "message_id": next(_message_ids),
            "date": date - 60,
            "chat": message["chat"],
            "from": bot_user(),
            "text": reply_to_text,
        }
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": message,
    }


def make_my_chat_member_update(
    *,
    chat_id: int,
    user_id: int,
    old_status: str,
    new_status: str,
    chat_type: str = "group",
    chat_title: str | None = None,
    date: int = BASE_DATE,
    update_id: int | None = None,
) -> JSONDict:
    """Update JSON for the bot's own membership change (added to / removed from a chat)."""

    def member(status: str) -> JSONDict:
        data: JSONDict = {"status": status, "user": bot_user()}
        if status == "administrator":
            data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
            data["can_be_edited"] = False
            data["is_anonymous"] = False
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "restricted":
            data.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
            data["is_member"] = True
            data["until_date"] = 0
        return data

    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "my_chat_member": {
            "chat": _chat(chat_id, chat_type, chat_title, "Tester"),
            "from": _user(user_id, "Tester", "tester"),
            "date": date,
            "old_chat_member": member(old_status),
            "new_chat_member": member(new_status),
        },
    }


def make_callback_query_update(
    data: str,
    *,
    chat_id: int,
    user_id: int,
    message_text: str = "…",
    chat_type: str = "private",
    update_id: int | None = None,
    message_id: int | None = None,
    thread_id: int | None = None,
    language_code: str | None = None,
) -> JSONDict:
    """Update JSON for a button press on one of the bot's messages."""
    message: JSONDict = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "date": BASE_DATE,
        "chat": _chat(chat_id, chat_type, None, "Tester"),
        "from": bot_user(),
        "text": message_text,
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
        message["chat"]["is_forum"] = True
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _user(user_id, "Tester", "tester", language_code),
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        },
    }


def make_document_update(
    file_id: str,
    file_name: str,
    *,
    chat_id: int,
    user_id: int,
    file_size: int | None = None,
    chat_type: str = "private",
    mime_type: str = "text/plain",
    update_id: int | None = None,
) -> JSONDict:
    """Update JSON for a file sent to the bot (``message.document``)."""
    document: JSONDict = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": file_name,
        "mime_type": mime_type,
    }
    if file_size is not None:
        document["file_size"] = file_size
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": {
            "message_id": next(_message_ids),
            "date": BASE_DATE,
            "chat": _chat(chat_id, chat_type, None, "Tester"),
            "from": _user(user_id, "Tester", "tester"),
            "document": document,
        },
    }
