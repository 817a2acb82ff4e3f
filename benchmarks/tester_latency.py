"""Tester, in memory: how long `async with Tester(app)` takes to enter, and the round trip
`await tester.to_orders(...)` -> the app's consumer -> its producer -> `await tester.on_confirmations.assert_called_with(...)`.

Prints figures (targets: enter <= 10 ms, round-trip p50 <= 0.10 ms), asserts nothing. The baseline is the same
round trip as bare asyncio hand-offs (tester -> app -> tester through two asyncio.Queues, with the same pydantic
encode/decode), run in the same process, so the ratio shows what FastKafka and the InMemoryBroker add.

    python benchmarks/tester_latency.py [ROUND_TRIPS] [ENTERS]   (default 2000 round trips, 20 enters)
"""
import asyncio
import gc
import statistics
import sys
import time

from pydantic import BaseModel

from fastkafka import FastKafka
from fastkafka.testing import Tester


class Order(BaseModel):
    order_id: int
    customer: str


class Confirmation(BaseModel):
    order_id: int
    status: str


def order_service() -> FastKafka:
    app = FastKafka(title="Orders")

    @app.consumes()
    async def on_orders(order: Order):
        await to_confirmations(order)

    @app.produces()
    async def to_confirmations(order: Order) -> Confirmation:
        return Confirmation(order_id=order.order_id, status="accepted")

    return app


def percentile(values: list, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def bare_round_trips(count: int) -> list:
    "The same hand-offs without Kafka semantics: two queues and the same encode/decode"
    to_app, to_tester = asyncio.Queue(), asyncio.Queue()

    async def app():
        while True:
            order = Order.model_validate_json(await to_app.get())
            await to_tester.put(Confirmation(order_id=order.order_id, status="accepted").model_dump_json().encode())

    task = asyncio.ensure_future(app())
    times = []
    for i in range(count):
        started = time.perf_counter()
        await to_app.put(Order(order_id=i, customer="ada").model_dump_json().encode())
        Confirmation.model_validate_json(await to_tester.get())
        times.append(time.perf_counter() - started)
    task.cancel()
    return times


async def main(round_trips: int, enters: int) -> None:
    app = order_service()
    enter_times, build_times = [], []
    for _ in range(enters):
        started = time.perf_counter()
        tester = Tester(app)
        built = time.perf_counter()
        async with tester:
            entered = time.perf_counter()
        build_times.append(built - started)
        enter_times.append(entered - built)

    times = []
    async with Tester(app) as tester:
        gc.collect()  # the garbage of the enters above is collected now, not in the middle of the round trips
        for i in range(round_trips):
            started = time.perf_counter()
            await tester.to_orders(Order(order_id=i, customer="ada"))
            await tester.on_confirmations.assert_called_with(Confirmation(order_id=i, status="accepted"), timeout=5)
            times.append(time.perf_counter() - started)
    gc.collect()
    bare = await bare_round_trips(round_trips)

    ms = 1000
    print(f"Tester(app) construction: median {statistics.median(build_times) * ms:.2f} ms over {enters}")
    print(f"async with Tester(app) enter: median {statistics.median(enter_times) * ms:.2f} ms, max {max(enter_times) * ms:.2f} ms over {enters} (target <= 10 ms)")
    print(f"round trip to_orders -> app -> on_confirmations assertion, {round_trips} times: "
          f"p50 {percentile(times, 50) * ms:.3f} ms, p99 {percentile(times, 99) * ms:.3f} ms (target p50 <= 0.10 ms)")
    print(f"bare asyncio baseline of the same hand-offs: p50 {percentile(bare, 50) * ms:.3f} ms, p99 {percentile(bare, 99) * ms:.3f} ms; "
          f"Tester / baseline at p50: {percentile(times, 50) / percentile(bare, 50):.1f}x")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 20))
