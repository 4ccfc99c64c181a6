"""Staff alerts: every crisis-flagged exchange is told to the on-duty staff at once, through each
configured channel (a webhook, the staff's Telegram group, e-mail), redacted, with a link to the
follow-up list; sent off the request path, retried with backoff, once per exchange and channel,
and recorded in the outbox that the follow-up list reads.

Between ``runtime`` (which starts the dispatcher and hands it the dialogue's ``on_flagged``) and
the ``dialogue`` below it (whose ``redact`` it applies once more); ``staff`` reads the statuses.
"""

from services.alerts import outbox
from services.alerts.dispatcher import AlertDispatcher, build_senders
from services.alerts.message import Alert
from services.alerts.outbox import AlertStatus, statuses
from services.alerts.senders import DeliveryError, Sender
from services.alerts.targets import CHANNELS, AlertPolicy, AlertTargets

__all__ = [
    "CHANNELS",
    "Alert",
    "AlertDispatcher",
    "AlertPolicy",
    "AlertStatus",
    "AlertTargets",
    "DeliveryError",
    "Sender",
    "build_senders",
    "outbox",
    "statuses",
]
