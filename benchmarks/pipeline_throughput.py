"""Pipeline throughput (consume -> transform -> produce): a FastKafka app against the same at-least-once pipeline
written by hand with aiokafka, on a local Kafka.

Both read the same N keyed JSON messages (about 210 bytes each) from a 4-partition input topic in a fresh consumer
group, decode each into the same pydantic model, compute the same `Enriched` model from it and produce that to a
4-partition output topic under the same key. The app does it with `@consumes` (at-least-once commits every second)
calling a `@produces` function that returns a `KafkaEvent`; the hand-written pipeline with a `getmany` loop, a
`producer.send` per record (delivery not awaited) and, every second, `producer.flush()` then `consumer.commit()`.
Both producers use FastKafka's defaults (`acks="all"`, idempotent, 256 KiB batches); with --no-idempotence both use
`acks="all"` alone, with --acks-1 both use `acks=1`, the setting before those defaults (run the three ways to see what
the defaults cost). A run ends when N new messages are on the output topic (a watcher
polls its end offsets every 50 ms, in both runs) and the clients are stopped.

Runs alternate between the two in one process, so both see the same broker and machine; the medians and their ratio
are printed, by wall time and by this process's CPU time (steadier: the broker's JVM shares the machine). Then,
shorter, consume-only (`consume_throughput.py`'s two contenders, imported) and a produce-only loop outside any
handler (`await to_x(...)` against `send_and_wait`: both wait for each acknowledgement). Asserts nothing.

    python benchmarks/pipeline_throughput.py [MESSAGES] [ROUNDS] [--no-consume-only] [--no-produce-only] [--metrics] [--no-idempotence | --acks-1]

With --metrics the pipeline is also run by FastKafka with Prometheus metrics (`app.metrics = PrometheusMetrics()`)
against FastKafka without, alternating: the ratio is what the metrics cost.
"""
import asyncio
import statistics
import sys
import time
from typing import Awaitable, Callable, List, Tuple

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from pydantic import BaseModel

import consume_throughput  # the sibling benchmark: its Event model, payloads and consume-only contenders
from consume_throughput import Event
from fastkafka import FastKafka, KafkaEvent
from fastkafka.metrics import PrometheusMetrics
from fastkafka.testing import ApacheKafkaBroker

WITH_METRICS = False
MIDDLEWARES: list = []  # given to the FastKafka app (tracing_overhead.py sets them)
PRODUCER_SETTINGS: dict = {"acks": "all", "enable_idempotence": True, "max_batch_size": 256 * 1024}  # FastKafka's defaults, given to both
IN_TOPIC, OUT_TOPIC, PRODUCE_TOPIC = "pipeline-in", "pipeline-out", "produce-only"
PARTITIONS = 4
WARM_UP = 20_000  # messages in the warm-up round (at most MESSAGES)
CONSUME_ONLY = 100_000  # messages of the consume-only comparison (at most MESSAGES)
PRODUCE_ONLY = 20_000  # messages of the produce-only loop

Rate = Tuple[float, float]  # (messages per wall second, per CPU second)


class Enriched(BaseModel):
    event_id: int
    user: str
    action: str
    amount_cents: int
    big_spender: bool
    tag_count: int
    created_at: str


def enrich(event: Event) -> Enriched:
    "The transform both pipelines apply"
    return Enriched(event_id=event.event_id, user=event.user, action=event.action.upper(),
                    amount_cents=round(event.amount * 100), big_spender=event.amount >= 500, tag_count=len(event.tags),
                    created_at=event.created_at)


def user_of(i: int) -> str:
    return f"user-{i % 1000:05d}"


async def produce_input(bootstrap_servers: str, count: int, topic: str = IN_TOPIC) -> None:
    "N input messages keyed by their user, so the keys spread over the partitions"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        for start in range(0, count, 10_000):
            deliveries = [await producer.send(topic, consume_throughput.payload(i), key=user_of(i).encode())
                          for i in range(start, min(start + 10_000, count))]
            await asyncio.gather(*deliveries)
    finally:
        await producer.stop()


GROUPS = iter(range(1_000_000))


def fresh_group() -> str:
    return f"pipeline-{next(GROUPS)}"


class OutputWatcher:
    "Waits until `count` messages more than at creation are on the output topic, polling its end offsets every 50 ms"

    def __init__(self, bootstrap_servers: str):
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
        self.partitions = [TopicPartition(OUT_TOPIC, p) for p in range(PARTITIONS)]

    async def __aenter__(self) -> "OutputWatcher":
        await self.consumer.start()
        self.start = await self._total()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.consumer.stop()

    async def _total(self) -> int:
        return sum((await self.consumer.end_offsets(self.partitions)).values())

    async def wait_for(self, count: int) -> None:
        while await self._total() - self.start < count:
            await asyncio.sleep(0.05)


