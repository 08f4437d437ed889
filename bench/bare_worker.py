"""The ceiling for the pipeline: a bare dramatiq actor inserting one row per message, on the
same Redis and PostgreSQL. Imported by the `dramatiq` command that bench/pipeline.py starts."""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10)
broker = RedisBroker(url=os.environ["BENCH_BROKER_URL"], namespace=os.environ["BENCH_NAMESPACE"])
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name="bare.pipeline", max_retries=0)
def insert_row(n: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_rows (payload) VALUES (:payload)"), {"payload": str(n)})
