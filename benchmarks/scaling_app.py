"""The pipeline service that `scaling.py` runs with `fastkafka run`: its broker and consumer group come from the
environment (SCALING_HOST, SCALING_PORT, SCALING_GROUP)."""
import os

from consume_throughput import Event
from fastkafka import FastKafka, KafkaEvent
from pipeline_throughput import Enriched, enrich

app = FastKafka(kafka_brokers={"local": {"url": os.environ.get("SCALING_HOST", "127.0.0.1"),
                                         "port": int(os.environ.get("SCALING_PORT", "9092"))}})


@app.consumes(topic="scaling-in", group_id=os.environ.get("SCALING_GROUP", "scaling"), auto_offset_reset="earliest")
async def on_scaling_in(event: Event) -> None:
    await to_scaling_out(event)


@app.produces(topic="scaling-out")
async def to_scaling_out(event: Event) -> KafkaEvent[Enriched]:
    return KafkaEvent(enrich(event), key=event.user.encode())
