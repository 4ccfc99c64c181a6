"""Application services: the store, the content catalog, the dialogue, privacy and safety."""

from services.dialog import DialogService
from services.messages import IncomingMessage, Option, Reply
from services.runtime import Services, start_services

__all__ = ["DialogService", "IncomingMessage", "Option", "Reply", "Services", "start_services"]
