"""The bot's own words in English and Russian: one catalogue, keyed by message id.

No gettext: the bot says a few dozen things, and a dict keeps every language of one message
side by side, so a missing translation is one ``assert`` in a test away (every id has every
language, with the same ``{placeholders}``). Texts are Telegram HTML: values formatted into
them must be escaped by the caller (:func:`t` does not know which values are user text).

Which language: the chat's ``/settings`` choice when it made one, else the sender's Telegram
language (``update.effective_user.language_code``), else English.
"""

from __future__ import annotations

from typing import Final, Literal

from .errors import UsageError

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "Problem",
    "pick_language",
    "t",
]

Language = Literal["en", "ru"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "ru")
DEFAULT_LANGUAGE: Final[Language] = "en"

CATALOGUE: Final[dict[str, dict[Language, str]]] = {
    # --- command menu (setMyCommands and /help) ---
    "cmd.start": {"en": "Welcome and what this bot does", "ru": "Приветствие и что умеет бот"},
    "cmd.help": {"en": "List of commands", "ru": "Список команд"},
    "cmd.summary": {
        "en": "Newest article's summary; /summary words finds one",
        "ru": "Сводка свежей статьи; /summary слова — поиск",
    },
    "cmd.quotes": {
        "en": "Key quotes of the newest (or matching) article",
        "ru": "Главные цитаты свежей (или найденной) статьи",
    },
    "cmd.subscribe": {
        "en": "Posts here: instant, 'daily HH:MM' or 'every N h'",
        "ru": "Публикации сюда: сразу, 'daily ЧЧ:ММ' или 'every N h'",
    },
    "cmd.unsubscribe": {"en": "Stop posts in this chat", "ru": "Остановить публикации в чате"},
    "cmd.settings": {
        "en": "Mode, digest time, time zone, length, quotes, language",
        "ru": "Режим, время сводки, часовой пояс, длина, цитаты, язык",
    },
    "cmd.filter": {
        "en": "Keyword filters: /filter add|remove|list|clear",
        "ru": "Фильтры по словам: /filter add|remove|list|clear",
    },
    "cmd.timezone": {
        "en": "Set this chat's time zone, e.g. /timezone Europe/Berlin",
        "ru": "Часовой пояс чата, напр. /timezone Europe/Moscow",
    },
    "cmd.status": {"en": "Inbox, queue and subscription status", "ru": "Состояние бота и подписки"},
    # --- help ---
    "help.intro": {
        "en": "<b>newsbot</b> posts summaries and key quotes of news articles.",
        "ru": "<b>newsbot</b> публикует краткие сводки и главные цитаты новостей.",
    },
    "help.examples": {
        "en": "Examples: <code>/summary harbour</code>, <code>/subscribe daily 08:00</code>, "
        "<code>/subscribe every 6 h</code>, <code>/filter add ferry, night bus</code>, "
        "<code>/timezone Europe/Berlin</code>.",
        "ru": "Примеры: <code>/summary гавань</code>, <code>/subscribe daily 08:00</code>, "
        "<code>/subscribe every 6 h</code>, <code>/filter add паром, ночной автобус</code>, "
        "<code>/timezone Europe/Moscow</code>.",
    },
    "help.reply": {
        "en": "Reply to a long message with /summary to summarize that text.",
        "ru": "Ответьте командой /summary на длинное сообщение, чтобы получить его сводку.",
    },
    "help.admin": {
        "en": "Admins: send a file (.txt .md .html .eml .json) or a long text in a private chat "
        "with the bot to add it to the news inbox.",
        "ru": "Администраторы: отправьте боту в личном чате файл (.txt .md .html .eml .json) "
        "или длинный текст, чтобы добавить его во входящие новости.",
    },
    # --- errors and access ---
    "err.admins_only": {
        "en": "Sorry, only this group's admins can change its subscriptions and settings.",
        "ru": "Извините, подписки и настройки группы могут менять только её администраторы.",
    },
    "err.generic": {
        "en": "Sorry, something went wrong on my side. Please try again later.",
        "ru": "Извините, у меня что-то сломалось. Попробуйте позже.",
    },
    "err.unknown_command": {
        "en": "I don't know that command. Try /help.",
        "ru": "Я не знаю такой команды. Посмотрите /help.",
    },
    "err.no_articles": {
        "en": "No articles yet: the inbox is empty.",
        "ru": "Статей пока нет: входящие пусты.",
    },
    "err.no_match": {"en": "No article matches {words}.", "ru": "Нет статей по запросу {words}."},
    "err.too_short": {
        "en": "That message is too short to summarize.",
        "ru": "Это сообщение слишком короткое для сводки.",
    },
    "err.cannot_summarize": {
        "en": "I couldn't summarize that text: {reason}",
        "ru": "Не получилось сделать сводку этого текста: {reason}",
    },
    "err.article_gone": {
        "en": "That article is no longer available.",
        "ru": "Эта статья больше недоступна.",
    },
    "hint.private": {
        "en": "Send /help for the commands, or paste a whole article to get its summary.",
        "ru": "Отправьте /help, чтобы увидеть команды, или вставьте статью целиком для сводки.",
    },
    # --- subscriptions ---
    "sub.instant": {
        "en": "every new article as it arrives",
        "ru": "каждую новую статью сразу",
    },
    "sub.daily": {
        "en": "a daily digest at {at} ({tz})",
        "ru": "ежедневную сводку в {at} ({tz})",
    },
    "sub.every": {"en": "a digest every {hours} h", "ru": "сводку каждые {hours} ч"},
    "sub.done": {
        "en": "Subscribed: this chat gets {what}.",
        "ru": "Готово: этот чат получает {what}.",
    },
    "sub.tz_hint": {
        "en": " Change the time zone with /timezone Area/City.",
        "ru": " Часовой пояс меняется командой /timezone Регион/Город.",
    },
    "sub.usage": {
        "en": "Usage: /subscribe (every new article), /subscribe daily HH:MM (a daily digest) "
        "or /subscribe every N h (a digest every N hours).",
        "ru": "Как подписаться: /subscribe (каждая новая статья), /subscribe daily ЧЧ:ММ "
        "(ежедневная сводка) или /subscribe every N h (сводка каждые N часов).",
    },
    "sub.bad_time": {
        "en": "I can't read {text} as a time; write it as HH:MM, e.g. 08:30.",
        "ru": "Не понимаю время {text}; напишите ЧЧ:ММ, например 08:30.",
    },
    "sub.not_a_time": {
        "en": "{text} is not a time of day; use 00:00 to 23:59.",
        "ru": "{text} — не время суток; используйте 00:00–23:59.",
    },
    "sub.hours_range": {
        "en": "Choose between 1 and {hours} hours.",
        "ru": "Выберите от 1 до {hours} часов.",
    },
    "sub.none": {"en": "This chat had no subscription.", "ru": "У этого чата не было подписки."},
    "sub.removed": {
        "en": "Unsubscribed: no more posts here.",
        "ru": "Подписка отменена: публикаций здесь больше не будет.",
    },
    "sub.needed": {
        "en": "Subscribe first (/subscribe), then add filters.",
        "ru": "Сначала подпишитесь (/subscribe), затем добавьте фильтры.",
    },
    # --- time zone ---
    "tz.show": {
        "en": "This chat's time zone is {tz}. Change it with /timezone Area/City, "
        "e.g. /timezone Europe/Berlin.",
        "ru": "Часовой пояс чата: {tz}. Изменить: /timezone Регион/Город, "
        "например /timezone Europe/Moscow.",
    },
    "tz.usage": {
        "en": "Usage: /timezone Area/City, for example /timezone Europe/Berlin.",
        "ru": "Как указать: /timezone Регион/Город, например /timezone Europe/Moscow.",
    },
    "tz.unknown": {
        "en": "I don't know the time zone {name}. Use an Area/City name such as "
        "Europe/Berlin, America/New_York or Asia/Tokyo.",
        "ru": "Не знаю часовой пояс {name}. Укажите Регион/Город, например "
        "Europe/Moscow, Europe/Berlin или Asia/Tokyo.",
    },
    "tz.unloadable": {
        "en": "The time zone {name} can't be loaded here.",
        "ru": "Часовой пояс {name} здесь не загружается.",
    },
    "tz.set": {"en": "Time zone set to {tz}.", "ru": "Часовой пояс: {tz}."},
    "tz.moved": {"en": " Rescheduled {count} digest(s).", "ru": " Перенесено сводок: {count}."},
    # --- filters ---
    "filter.usage": {
        "en": "Usage: /filter add ferry, night bus · /filter add -sport (skip stories with it) · "
        "/filter remove ferry · /filter list · /filter clear. Words and phrases, any case; "
        "ferr* matches ferry and ferries.",
        "ru": "Как пользоваться: /filter add паром, ночной автобус · /filter add -спорт "
        "(пропускать такие новости) · /filter remove паром · /filter list · /filter clear. "
        "Слова и фразы в любом регистре; паром* найдёт «паром» и «паромы».",
    },
    "filter.none": {
        "en": "No filters: this chat gets every story.",
        "ru": "Фильтров нет: чат получает все новости.",
    },
    "filter.list": {
        "en": "Filters for this chat:\n{lines}",
        "ru": "Фильтры этого чата:\n{lines}",
    },
    "filter.include": {"en": "only stories with", "ru": "только новости со словами"},
    "filter.exclude": {"en": "never stories with", "ru": "без новостей со словами"},
    "filter.added": {"en": "Added: {items}.", "ru": "Добавлено: {items}."},
    "filter.removed": {"en": "Removed: {items}.", "ru": "Удалено: {items}."},
    "filter.not_found": {
        "en": "No such filter: {items}.",
        "ru": "Таких фильтров нет: {items}.",
    },
    "filter.cleared": {
        "en": "Filters cleared: this chat gets every story.",
        "ru": "Фильтры удалены: чат получает все новости.",
    },
    "filter.too_many": {
        "en": "At most {count} filters per chat.",
        "ru": "Не больше {count} фильтров на чат.",
    },
    "filter.too_long": {
        "en": "A filter is at most {count} characters.",
        "ru": "Фильтр — не больше {count} символов.",
    },
    "filter.empty": {
        "en": "That filter has no letters or digits.",
        "ru": "В этом фильтре нет ни букв, ни цифр.",
    },
    # --- settings menu ---
    "set.title": {"en": "<b>Settings</b> for this chat", "ru": "<b>Настройки</b> этого чата"},
    "set.mode": {"en": "Posts", "ru": "Публикации"},
    "set.mode.off": {"en": "off", "ru": "выключены"},
    "set.mode.instant": {"en": "instant", "ru": "сразу"},
    "set.mode.daily": {"en": "daily at {at}", "ru": "ежедневно в {at}"},
    "set.mode.every": {"en": "every {hours} h", "ru": "каждые {hours} ч"},
    "set.tz": {"en": "Time zone", "ru": "Часовой пояс"},
    "set.length": {"en": "Summary length", "ru": "Длина сводки"},
    "set.length.short": {"en": "short", "ru": "короткая"},
    "set.length.normal": {"en": "normal", "ru": "обычная"},
    "set.length.long": {"en": "long", "ru": "длинная"},
    "set.quotes": {"en": "Quotes", "ru": "Цитаты"},
    "set.on": {"en": "on", "ru": "вкл."},
    "set.off": {"en": "off", "ru": "выкл."},
    "set.language": {"en": "Language", "ru": "Язык"},
    "set.language.auto": {"en": "as your Telegram", "ru": "как в Telegram"},
    "set.filters": {"en": "Filters", "ru": "Фильтры"},
    "set.btn.mode": {"en": "Mode", "ru": "Режим"},
    "set.btn.time": {"en": "Digest time", "ru": "Время сводки"},
    "set.btn.tz": {"en": "Time zone", "ru": "Часовой пояс"},
    "set.btn.length": {"en": "Length", "ru": "Длина"},
    "set.btn.quotes": {"en": "Quotes on/off", "ru": "Цитаты вкл/выкл"},
    "set.btn.language": {"en": "Language", "ru": "Язык"},
    "set.btn.back": {"en": "« Back", "ru": "« Назад"},
    "set.btn.close": {"en": "Done", "ru": "Готово"},
    "set.pick.mode": {"en": "How should posts arrive?", "ru": "Как присылать новости?"},
    "set.pick.time": {
        "en": "Daily digest at (your time zone {tz}):",
        "ru": "Ежедневная сводка в (часовой пояс {tz}):",
    },
    "set.pick.tz": {
        "en": "Pick a time zone (any other: /timezone Area/City):",
        "ru": "Выберите часовой пояс (другой: /timezone Регион/Город):",
    },
    "set.pick.length": {"en": "Summary length:", "ru": "Длина сводки:"},
    "set.pick.language": {"en": "Language of the bot:", "ru": "Язык бота:"},
    "set.saved": {"en": "Saved", "ru": "Сохранено"},
    "set.closed": {"en": "Settings saved.", "ru": "Настройки сохранены."},
    "set.stale": {
        "en": "This menu is out of date; send /settings again.",
        "ru": "Это меню устарело; отправьте /settings ещё раз.",
    },
    "hello.group": {
        "en": "Hello! I post news summaries. A group admin can turn posts on with /subscribe "
        "(or /subscribe daily HH:MM) and tune them with /settings. /help lists everything.",
        "ru": "Здравствуйте! Я публикую краткие сводки новостей. Администратор группы может "
        "включить их командой /subscribe (или /subscribe daily ЧЧ:ММ) и настроить в /settings. "
        "Все команды — /help.",
    },
    # --- status ---
    "status.title": {"en": "<b>newsbot status</b>", "ru": "<b>Состояние newsbot</b>"},
    "status.inbox": {"en": "Inbox: <code>{path}</code>", "ru": "Входящие: <code>{path}</code>"},
    "status.settling": {
        "en": " ({count} file(s) settling)",
        "ru": " (файлов в записи: {count})",
    },
    "status.articles": {"en": "Articles: {count}", "ru": "Статей: {count}"},
    "status.queue": {
        "en": "Queue: {pending} pending, {sent} sent, {failed} failed",
        "ru": "Очередь: ждут {pending}, отправлено {sent}, ошибок {failed}",
    },
    "status.last": {"en": "Last post: {ago}", "ru": "Последняя публикация: {ago}"},
    "status.never": {"en": "never", "ru": "не было"},
    "status.ago": {"en": "{amount} ago", "ru": "{amount} назад"},
    "status.chat": {
        "en": "This chat: time zone {tz}; ",
        "ru": "Этот чат: часовой пояс {tz}; ",
    },
    "status.paused": {"en": " (paused)", "ru": " (приостановлено)"},
    "status.not_subscribed": {"en": "not subscribed", "ru": "нет подписки"},
    "status.bad": {"en": "Recent bad files:", "ru": "Недавние нечитаемые файлы:"},
    # --- posts ---
    "post.key_quotes": {"en": "Key quotes", "ru": "Главные цитаты"},
    "post.quotes": {"en": "Quotes", "ru": "Цитаты"},
    "post.no_quotes": {
        "en": "No direct quotes in this article.",
        "ru": "В этой статье нет прямых цитат.",
    },
    "post.source": {"en": "Source", "ru": "Источник"},
    "post.sources": {"en": "Sources", "ru": "Источники"},
    "post.untitled": {"en": "Untitled article", "ru": "Статья без заголовка"},
    "post.transient_title": {"en": "Summary of the message", "ru": "Сводка сообщения"},
    "digest.title": {"en": "News digest · {date}", "ru": "Сводка новостей · {date}"},
    "digest.count": {
        "en": "{stories} stories from {articles} articles",
        "ru": "Сюжетов: {stories}, статей: {articles}",
    },
    "digest.count_one": {"en": "{stories} stories", "ru": "Сюжетов: {stories}"},
    "digest.several": {"en": "Reported by several sources", "ru": "Сообщают несколько источников"},
    "digest.other": {"en": "Other", "ru": "Прочее"},
    "digest.more_hint": {
        "en": "Tap a number for the full summary and quotes.",
        "ru": "Нажмите номер, чтобы прочитать полную сводку и цитаты.",
    },
    "digest.also": {"en": "Also reported by", "ru": "Также сообщают"},
    # --- admin uploads ---
    "upload.saved": {
        "en": "Added to the inbox as {name}; subscribers get it shortly.",
        "ru": "Добавлено во входящие как {name}; подписчики скоро его получат.",
    },
    "upload.too_big": {
        "en": "That file is too big ({size}); the limit is {limit}.",
        "ru": "Файл слишком большой ({size}); предел — {limit}.",
    },
    "upload.bad_type": {
        "en": "I take .txt, .md, .html, .eml and .json files.",
        "ru": "Принимаю файлы .txt, .md, .html, .eml и .json.",
    },
    "upload.failed": {
        "en": "I couldn't download that file from Telegram; please send it again.",
        "ru": "Не удалось скачать файл из Telegram; отправьте его ещё раз.",
    },
    "upload.not_admin": {
        "en": "Only the bot's admins can add articles.",
        "ru": "Добавлять статьи могут только администраторы бота.",
    },
}


def pick_language(chat_language: str | None, user_language_code: str | None) -> Language:
    """The chat's chosen language, else the user's Telegram one (``ru``, ``ru-RU``...), else en."""
    if chat_language in LANGUAGES:
        return "ru" if chat_language == "ru" else "en"
    code = (user_language_code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return "ru" if code == "ru" else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (English when that language lacks it), formatted."""
    entry = CATALOGUE[key]
    text = entry["ru"] if lang == "ru" else entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


class Problem(UsageError):
    """A :class:`UsageError` whose text comes from the catalogue, so the handler can show it in
    the reader's language; ``str()`` is the English text (for logs and older callers)."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(t(key, DEFAULT_LANGUAGE, **values))
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.values)
