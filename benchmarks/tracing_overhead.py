"""What tracing costs: the FastKafka pipeline of `pipeline_throughput.py` with OpenTelemetry tracing
(`KafkaTelemetryMiddleware`) against the same app without middlewares, on one local Kafka, alternating.

Tracing uses OpenTelemetry's SDK as a service would: a `TracerProvider` with a `BatchSpanProcessor`, here with an
exporter that drops the spans (so the cost measured is FastKafka's and the SDK's, not a collector's). Each message
gives two spans (process, send) and a `traceparent` header. With --sample RATIO the provider samples that share of
the traces (`ParentBased(TraceIdRatioBased(RATIO))`, as a service tracing in production would); a span not sampled
still carries the trace on. With --middleware, a middleware that only passes on
(`consume_scope` and `publish_scope` that just `return await call_next(message)`) is measured instead: the cost of the
middleware chain itself. Prints the medians and their ratio, by wall time and by CPU time. Targets: tracing >= 0.85x.
Asserts nothing.

    python benchmarks/tracing_overhead.py [MESSAGES] [ROUNDS] [--middleware | --sample RATIO]
"""
import asyncio
import statistics
import sys
from typing import Sequence

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, TraceIdRatioBased

import pipeline_throughput as pipeline
from fastkafka import BaseMiddleware
from fastkafka.opentelemetry import KafkaTelemetryMiddleware
from fastkafka.testing import ApacheKafkaBroker


class Dropped(SpanExporter):
    "Takes the spans and keeps none"

    def export(self, spans: Sequence) -> SpanExportResult:
        return SpanExportResult.SUCCESS


class PassingOn(BaseMiddleware):
    "Both scopes, doing nothing but passing on"

    async def consume_scope(self, call_next, message):
        return await call_next(message)

    async def publish_scope(self, call_next, message):
        return await call_next(message)


def traced(sample: float = 1.0) -> list:
    provider = TracerProvider(sampler=ALWAYS_ON if sample >= 1 else ParentBased(TraceIdRatioBased(sample)))
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    return [KafkaTelemetryMiddleware(tracer_provider=provider)]


async def run(bootstrap_servers: str, count: int, middlewares: list) -> tuple:
    pipeline.MIDDLEWARES = middlewares
    try:
        return await pipeline.with_fastkafka(bootstrap_servers, count)
    finally:
        pipeline.MIDDLEWARES = []


async def main(count: int, rounds: int, what: str, sample: float = 1.0) -> None:
    make = (lambda: [PassingOn()]) if what == "middleware" else (lambda: traced(sample))
    topics = {pipeline.IN_TOPIC: pipeline.PARTITIONS, pipeline.OUT_TOPIC: pipeline.PARTITIONS}
    with ApacheKafkaBroker(topics=topics) as bootstrap_servers:
        await pipeline.produce_input(bootstrap_servers, count)
        print(f"pipeline of {count:,} messages: FastKafka without middlewares against FastKafka with {what}; "
              f"a warm-up of each, then {rounds} rounds alternating who goes first", flush=True)
        await run(bootstrap_servers, min(count, pipeline.WARM_UP), [])
        await run(bootstrap_servers, min(count, pipeline.WARM_UP), make())
        plain, with_them = [], []
        for round_ in range(rounds):
            order = [("plain", []), ("with", make())] if round_ % 2 == 0 else [("with", make()), ("plain", [])]
            for name, middlewares in order:
                (plain if name == "plain" else with_them).append(await run(bootstrap_servers, count, middlewares))
            print(f"  round {round_ + 1}: without {plain[-1][0]:,.0f} msg/s ({plain[-1][1]:,.0f} per CPU s), "
                  f"with {what} {with_them[-1][0]:,.0f} msg/s ({with_them[-1][1]:,.0f} per CPU s)", flush=True)
        for label, index in (("wall", 0), ("CPU", 1)):
            without = statistics.median(rate[index] for rate in plain)
            with_ = statistics.median(rate[index] for rate in with_them)
            print(f"by {label} time: without {without:,.0f} msg/s, with {what} {with_:,.0f} msg/s, ratio {with_ / without:.3f}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sample = float(arguments[arguments.index("--sample") + 1]) if "--sample" in arguments else 1.0
    if not 0 < sample <= 1:
        sys.exit(f"--sample takes a share of traces between 0 and 1, not {sample}")
    numbers = [a for a in arguments if a.isdigit()]
    what = "middleware" if "--middleware" in arguments else ("tracing" if sample >= 1 else f"tracing sampled at {sample:g}")
    asyncio.run(main(int(numbers[0]) if numbers else 100_000, int(numbers[1]) if len(numbers) > 1 else 3, what, sample))
