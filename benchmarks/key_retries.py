"""Retries that hold back only their key: the other keys' throughput while one key always fails, against a run without failures.

One topic of 4 partitions holds N messages of 100 keys, and one message in 100 of a key called `failing`. A FastKafka
app consumes them with `retries=1, retry_backoff=5.0` (the default ordering, "key"): its handler decodes each message
and counts it; in the failing runs it raises for every message of `failing`, which is then retried once after 5 s and
skipped. The figure is how fast the other 100 keys' messages are handled: the time from the app's start until all of
them are. Runs alternate between "no failures" and "one key failing", each in a fresh consumer group, and a
hand-written aiokafka `getmany` loop doing the same decoding without failures is timed alongside for scale. The
medians and the ratio are printed, by wall time and by this process's CPU time. Asserts nothing.

While a failing message is parked, its partition may read up to `max_uncommitted` (100,000) messages past it; the
default run (303,000 messages, about a second at full speed) stays within that. A partition that reaches the bound
waits for the parked message: with a key that always fails, set `max_uncommitted` higher (a crash then reads more
again), or give up sooner (fewer retries, a shorter backoff).

    python benchmarks/key_retries.py [MESSAGES] [ROUNDS]
"""
import asyncio
import statistics
import sys
import time
from typing import Tuple

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

import consume_throughput  # the sibling benchmark: its hand-written getmany loop
from fastkafka import EventMetadata, FastKafka
from fastkafka.testing import ApacheKafkaBroker

TOPIC = "key-retries"
FAILING = b"failing"
GROUPS = iter(range(1_000_000))


class Event(BaseModel):
    event_id: int
    user: str
    amount: float


def key_of(i: int) -> bytes:
    return FAILING if i % 101 == 100 else f"user-{i % 101:03d}".encode()


async def produce(bootstrap_servers: str, count: int) -> int:
    "Send `count` messages; the number of them not keyed `failing`"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        for start in range(0, count, 10_000):
            deliveries = [await producer.send(TOPIC, Event(event_id=i, user=key_of(i).decode(), amount=i * 0.01).model_dump_json().encode(),
                                              key=key_of(i)) for i in range(start, min(start + 10_000, count))]
            await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    return sum(1 for i in range(count) if key_of(i) != FAILING)


async def hand_written(bootstrap_servers: str, count: int, others: int) -> Tuple[float, float]:
    "(other keys' messages per wall second, per CPU second) of a plain getmany loop decoding every message, no failures"
    wall, cpu = await consume_throughput.hand_written(bootstrap_servers, count, grouped=True, topic=TOPIC, model=Event)
    return wall * others / count, cpu * others / count


async def with_fastkafka(bootstrap_servers: str, others: int, failing: bool) -> Tuple[float, float]:
    "(other keys' messages per wall second, per CPU second) of an app with retries=1, retry_backoff=5.0"
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}})
    app.set_kafka_broker("local")
    others_done = asyncio.Event()
    handled = 0

    @app.consumes(topic=TOPIC, group_id=f"fastkafka-{next(GROUPS)}", auto_offset_reset="earliest", retries=1, retry_backoff=5.0)
    async def on_key_retries(event: Event, meta: EventMetadata):
        nonlocal handled
        if meta.key == FAILING:
            if failing:
                raise RuntimeError("this key always fails")
            return
        handled += 1
        if handled == others:
            others_done.set()

    started, cpu_started = time.perf_counter(), time.process_time()
    async with app:
        await others_done.wait()
        rates = others / (time.perf_counter() - started), others / (time.process_time() - cpu_started)
    return rates


async def main(count: int, rounds: int) -> None:
    import logging
    logging.getLogger("fastkafka").setLevel(logging.CRITICAL)  # the failing key's errors, once per run: not part of the figure
    async with ApacheKafkaBroker(topics={TOPIC: 4}) as bootstrap_servers:
        others = await produce(bootstrap_servers, count)
        print(f"{count:,} messages on a 4-partition topic: {others:,} of 100 keys, {count - others:,} of the key 'failing'; "
              f"retries=1, retry_backoff=5.0; a warm-up, then {rounds} rounds alternating who goes first")
        await with_fastkafka(bootstrap_servers, others, failing=False)  # a warm-up round, not counted
        clean, failing, baseline = [], [], []
        for round_ in range(rounds):
            order = [False, True] if round_ % 2 == 0 else [True, False]
            for fails in order:
                (failing if fails else clean).append(await with_fastkafka(bootstrap_servers, others, failing=fails))
            baseline.append(await hand_written(bootstrap_servers, count, others))
            print(f"  round {round_ + 1}: no failures {clean[-1][0]:,.0f} msg/s, one key failing {failing[-1][0]:,.0f} msg/s, "
                  f"hand-written (no failures) {baseline[-1][0]:,.0f} msg/s")
    for what, index in (("wall time", 0), ("CPU time", 1)):
        median_clean, median_failing = (statistics.median(rate[index] for rate in rates) for rates in (clean, failing))
        median_baseline = statistics.median(rate[index] for rate in baseline)
        print(f"by {what}: the other keys at {median_failing:,.0f} msg/s with one key failing, {median_clean:,.0f} msg/s without; "
              f"ratio {median_failing / median_clean:.3f} (target >= 0.90); hand-written aiokafka, no failures: {median_baseline:,.0f} msg/s")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 303_000, int(numbers[1]) if len(numbers) > 1 else 3))
