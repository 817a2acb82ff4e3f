"""Batches, metadata and list producing: FastKafka against the same work written by hand with aiokafka, on a local Kafka.

Three comparisons in one run, each alternating the two contenders (who goes first alternates too), medians printed
with their ratio, by wall time and by this process's CPU time. Asserts nothing.

1. batch consume: a FastKafka batch consumer (`events: List[Event]`) against an aiokafka `getmany` loop that decodes
   each fetch into a list and hands it to a function; target ratio >= 0.9;
2. metadata: a FastKafka per-message consumer with an `EventMetadata` parameter against the same without it;
   target ratio >= 0.97 (the metadata costs <= 3%);
3. list produce: a `@produces` function returning 1,000 events per call against aiokafka's per-message `send` of the
   same 1,000 followed by `flush`, both with FastKafka's producer defaults (`acks="all"`, idempotent, 256 KiB
   batches); target ratio >= 2.5.

    python benchmarks/batch_throughput.py [MESSAGES] [ROUNDS]
"""
import asyncio
import sys
import time
from typing import Callable, List

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

import pipeline_throughput as pipeline  # its alternating rounds and medians
from consume_throughput import Event, payload, produce, TOPIC  # the same messages as the per-message benchmark
from fastkafka import EventMetadata, FastKafka
from fastkafka.testing import ApacheKafkaBroker

PER_CALL = 1_000


def rates(count: int, started: float, cpu_started: float) -> tuple:
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


async def hand_written_batches(bootstrap_servers: str, count: int) -> tuple:
    "aiokafka getmany, each fetch decoded into one list handed to a function"
    handled = 0

    def handle(events: List[Event]) -> None:
        nonlocal handled
        handled += len(events)

    started, cpu_started = time.perf_counter(), time.process_time()
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest")
    await consumer.start()
    try:
        while handled < count:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if fetched:
                handle([Event.model_validate_json(record.value) for records in fetched.values() for record in records])
    finally:
        await consumer.stop()
    return rates(count, started, cpu_started)


def local_app(bootstrap_servers: str) -> FastKafka:
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}})
    app.set_kafka_broker("local")
    return app


async def run_until(app: FastKafka, done: asyncio.Event, count: int) -> tuple:
    started, cpu_started = time.perf_counter(), time.process_time()
    async with app:
        await done.wait()
    return rates(count, started, cpu_started)


async def fastkafka_batches(bootstrap_servers: str, count: int) -> tuple:
    app, done, handled = local_app(bootstrap_servers), asyncio.Event(), 0

    @app.consumes(topic=TOPIC, auto_offset_reset="earliest")
    async def on_benchmark(events: List[Event]):
        nonlocal handled
        handled += len(events)
        if handled >= count:
            done.set()

    return await run_until(app, done, count)


async def fastkafka_per_message(bootstrap_servers: str, count: int) -> tuple:
    app, done, handled = local_app(bootstrap_servers), asyncio.Event(), 0

    @app.consumes(topic=TOPIC, auto_offset_reset="earliest")
    async def on_benchmark(event: Event):
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    return await run_until(app, done, count)


async def fastkafka_with_metadata(bootstrap_servers: str, count: int) -> tuple:
    app, done, handled = local_app(bootstrap_servers), asyncio.Event(), 0

    @app.consumes(topic=TOPIC, auto_offset_reset="earliest")
    async def on_benchmark(event: Event, meta: EventMetadata):
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    return await run_until(app, done, count)


EVENTS = [Event.model_validate_json(payload(i)) for i in range(PER_CALL)]


async def hand_written_produce(bootstrap_servers: str, count: int) -> tuple:
    "aiokafka: encode and `send` each of 1,000 events, then `flush`, per call"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, **pipeline.PRODUCER_SETTINGS)  # FastKafka's defaults
    await producer.start()
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(count // PER_CALL):
            for event in EVENTS:
                await producer.send("produced", event.__pydantic_serializer__.to_json(event))
            await producer.flush()
        return rates(count, started, cpu_started)
    finally:
        await producer.stop()


async def fastkafka_produce(bootstrap_servers: str, count: int) -> tuple:
    "a @produces function returning 1,000 events per call (awaited: outside a handler, it returns once all are acknowledged)"
    app = local_app(bootstrap_servers)

    @app.produces(topic="produced")
    async def to_produced() -> List[Event]:
        return EVENTS

    async with app:
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(count // PER_CALL):
            await to_produced()
        return rates(count, started, cpu_started)


async def compare(title: str, target: str, baseline_name: str, baseline: Callable, ours_name: str, ours: Callable,
                  bootstrap_servers: str, count: int, rounds: int) -> None:
    "pipeline_throughput's alternating rounds and medians, with this comparison's names"
    print(f"{title}: a warm-up, then {rounds} rounds alternating who goes first")
    theirs_rates, ours_rates = await pipeline.compare(title, lambda: baseline(bootstrap_servers, count),
                                                      lambda: ours(bootstrap_servers, count), rounds, verbose=False)
    for round_, (theirs, mine) in enumerate(zip(theirs_rates, ours_rates), 1):
        print(f"  round {round_}: {baseline_name} {theirs[0]:,.0f} msg/s ({theirs[1]:,.0f} per CPU s), "
              f"{ours_name} {mine[0]:,.0f} msg/s ({mine[1]:,.0f} per CPU s)")
    for what, median_theirs, median_ours, ratio in pipeline.medians(theirs_rates, ours_rates):
        print(f"  by {what} time: {baseline_name} {median_theirs:,.0f} msg/s, {ours_name} {median_ours:,.0f} msg/s, "
              f"ratio {ratio:.3f} ({target})")


async def main(count: int, rounds: int) -> None:
    async with ApacheKafkaBroker(topics={TOPIC: 4, "produced": 4}) as bootstrap_servers:
        await produce(bootstrap_servers, count)
        print(f"{count:,} messages of {len(payload(count - 1))} bytes on 4-partition topics")
        await compare("1. batch consume", "target >= 0.9", "hand-written getmany lists", hand_written_batches,
                      "FastKafka List[Event] consumer", fastkafka_batches, bootstrap_servers, count, rounds)
        await compare("2. metadata", "target >= 0.97: the metadata costs <= 3%", "FastKafka (event)", fastkafka_per_message,
                      "FastKafka (event, meta: EventMetadata)", fastkafka_with_metadata, bootstrap_servers, count, rounds)
        await compare("3. list produce, 1,000 per call", "target >= 2.5", "aiokafka send x1000 + flush", hand_written_produce,
                      "FastKafka -> List[Event]", fastkafka_produce, bootstrap_servers, count, rounds)


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 100_000, int(numbers[1]) if len(numbers) > 1 else 5))
