"""The Redis cache backend keeps one client per connection pool (no server needed to check)."""

from __future__ import annotations

from config.cache import PooledClientRedisCache


def test_every_cache_call_shares_one_client_per_pool():
    cache = PooledClientRedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("key") is client  # one server: reads use the same pool


def test_two_caches_do_not_share_a_client():
    one = PooledClientRedisCache("redis://127.0.0.1:6379/0", {})
    other = PooledClientRedisCache("redis://127.0.0.1:6379/0", {})
    assert one._cache.get_client() is not other._cache.get_client()
