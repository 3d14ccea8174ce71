"""The fake Bot API behaves like Telegram where our tests rely on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, ChatMemberAdministrator, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from tests.fakes import (
    BOT_USERNAME,
    FakeBotAPI,
    HTMLParseError,
    make_my_chat_member_update,
    make_update,
    parse_telegram_html,
)


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot("123:ABC", request=fake_bot_api, get_updates_request=fake_bot_api) as real:
        yield real


async def test_get_me_and_send_message_answer_like_telegram(
    bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    assert bot.username == BOT_USERNAME
    message = await bot.send_message(-1001, "<b>Hi</b> &amp; bye", parse_mode="HTML",
                                     message_thread_id=5)  # fmt: skip
    assert message.text == "Hi & bye" and message.message_thread_id == 5
    assert message.chat.type == "supergroup"
    assert fake_bot_api.sent_messages(chat_id=-1001)[0]["text"] == "<b>Hi</b> &amp; bye"


@pytest.mark.parametrize(
    "text", ["<script>x</script>", "<b>open", "a < b", "<b><i>x</b></i>", "<b></i>"]
)
def test_invalid_html_is_rejected(text: str) -> None:
    with pytest.raises(HTMLParseError):
        parse_telegram_html(text)


async def test_invalid_html_and_overlong_text_fail_with_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1, "<script>x</script>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(1, "😀" * 2049)
    await bot.send_message(1, "😀" * 2048)  # 4096 UTF-16 units is fine


async def test_scripted_failures_map_to_ptb_errors(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.script("sendMessage", error_code=429, retry_after=3)
    fake_bot_api.script("sendMessage", error_code=403)
    fake_bot_api.script("sendMessage", migrate_to_chat_id=-100777)
    fake_bot_api.script("sendMessage", exception=TimedOut())
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1, "x")
    assert flood.value.retry_after == timedelta(seconds=3)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(1, "x")
    with pytest.raises(ChatMigrated) as moved:
        await bot.send_message(1, "x")
    assert moved.value.new_chat_id == -100777
    with pytest.raises(TimedOut):
        await bot.send_message(1, "x")
    await bot.send_message(1, "x")
    assert len(fake_bot_api.calls_to("sendMessage")) == 5
    assert len(fake_bot_api.sent_messages()) == 1


async def test_a_failure_scripted_for_one_chat_spares_the_others(
    bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    fake_bot_api.script("sendMessage", error_code=403, chat_id=2)
    await bot.send_message(1, "to one")
    with pytest.raises(Forbidden):
        await bot.send_message(2, "to two")
    await bot.send_message(2, "again")
    assert [m["text"] for m in fake_bot_api.sent_messages()] == ["to one", "again"]


async def test_chat_member_status_drives_admin_answers(bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.set_chat_member_status(-5, 77, "administrator")
    member = await bot.get_chat_member(-5, 77)
    assert isinstance(member, ChatMemberAdministrator)
    assert (await bot.get_chat_member(-5, 78)).status == "member"
    assert [m.user.id for m in await bot.get_chat_administrators(-5)] == [77]


async def test_unknown_methods_fail_the_test(bot: Bot) -> None:
    with pytest.raises(pytest.fail.Exception, match="sendDice"):
        await bot.send_dice(1)


async def test_made_updates_parse_as_commands_and_membership_changes(bot: Bot) -> None:
    update = Update.de_json(
        make_update("/summary ferry", chat_id=-5, user_id=9, chat_type="group", thread_id=3), bot
    )
    message = update.effective_message
    assert message is not None and message.text == "/summary ferry"
    assert message.entities[0].type == "bot_command" and message.message_thread_id == 3
    joined = Update.de_json(
        make_my_chat_member_update(chat_id=-5, user_id=9, old_status="left", new_status="member"),
        bot,
    )
    assert joined.my_chat_member is not None
    assert joined.my_chat_member.new_chat_member.status == "member"
