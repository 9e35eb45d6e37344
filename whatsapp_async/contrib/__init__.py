"""Optional integrations that need extra packages (``pip install 'whatsapp-async[redis]'``).

- :mod:`whatsapp_async.contrib.redis`: a rate limiter and an idempotency store shared by
  every process that points at the same Redis.
- :mod:`whatsapp_async.contrib.arq`: durable fan-out of sends to arq worker processes.

Nothing here is imported by ``whatsapp_async`` itself, so the core keeps working without
Redis installed.

Example::

    from whatsapp_async.contrib.redis import RedisIdempotencyStore, RedisRateLimiter
"""
