"""The Redis alias store and suppression list: shared between clients, pairs replaced atomically,
and a Redis that fails is StoreUnavailable, never a silent answer."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from whatsapp_async import MemorySuppressionList, StoreUnavailable, Template, Text, User
from whatsapp_async.contrib.redis import RedisAliasStore, RedisSuppressionList
from whatsapp_async.testing import Sandbox


async def test_pairs_are_shared_and_replaced(redis: Redis) -> None:
    receiver, sender = RedisAliasStore(redis, prefix="t1:"), RedisAliasStore(redis, prefix="t1:")
    await receiver.link("+16505551234", "US.1")
    assert await sender.phone_for("US.1") == "+16505551234"
    assert await sender.user_id_for("+16505551234") == "US.1"
    await receiver.link("+16505551234", "US.2")  # the BSUID was regenerated
    assert await sender.phone_for("US.1") is None
    assert await sender.user_id_for("+16505551234") == "US.2"
    await receiver.link("+16505559999", "US.2")  # the user moved to a new number
    assert await sender.user_id_for("+16505551234") is None
    assert await sender.phone_for("US.2") == "+16505559999"
    await receiver.forget(user_id="US.2")
    assert await sender.user_id_for("+16505559999") is None


async def test_suppression_is_shared(redis: Redis) -> None:
    one, two = RedisSuppressionList(redis, prefix="t2:"), RedisSuppressionList(redis, prefix="t2:")
    await one.add("+16505551234")
    assert await two.contains("+16505551234")
    assert not await two.contains("+16505551234", "utility")
    await two.remove("+16505551234")
    assert not await one.contains("+16505551234")


async def test_a_sender_uses_what_another_process_learned(redis: Redis) -> None:
    async with Sandbox(["magpipe"]) as sb:
        aliases = RedisAliasStore(redis, prefix="t3:")
        await RedisAliasStore(redis, prefix="t3:").link("+16045628647", "CA.77")
        wa = sb.client("magpipe", aliases=aliases, suppression=RedisSuppressionList(redis))
        result = await wa.send(User("CA.77"), Text("found by alias"))  # Magpipe takes phones only
        assert result.recipient == "+16045628647"
        assert sb.requests("magpipe")[-1].json["recipient_wa_id"] == "16045628647"


async def test_a_failing_redis_sends_nothing() -> None:
    broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    try:
        async with Sandbox(["magpipe"]) as sb:
            wa = sb.client("magpipe", aliases=RedisAliasStore(broken, timeout=0.5))
            with pytest.raises(StoreUnavailable):
                await wa.send(User("CA.77"), Text("hi"))
            wa2 = sb.client(
                "magpipe",
                suppression=RedisSuppressionList(broken, timeout=0.5),
                template_categories={"promo": "MARKETING"},
            )
            with pytest.raises(StoreUnavailable):
                await wa2.send("+16045628647", Template("promo"))
            assert sb.requests("magpipe") == []
    finally:
        await broken.aclose()
    assert MemorySuppressionList() is not None
