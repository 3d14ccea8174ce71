"""The shared send-rate limiter: few database round trips, never more than the rate."""

from __future__ import annotations

from typing import Any

from bot.ratelimit import SharedRateLimiter


class FakeBucket:
    """A token bucket like ``Store.take_rate_token``, on a fake clock, counting round trips."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self.calls: list[int] = []
        self.keys: list[str] = []

    async def take_rate_token(
        self, key: str, *, rate: float, burst: float, count: int = 1
    ) -> float:
        self.calls.append(count)
        self.keys.append(key)
        now = self.clock[0]
        tokens, updated = self.buckets.get(key, (burst, now))
        tokens = min(burst, tokens + max(0.0, now - updated) * rate) - count
        self.buckets[key] = (tokens, max(now, updated))
        return 0.0 if tokens >= 0 else -tokens / rate


async def send_many(
    limiter: SharedRateLimiter, clock: list[float], n: int, chat_id: int | str = 5
) -> list[float]:
    """Send ``n`` messages one after another; returns when each went out (fake time)."""
    sent_at: list[float] = []

    async def callback() -> bool:
        sent_at.append(clock[0])
        return True

    for _ in range(n):
        await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat_id}, None)
    return sent_at


def make(
    rate: float, burst: float, bucket: FakeBucket | None = None, clock: list[float] | None = None
) -> tuple[SharedRateLimiter, FakeBucket, list[float]]:
    clock = clock if clock is not None else [0.0]
    now = clock

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    bucket = bucket or FakeBucket(clock)
    store: Any = bucket
    limiter = SharedRateLimiter(
        store, "bot:1", rate=rate, burst=burst, sleep=sleep, clock=lambda: now[0]
    )
    return limiter, bucket, clock


async def test_sends_are_reserved_in_blocks_to_save_round_trips() -> None:
    limiter, bucket, clock = make(rate=25, burst=5)
    await send_many(limiter, clock, 20)
    assert bucket.calls == [5, 5, 5, 5]  # a fifth of a second's worth per round trip


async def test_blocks_never_exceed_the_rate() -> None:
    limiter, _bucket, clock = make(rate=25, burst=5)
    sent_at = await send_many(limiter, clock, 105)
    # the burst goes at once, then 25 a second: 100 more take 4 s
    assert 3.9 <= sent_at[-1] <= 4.1, sent_at[-1]
    for i in range(len(sent_at) - 30):
        assert sent_at[i + 30] - sent_at[i] >= 1.0 - 1e-9  # never 30 sends within a second


async def test_unused_reserved_sends_go_stale_instead_of_bursting_later() -> None:
    limiter, bucket, clock = make(rate=25, burst=5)
    await send_many(limiter, clock, 1)  # reserves 5, uses 1
    clock[0] += 60.0  # idle for a minute
    await send_many(limiter, clock, 1)
    assert bucket.calls == [5, 5]  # the 4 left over were not used a minute later


async def test_other_requests_pass_without_a_token() -> None:
    limiter, bucket, _clock = make(rate=25, burst=5)

    async def callback() -> bool:
        return True

    await limiter.process_request(callback, (), {}, "getMe", {}, None)
    assert bucket.calls == []


async def test_a_group_gets_its_own_limit_shared_by_every_process() -> None:
    first, bucket, clock = make(rate=25, burst=5)
    second, _, _ = make(rate=25, burst=5, bucket=bucket, clock=clock)
    sent_at: list[float] = []
    for n in range(26):  # two processes take turns posting to one group
        sent_at += await send_many(first if n % 2 else second, clock, 1, chat_id=-100123)
    # 20 at once (the burst), then one every 3 s: Telegram's 20 a minute per group
    assert sent_at[19] < 1.0
    assert sent_at[20] >= 3.0 - 1e-9
    assert sent_at[25] >= 18.0 - 1e-9
    assert "bot:1:chat:-100123" in bucket.keys


async def test_private_chats_take_no_group_token() -> None:
    limiter, bucket, clock = make(rate=25, burst=5)
    await send_many(limiter, clock, 3, chat_id=42)
    await send_many(limiter, clock, 1, chat_id="@newsroom")
    assert bucket.keys.count("bot:1") == 1
    assert bucket.keys[-1] == "bot:1:chat:@newsroom"
