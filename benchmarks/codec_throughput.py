"""Codecs, no broker: how many messages per second JSON and Avro encode and decode, for a flat model (the Iris
measurements) and a typical event (an order with an enum, a timestamp, a nested record, a list and a map).

Encoding and decoding go through the codecs the app uses (`encoding_codec(...).encode`, `decoding_codec(...).decode`),
so the figures are the per-message codec cost of a consumer or producer. Prints figures, asserts nothing.

With --broker it also runs FastKafka apps on a local Kafka, JSON and Avro alternating in the same run: a consumer
reading MESSAGES typical orders, and a producer sending them (lists of 1,000 per call).

With --registry it also measures the Schema Registry codecs (`SchemaRegistry(url).avro()` and `.json_schema()`, Confluent's wire format)
against schemaless Avro, on a `LocalSchemaRegistry`: the schema registered and its id cached, as in a running app,
so each message costs the 5-byte header and a dictionary look-up more; target: at most 10% slower.

    python benchmarks/codec_throughput.py [MESSAGES] [--broker] [--registry]
"""
import asyncio
import statistics
import sys
import time
from datetime import datetime, timezone
from enum import Enum
from typing import Dict, List, Optional

from pydantic import BaseModel, NonNegativeFloat

from fastkafka import FastKafka
from fastkafka._components.codecs import decoding_codec, encoding_codec
from fastkafka.encoder import SchemaRegistry
from fastkafka.testing import ApacheKafkaBroker, LocalSchemaRegistry


class IrisInputData(BaseModel):
    sepal_length: NonNegativeFloat
    sepal_width: NonNegativeFloat
    petal_length: NonNegativeFloat
    petal_width: NonNegativeFloat


class Status(str, Enum):
    placed = "placed"
    shipped = "shipped"


class Address(BaseModel):
    street: str
    city: str
    zip: Optional[str] = None


class Order(BaseModel):
    order_id: int
    customer: str
    total: float
    status: Status = Status.placed
    placed_at: datetime
    ship_to: Address
    tags: List[str] = []
    quantities: Dict[str, int] = {}


EXAMPLES = {
    "flat (Iris)": IrisInputData(sepal_length=5.1, sepal_width=3.5, petal_length=1.4, petal_width=0.2),
    "typical (Order)": Order(order_id=123456, customer="ann@example.com", total=59.9, status=Status.shipped,
                             placed_at=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
                             ship_to=Address(street="1 Main St", city="Springfield", zip="49007"),
                             tags=["gift", "express"], quantities={"book": 2, "pen": 5}),
}


def rate(function, argument, count: int) -> float:
    "Messages per second of `function(argument)`, best of three runs"
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            function(argument)
        best = min(best, time.perf_counter() - start)
    return count / best


def main(count: int) -> None:
    print(f"{count:,} messages per run, best of 3; msg/s")
    print(f"{'model':<17} {'codec':<5} {'bytes':>5} {'encode':>11} {'decode':>11}")
    for label, message in EXAMPLES.items():
        model = type(message)
        rates = {}
        for name in ("json", "avro"):
            encode, decode = encoding_codec(name, model).encode, decoding_codec(name, model).decode
            raw = encode(message)
            assert decode(raw) == message
            rates[name] = (rate(encode, message, count), rate(decode, raw, count))
            print(f"{label:<17} {name:<5} {len(raw):>5} {rates[name][0]:>11,.0f} {rates[name][1]:>11,.0f}")
        print(f"{'':<17} {'ratio':<5} {'':>5} {rates['json'][0] / rates['avro'][0]:>10.1f}x {rates['json'][1] / rates['avro'][1]:>10.1f}x"
              "  (JSON / Avro)")