def rates(count: int, started: float, cpu_started: float) -> Rate:
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


async def hand_written(bootstrap_servers: str, count: int) -> Rate:
    "The at-least-once pipeline by hand: getmany, decode, transform, send without awaiting; every 1 s flush then commit"
    async with OutputWatcher(bootstrap_servers) as watcher:
        started, cpu_started = time.perf_counter(), time.process_time()
        watching = asyncio.ensure_future(watcher.wait_for(count))
        consumer = AIOKafkaConsumer(IN_TOPIC, bootstrap_servers=bootstrap_servers, group_id=fresh_group(),
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, **PRODUCER_SETTINGS)
        await consumer.start()
        await producer.start()
        try:
            handled, last_commit = 0, time.monotonic()
            while handled < count:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    for record in records:
                        enriched = enrich(Event.model_validate_json(record.value))
                        await producer.send(OUT_TOPIC, enriched.model_dump_json().encode(), key=record.key)
                        handled += 1
                if time.monotonic() - last_commit >= 1:
                    await producer.flush()
                    await consumer.commit()
                    last_commit = time.monotonic()
            await producer.flush()
            await watching
            await consumer.commit()
        finally:
            watching.cancel()
            await producer.stop()
            await consumer.stop()
        return rates(count, started, cpu_started)


async def with_fastkafka(bootstrap_servers: str, count: int, metrics: bool = False) -> Rate:
    "A FastKafka app: an @consumes handler awaiting an @produces function that returns KafkaEvent(Enriched, key)"
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}}, middlewares=MIDDLEWARES, **PRODUCER_SETTINGS)
    app.set_kafka_broker("local")
    if metrics:
        app.metrics = PrometheusMetrics()

    @app.consumes(topic=IN_TOPIC, group_id=fresh_group(), auto_offset_reset="earliest", auto_commit_interval_ms=1000)
    async def on_pipeline_in(event: Event):
        await to_pipeline_out(event)

    @app.produces(topic=OUT_TOPIC)
    async def to_pipeline_out(event: Event) -> KafkaEvent[Enriched]:
        return KafkaEvent(enrich(event), key=event.user.encode())

    async with OutputWatcher(bootstrap_servers) as watcher:
        started, cpu_started = time.perf_counter(), time.process_time()
        async with app:
            await watcher.wait_for(count)
        return rates(count, started, cpu_started)


def produce_only_events(count: int) -> List[Event]:
    return [Event.model_validate_json(consume_throughput.payload(i)) for i in range(count)]


async def produce_only_hand_written(bootstrap_servers: str, events: List[Event]) -> Rate:
    "A plain loop awaiting aiokafka's send_and_wait per message"
    started, cpu_started = time.perf_counter(), time.process_time()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, **PRODUCER_SETTINGS)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(PRODUCE_TOPIC, event.model_dump_json().encode(), key=event.user.encode())
    finally:
        await producer.stop()
    return rates(len(events), started, cpu_started)


async def produce_only_fastkafka(bootstrap_servers: str, events: List[Event]) -> Rate:
    "A plain loop awaiting an @produces function outside any handler (returns once the broker acknowledged)"
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}}, **PRODUCER_SETTINGS)
    app.set_kafka_broker("local")

    @app.produces(topic=PRODUCE_TOPIC)
    async def to_produce_only(event: Event) -> KafkaEvent[Event]:
        return KafkaEvent(event, key=event.user.encode())

    started, cpu_started = time.perf_counter(), time.process_time()
    async with app:
        for event in events:
            await to_produce_only(event)
    return rates(len(events), started, cpu_started)


async def compare(name: str, baseline: Callable[[], Awaitable[Rate]], ours: Callable[[], Awaitable[Rate]],
                  rounds: int, verbose: bool = True) -> Tuple[List[Rate], List[Rate]]:
    "A warm-up of each (not counted), then `rounds` rounds alternating who goes first"
    await baseline()
    await ours()
    baselines, ourses = [], []
    for round_ in range(rounds):
        if round_ % 2 == 0:  # alternate who goes first, so drift over time favours neither
            baselines.append(await baseline())
            ourses.append(await ours())
        else:
            ourses.append(await ours())
            baselines.append(await baseline())
        if verbose:
            print(f"  {name} round {round_ + 1}: hand-written {baselines[-1][0]:,.0f} msg/s ({baselines[-1][1]:,.0f} per CPU s), "
                  f"FastKafka {ourses[-1][0]:,.0f} msg/s ({ourses[-1][1]:,.0f} per CPU s)", flush=True)
    return baselines, ourses


