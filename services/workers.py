"""The module the `dramatiq` command imports in every worker process (`jobpub worker` runs it).

Importing it builds the broker first and then declares every actor onto it, in that order,
so no actor can bind to a default broker.
"""

from services.notifier.actors import declare_notify_actor
from services.publisher.actors import declare_publish_actors
from services.syncer.actors import declare_sync_actor
from shared.broker import build_broker
from shared.config import get_settings
from shared.context import build_worker_context
from shared.logging import configure_logging

settings = get_settings()
if not settings.broker_url:
    raise SystemExit(
        "JOBPUB_BROKER_URL is not set: a separate worker needs Redis (jobpub dev runs everything in one process)"
    )
configure_logging(settings)
broker = build_broker(settings, worker_process=True)
context = build_worker_context(settings)
declare_publish_actors(broker, context)
declare_sync_actor(broker, context)
declare_notify_actor(broker, context)