async def with_registry(count: int) -> None:
    "The Schema Registry codecs against their schemaless counterparts (Avro, JSON), ids cached"
    async with LocalSchemaRegistry() as url:
        registry = SchemaRegistry(url)
        print(f"Schema Registry codecs (ids cached) against schemaless Avro and plain JSON, {count:,} messages per run, best of 3; msg/s")
        for label, message in EXAMPLES.items():
            model = type(message)
            for plain, made in (("avro", registry.avro), ("json", registry.json_schema)):
                producing = encoding_codec(made(), model, f"bench-{plain}-{model.__name__}")
                consuming = decoding_codec(made(), model, f"bench-{plain}-{model.__name__}")
                await producing.prepare(None)
                await consuming.prepare(None)
                raw, bare = producing.encode(message), encoding_codec(plain, model).encode(message)
                assert consuming.decode(raw) == message and raw[5:] == bare
                plain_encode, plain_decode = encoding_codec(plain, model).encode, decoding_codec(plain, model).decode
                base = (rate(plain_encode, message, count), rate(plain_decode, bare, count))
                registered = (rate(producing.encode, message, count), rate(consuming.decode, raw, count))
                print(f"{label:<17} encode: {plain} {base[0]:,.0f}, registry {registered[0]:,.0f} (ratio {registered[0] / base[0]:.3f}); "
                      f"decode: {plain} {base[1]:,.0f}, registry {registered[1]:,.0f} (ratio {registered[1] / base[1]:.3f}; target >= 0.91)")


def local_app(bootstrap_servers: str) -> FastKafka:
    host, port = bootstrap_servers.rsplit(":", 1)
    app = FastKafka(kafka_brokers={"local": {"url": host, "port": int(port)}})
    app.set_kafka_broker("local")
    return app


async def produce_with(bootstrap_servers: str, codec: str, count: int) -> float:
    "msg/s of a FastKafka producer sending `count` orders, 1,000 per call, each call awaited"
    app, batch = local_app(bootstrap_servers), [EXAMPLES["typical (Order)"]] * 1_000

    @app.produces(topic=f"orders-{codec}", encoder=codec)
    async def to_orders() -> List[Order]:
        return batch

    async with app:
        started = time.perf_counter()
        for _ in range(count // 1_000):
            await to_orders()
        return count / (time.perf_counter() - started)


async def consume_with(bootstrap_servers: str, codec: str, count: int) -> float:
    "msg/s of a FastKafka consumer reading `count` orders from the start of its topic"
    app, done, handled = local_app(bootstrap_servers), asyncio.Event(), 0

    @app.consumes(topic=f"orders-{codec}", decoder=codec, auto_offset_reset="earliest")
    async def on_orders(order: Order):
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    started = time.perf_counter()
    async with app:
        await done.wait()
    return count / (time.perf_counter() - started)


async def through_broker(count: int, rounds: int = 3) -> None:
    async with ApacheKafkaBroker(topics={"orders-json": 4, "orders-avro": 4}) as bootstrap_servers:
        for codec in ("json", "avro"):  # the topics to consume, and a warm-up
            await produce_with(bootstrap_servers, codec, count)
        results = {("produce", "json"): [], ("produce", "avro"): [], ("consume", "json"): [], ("consume", "avro"): []}
        for round_ in range(rounds):
            for codec in (("json", "avro") if round_ % 2 == 0 else ("avro", "json")):
                results[("consume", codec)].append(await consume_with(bootstrap_servers, codec, count))
                results[("produce", codec)].append(await produce_with(bootstrap_servers, codec, count))
        print(f"through a local Kafka, FastKafka apps, {count:,} typical orders, median of {rounds} rounds (JSON and Avro alternating):")
        for what in ("consume", "produce"):
            json_rate, avro_rate = (statistics.median(results[(what, codec)]) for codec in ("json", "avro"))
            print(f"  {what}: JSON {json_rate:,.0f} msg/s, Avro {avro_rate:,.0f} msg/s, Avro / JSON {avro_rate / json_rate:.2f}")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 100_000)
    if "--broker" in sys.argv[1:]:
        asyncio.run(through_broker(int(numbers[0]) if numbers else 100_000))
    if "--registry" in sys.argv[1:]:
        asyncio.run(with_registry(int(numbers[0]) if numbers else 100_000))
