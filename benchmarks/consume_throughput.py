"""Consume + decode throughput: a FastKafka app against a hand-written aiokafka `getmany` loop, on a local Kafka.

Both read the same N JSON messages (about 200 bytes each) from the start of one topic and decode each into the same
pydantic model; the app's handler and the hand-written loop both just count. Runs alternate between the two in one
process, so both see the same broker and machine; the medians and their ratio are printed, by wall time and by
this process's CPU time (steadier: the broker's JVM shares the machine). Asserts nothing.

    python benchmarks/consume_throughput.py [MESSAGES] [ROUNDS] [--group] [--retries] [--concurrent]

With --group both consume in a consumer group (a fresh one per run): the hand-written loop with aiokafka's plain
auto-commit (which commits what was fetched), FastKafka with its at-least-once commits of what was processed.
With --retries the app's consumer has `retries=3` (nothing fails): the dispatcher a consumer with retries gets, whose
retries hold back only their key. With --concurrent it has `max_concurrency=8` (the concurrent dispatcher: a queue,
eight workers, each key in order).
"""
import asyncio
import statistics
import sys
import time
from typing import List

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import BaseModel

from fastkafka import FastKafka
from fastkafka.testing import ApacheKafkaBroker

TOPIC = "benchmark"


class Event(BaseModel):
    event_id: int
    user: str
    action: str
    amount: float
    currency: str
    tags: List[str]
    created_at: str
    comment: str


def payload(i: int) -> bytes:
    return Event(event_id=i, user=f"user-{i % 1000:05d}", action="purchase", amount=i % 997 + 0.99, currency="EUR",
                 tags=["benchmark", "fastkafka", f"batch-{i // 1000}"], created_at="2026-11-26T14:00:00.000000+00:00",
                 comment="a lazy dog").model_dump_json().encode()


async def produce(bootstrap_servers: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        for start in range(0, count, 10_000):
            deliveries = [await producer.send(TOPIC, payload(i)) for i in range(start, min(start + 10_000, count))]
            await asyncio.gather(*deliveries)
    finally:
        await producer.stop()


GROUPS = iter(range(1_000_000))


def group_settings(grouped: bool) -> dict:
    return {"group_id": f"benchmark-{next(GROUPS)}"} if grouped else {}


async def hand_written(bootstrap_servers: str, count: int, grouped: bool = False, topic: str = TOPIC, model: type = Event) -> tuple:
    "(messages per wall second, per CPU second) of a plain aiokafka getmany loop decoding each message of `topic` with pydantic"
    started, cpu_started = time.perf_counter(), time.process_time()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest", **group_settings(grouped))
    await consumer.start()
    handled = 0
    try:
        while handled < count:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    model.model_validate_json(record.value)
                    handled += 1
    finally:
        await consumer.stop()
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


RETRIES = {**({"retries": 3} if "--retries" in sys.argv[1:] else {}), **({"max_concurrency": 8} if "--concurrent" in sys.argv[1:] else {})}


async def with_fastkafka(bootstrap_servers: str, count: int, grouped: bool = False) -> float:
    "(messages per wall second, per CPU second) of a FastKafka app whose consumer counts the decoded messages"
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}})
    app.set_kafka_broker("local")
    all_handled = asyncio.Event()
    handled = 0

    @app.consumes(topic=TOPIC, auto_offset_reset="earliest", **group_settings(grouped), **RETRIES)
    async def on_benchmark(event: Event):
        nonlocal handled
        handled += 1
        if handled == count:
            all_handled.set()

    started, cpu_started = time.perf_counter(), time.process_time()
    async with app:
        await all_handled.wait()
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


async def main(count: int, rounds: int, grouped: bool) -> None:
    async with ApacheKafkaBroker(topics={TOPIC: 4}) as bootstrap_servers:
        await produce(bootstrap_servers, count)
        print(f"{count:,} messages of {len(payload(count - 1))} bytes on a 4-partition topic; a warm-up, then {rounds} rounds alternating who goes first"
              + ("; in consumer groups: aiokafka auto-commit vs FastKafka at-least-once commits" if grouped else "; no consumer group")
              + (f"; FastKafka's consumer with {RETRIES}" if RETRIES else ""))
        await hand_written(bootstrap_servers, count, grouped)  # a warm-up round, not counted
        await with_fastkafka(bootstrap_servers, count, grouped)
        baseline, ours = [], []
        for round_ in range(rounds):
            if round_ % 2 == 0:  # alternate who goes first, so drift over time favours neither
                baseline.append(await hand_written(bootstrap_servers, count, grouped))
                ours.append(await with_fastkafka(bootstrap_servers, count, grouped))
            else:
                ours.append(await with_fastkafka(bootstrap_servers, count, grouped))
                baseline.append(await hand_written(bootstrap_servers, count, grouped))
            print(f"  round {round_ + 1}: hand-written {baseline[-1][0]:,.0f} msg/s ({baseline[-1][1]:,.0f} per CPU s), "
                  f"FastKafka {ours[-1][0]:,.0f} msg/s ({ours[-1][1]:,.0f} per CPU s)")
    for what, index in (("wall time", 0), ("CPU time", 1)):
        median_baseline = statistics.median(rate[index] for rate in baseline)
        median_ours = statistics.median(rate[index] for rate in ours)
        print(f"by {what}: hand-written aiokafka getmany + pydantic {median_baseline:,.0f} msg/s, FastKafka @consumes "
              f"{median_ours:,.0f} msg/s, ratio FastKafka / hand-written {median_ours / median_baseline:.3f} (target >= 1.0)")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 100_000, int(numbers[1]) if len(numbers) > 1 else 5, "--group" in sys.argv[1:]))
