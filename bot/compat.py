"""Tolerance for Bot API servers that are not Telegram.

newsbot needs only ``getMe``, ``getUpdates`` and ``sendMessage``. Other servers (local test
servers, gateways, self-hosted look-alikes) may lack the rest or write dates differently, and
PTB is strict about both: ``deleteWebhook`` answering 404 stops polling from starting, and a
date in milliseconds makes ``Update.de_json`` fail on a year out of range. The request class
here fixes both at the HTTP layer, so everything above it is PTB's own code, unchanged.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from telegram.request import HTTPXRequest, RequestData

__all__ = ["OPTIONAL_METHODS", "TolerantRequest", "normalize_dates"]

logger = logging.getLogger(__name__)

# Methods whose absence is harmless: answered as if the server had said "ok, true".
# (setMyCommands is not here: the app catches its failure itself and logs it.)
OPTIONAL_METHODS = frozenset({"deleteWebhook", "sendChatAction"})
_DATE_KEYS = frozenset({"date", "edit_date", "forward_date", "until_date"})
_MAX_SECONDS = 10_000_000_000  # beyond year 2286: must be milliseconds (or worse)


def _fix_date(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return 0
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return max(int(parsed.timestamp()), 0)
    if isinstance(value, float):
        value = int(value)
    if isinstance(value, int):
        while value >= _MAX_SECONDS:
            value //= 1000
        return max(value, 0)
    return 0


def normalize_dates(obj: Any) -> tuple[Any, bool]:
    """Unix-second dates wherever a server wrote ms, floats, strings or negatives; changed?"""
    changed = False
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in _DATE_KEYS and not isinstance(value, dict | list):
                fixed = _fix_date(value)
                if fixed != value or type(fixed) is not type(value):
                    obj[key] = fixed
                    changed = True
            else:
                obj[key], sub = normalize_dates(value)
                changed |= sub
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            obj[index], sub = normalize_dates(value)
            changed |= sub
    return obj, changed


class TolerantRequest(HTTPXRequest):
    """PTB's HTTPX request, forgiving missing optional methods and odd message dates."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._warned: set[str] = set()

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
        code, body = await super().do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        api_method = url.rsplit("/", 1)[-1]
        if code in _UNSUPPORTED_CODES and api_method in OPTIONAL_METHODS:
            if api_method not in self._warned:
                self._warned.add(api_method)
                logger.warning("Bot API server lacks %s; going on without it", api_method)
            return 200, b'{"ok": true, "result": true}'
        if code == 200:
            params = request_data.parameters if request_data is not None else {}
            return code, _normalize_body(api_method, body, params)
        return code, body


_UNSUPPORTED_CODES = frozenset({400, 404, 405, 501})


def _complete(api_method: str, result: Any, params: dict[str, Any]) -> tuple[Any, bool]:
    """Fill in the fields PTB insists on when a server's answer is thinner than Telegram's."""
    if api_method == "getMe" and isinstance(result, dict):
        missing = {"is_bot": True, "first_name": "bot"}
        added = {k: v for k, v in missing.items() if k not in result}
        return {**result, **added}, bool(added)
    if api_method not in ("sendMessage", "editMessageText"):
        return result, False
    message = result if isinstance(result, dict) else {}
    chat_id = params.get("chat_id", 0)
    defaults: dict[str, Any] = {
        "message_id": int(params.get("message_id") or 0),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if int(chat_id or 0) > 0 else "group"},
        "text": params.get("text", ""),
    }
    added = {k: v for k, v in defaults.items() if k not in message}
    return {**message, **added}, bool(added) or not isinstance(result, dict)


def _normalize_body(api_method: str, body: bytes, params: dict[str, Any]) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        return body
    data, changed = normalize_dates(data)
    if data.get("ok") and "result" in data:
        data["result"], completed = _complete(api_method, data["result"], params)
        changed |= completed
    return json.dumps(data).encode() if changed else body
