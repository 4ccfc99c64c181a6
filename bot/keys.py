"""Typed keys of the values the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis

from bot.settings import Settings
from services import Services

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
REDIS = web.AppKey("redis", Redis)  # present only when WENJIAO_REDIS_URL is set
