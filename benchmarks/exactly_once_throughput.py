"""Exactly-once pipeline throughput against the at-least-once pipeline, both FastKafka, on a local Kafka.

The pipeline of `pipeline_throughput.py` (its input, model and transform, imported): consume keyed JSON events from a
4-partition topic, compute `Enriched`, produce it under the same key. Once with `@app.consumes(exactly_once=True)`
(outputs and offsets in one transaction per input partition), once at least once; both commit every 100 ms (Kafka
Streams' exactly-once default). A run ends when the group has committed every input, which in both modes means their
outputs are acknowledged (at least once) or committed (exactly once). Runs alternate; the medians and their ratio are
printed, by wall time and by this process's CPU time. Target: exactly once >= 0.9x at least once. Asserts nothing.

    python benchmarks/exactly_once_throughput.py [MESSAGES] [ROUNDS]
"""
import asyncio
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient

import pipeline_throughput as pipeline  # the sibling benchmark: input, model, transform
from consume_throughput import Event
from fastkafka import FastKafka, KafkaEvent
from fastkafka.testing import ApacheKafkaBroker

GROUPS = iter(range(1_000_000))


async def run(bootstrap_servers: str, count: int, exactly_once: bool) -> tuple:
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}})
    app.set_kafka_broker("local")
    group = f"{'eo' if exactly_once else 'al'}-{next(GROUPS)}"

    @app.consumes(topic=pipeline.IN_TOPIC, group_id=group, auto_offset_reset="earliest", auto_commit_interval_ms=100,
                  exactly_once=exactly_once)
    async def on_pipeline_in(event: Event):
        await to_pipeline_out(event)

    @app.produces(topic=pipeline.OUT_TOPIC)
    async def to_pipeline_out(event: Event) -> KafkaEvent[pipeline.Enriched]:
        return KafkaEvent(pipeline.enrich(event), key=event.user.encode())

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        async with app:
            while sum(meta.offset for meta in (await admin.list_consumer_group_offsets(group)).values() if meta.offset > 0) < count:
                await asyncio.sleep(0.05)
        return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)
    finally:
        await admin.close()


async def main(count: int, rounds: int) -> None:
    topics = {pipeline.IN_TOPIC: pipeline.PARTITIONS, pipeline.OUT_TOPIC: pipeline.PARTITIONS}
    async with ApacheKafkaBroker(topics=topics) as bootstrap_servers:
        await pipeline.produce_input(bootstrap_servers, count)
        print(f"{count:,} keyed events, 4 partitions in and out; a warm-up, then {rounds} rounds alternating who goes first", flush=True)
        at_least, exactly = await pipeline.compare("exactly once", lambda: run(bootstrap_servers, count, False),
                                                   lambda: run(bootstrap_servers, count, True), rounds, verbose=False)
    for round_, (theirs, mine) in enumerate(zip(at_least, exactly), 1):
        print(f"  round {round_}: at least once {theirs[0]:,.0f} msg/s ({theirs[1]:,.0f} per CPU s), "
              f"exactly once {mine[0]:,.0f} msg/s ({mine[1]:,.0f} per CPU s)")
    for what, median_at_least, median_exactly, ratio in pipeline.medians(at_least, exactly):
        print(f"by {what} time: at least once {median_at_least:,.0f} msg/s, exactly once {median_exactly:,.0f} msg/s, "
              f"ratio {ratio:.3f} (target >= 0.9)")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 100_000, int(numbers[1]) if len(numbers) > 1 else 3))
