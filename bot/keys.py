"""Typed keys of the values the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis
from telegram.ext import Application

from bot.settings import Settings
from services import Services
from services.platform import Dedup, Principal, RedisGuard
from services.staff import Staff

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
REDIS = web.AppKey("redis", Redis)  # present only when WENJIAO_REDIS_URL is set
REDIS_GUARD = web.AppKey("redis_guard", RedisGuard)  # with REDIS: is Redis answering?
TELEGRAM = web.AppKey("telegram", Application)  # present only when a Telegram token is set
TELEGRAM_SEEN = web.AppKey("telegram_seen", Dedup)  # with TELEGRAM: update ids already taken
ADMIN = web.AppKey("admin", Staff)  # accounts, content lifecycle, inbox, reports
PRINCIPAL = web.RequestKey("principal", Principal)  # the logged-in staff member (/admin)