def medians(baselines: List[Rate], ourses: List[Rate]) -> List[Tuple[str, float, float, float]]:
    "(what, hand-written median, FastKafka median, ratio) by wall time and by CPU time"
    out = []
    for what, index in (("wall", 0), ("CPU", 1)):
        median_baseline = statistics.median(rate[index] for rate in baselines)
        median_ours = statistics.median(rate[index] for rate in ourses)
        out.append((what, median_baseline, median_ours, median_ours / median_baseline))
    return out


async def main(count: int, rounds: int, consume_only: bool, produce_only: bool) -> None:
    topics = {IN_TOPIC: PARTITIONS, OUT_TOPIC: PARTITIONS, PRODUCE_TOPIC: PARTITIONS, consume_throughput.TOPIC: PARTITIONS}
    with ApacheKafkaBroker(topics=topics) as bootstrap_servers:
        await produce_input(bootstrap_servers, count)
        print(f"pipeline: {count:,} keyed messages of {len(consume_throughput.payload(count - 1))} bytes on a {PARTITIONS}-partition topic "
              f"-> Enriched on a {PARTITIONS}-partition topic, same key; a fresh consumer group per run; "
              f"a warm-up of {min(WARM_UP, count):,} messages, then {rounds} rounds alternating who goes first; producers {PRODUCER_SETTINGS}", flush=True)
        warm_up = min(WARM_UP, count)
        sizes = iter([warm_up, warm_up] + [count] * 2 * rounds)  # the warm-up runs stop after fewer messages
        pipeline = await compare("pipeline", lambda: hand_written(bootstrap_servers, next(sizes)),
                                 lambda: with_fastkafka(bootstrap_servers, next(sizes)), rounds)
        lines = [f"pipeline by {what} time: hand-written aiokafka (send, flush + commit every 1 s) {b:,.0f} msg/s, "
                 f"FastKafka @consumes -> @produces {o:,.0f} msg/s, ratio FastKafka / hand-written {r:.3f} (target >= 1.5)"
                 for what, b, o, r in medians(*pipeline)]

        if WITH_METRICS:
            sizes = iter([warm_up, warm_up] + [count] * 2 * rounds)
            results = await compare("metrics off vs on", lambda: with_fastkafka(bootstrap_servers, next(sizes)),
                                    lambda: with_fastkafka(bootstrap_servers, next(sizes), metrics=True), rounds)
            lines += [f"metrics by {what} time: FastKafka pipeline without metrics {b:,.0f} msg/s, with {o:,.0f} msg/s, ratio on / off {r:.3f} (target >= 0.95)"
                      for what, b, o, r in medians(*results)]

        if consume_only:
            consumed = min(CONSUME_ONLY, count)
            await consume_throughput.produce(bootstrap_servers, consumed)
            results = await compare("consume-only", lambda: consume_throughput.hand_written(bootstrap_servers, consumed),
                                    lambda: consume_throughput.with_fastkafka(bootstrap_servers, consumed), rounds)
            lines += [f"consume-only ({consumed:,} messages, no group) by {what} time: hand-written getmany + pydantic {b:,.0f} msg/s, "
                      f"FastKafka @consumes {o:,.0f} msg/s, ratio {r:.3f}" for what, b, o, r in medians(*results)]

        if produce_only:
            events = produce_only_events(PRODUCE_ONLY)
            results = await compare("produce-only", lambda: produce_only_hand_written(bootstrap_servers, events),
                                    lambda: produce_only_fastkafka(bootstrap_servers, events), rounds)
            lines += [f"produce-only loop ({PRODUCE_ONLY:,} messages, each ack awaited) by {what} time: aiokafka send_and_wait {b:,.0f} msg/s, "
                      f"FastKafka await to_x() {o:,.0f} msg/s, ratio {r:.3f}" for what, b, o, r in medians(*results)]
    print("\n".join(lines))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    WITH_METRICS = "--metrics" in arguments
    if "--no-idempotence" in arguments:
        PRODUCER_SETTINGS = {**PRODUCER_SETTINGS, "enable_idempotence": False}
    if "--acks-1" in arguments:
        PRODUCER_SETTINGS = {"acks": 1, "max_batch_size": PRODUCER_SETTINGS["max_batch_size"]}
    numbers = [a for a in arguments if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 200_000, int(numbers[1]) if len(numbers) > 1 else 3,
                     "--no-consume-only" not in arguments, "--no-produce-only" not in arguments))
