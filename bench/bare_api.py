"""The ceiling for the publish endpoint: a bare FastAPI endpoint doing one INSERT and one
dramatiq send per request — what a design without the outbox does. Run by bench/publish_api.py."""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10)
broker = RedisBroker(url=os.environ["BENCH_BROKER_URL"], namespace=os.environ["BENCH_NAMESPACE"])
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name="bare.api")
def bare_publish(row_id: int) -> None:  # never consumed: the API bench measures sending only
    pass


app = FastAPI()


@app.post("/publish/", status_code=202)
def publish(body: dict) -> dict:
    with engine.begin() as connection:
        row_id = connection.execute(
            text("INSERT INTO bench_rows (payload) VALUES (:payload) RETURNING id"), {"payload": str(body)[:2000]}
        ).scalar_one()
    bare_publish.send(row_id)
    return {"id": row_id}
