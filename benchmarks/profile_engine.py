"""Where FastKafka's engine spends its time: py-spy samples of this process while a FastKafka app runs a benchmark's
pipeline on a local Kafka, summed per function.

    pip install py-spy
    python benchmarks/profile_engine.py pipeline|hand-written|exactly-once [MESSAGES] [TOP]

`pipeline` runs `pipeline_throughput.py`'s at-least-once app, `hand-written` its aiokafka loop (the same work, for
comparison), `exactly-once` the app of `exactly_once_throughput.py` with `exactly_once=True`. The input is produced
first; py-spy samples only the run itself, 250 times a second, with `--idle` (time in the event loop's `select` is
counted too: waiting for the network, or polling it). Printed: the share of samples in parts of the process (aiokafka,
pydantic, FastKafka, asyncio, select, the benchmark's own code) by the innermost frame; the TOP functions by self time
(innermost) and the TOP FastKafka and aiokafka functions by total time (anywhere on the stack), each with its file.
Asserts nothing.
"""
import asyncio
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import exactly_once_throughput
import pipeline_throughput as pipeline
from fastkafka.testing import ApacheKafkaBroker

PARTS = (("aiokafka", "aiokafka/"), ("pydantic", "pydantic"), ("FastKafka", "fastkafka/"),
         ("in the loop's select (waiting, or polling sockets)", "selectors.py"), ("asyncio's loop", "asyncio/"), ("the benchmark's own code", "_throughput.py"))
IDLE_THREADS = "concurrent/futures/thread.py"  # the loop's executor threads, idle but for a DNS look-up now and then


def frames(line: str) -> Tuple[List[str], int]:
    "A collapsed stack of py-spy's raw format: its frames (outermost first) and its sample count"
    stack, count = line.rsplit(" ", 1)
    return stack.split(";"), int(count)


def summary(raw: Path, top: int) -> str:
    own: Dict[str, int] = collections.Counter()
    anywhere: Dict[str, int] = collections.Counter()
    parts: Dict[str, int] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        if any(IDLE_THREADS in frame for frame in stack):
            continue
        total += count
        own[stack[-1]] += count
        for frame in set(stack):
            anywhere[frame] += count
        leaf = stack[-1]
        parts[next((name for name, marker in PARTS if marker in leaf), "other (C, threads)")] += count

    def short(frame: str) -> str:
        name, _, where = frame.partition(" (")
        return f"{name} ({where.rstrip(')').rsplit(':', 1)[0]})"

    lines = [f"{total:,} samples"]
    lines.append("by part of the process (where the sample's innermost frame is):")
    lines += [f"  {share / total:6.1%}  {name}" for name, share in parts.most_common()]
    lines.append(f"top {top} functions by self time:")
    lines += [f"  {count / total:6.1%}  {short(frame)}" for frame, count in own.most_common(top)]
    lines.append(f"top {top} FastKafka and aiokafka functions by total time (their callees included):")
    ours = [(frame, count) for frame, count in anywhere.most_common() if "fastkafka/" in frame or "aiokafka/" in frame]
    lines += [f"  {count / total:6.1%}  {short(frame)}" for frame, count in ours[:top]]
    return "\n".join(lines)


async def profiled(run: Callable[[], "asyncio.Future"], raw: Path) -> tuple:
    "`run()` with py-spy sampling this process, stopped (SIGINT: it writes its file) when the run ends"
    sampler = subprocess.Popen(["py-spy", "record", "--pid", str(os.getpid()), "--format", "raw", "--rate", "250",
                                "--idle", "--nonblocking", "-o", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await asyncio.sleep(1)  # py-spy attaches
        result = await run()
    finally:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(30)
    return result


async def main(which: str, count: int, top: int) -> None:
    topics = {pipeline.IN_TOPIC: pipeline.PARTITIONS, pipeline.OUT_TOPIC: pipeline.PARTITIONS}
    async with ApacheKafkaBroker(topics=topics) as bootstrap_servers:
        await pipeline.produce_input(bootstrap_servers, count)
        if which == "pipeline":
            run = lambda: pipeline.with_fastkafka(bootstrap_servers, count)  # noqa: E731
        elif which == "hand-written":
            run = lambda: pipeline.hand_written(bootstrap_servers, count)  # noqa: E731
        else:
            run = lambda: exactly_once_throughput.run(bootstrap_servers, count, True)  # noqa: E731
        await run()  # a warm-up: imports, first connections
        raw = Path(tempfile.gettempdir()) / f"fastkafka-profile-{which}.txt"
        started = time.perf_counter()
        wall, per_cpu = await profiled(run, raw)
        print(f"{which}: {count:,} messages, {wall:,.0f} msg/s ({per_cpu:,.0f} per CPU s) while sampled, "
              f"{time.perf_counter() - started:.1f} s; py-spy's samples (flamegraph.pl's input): {raw}")
        print(summary(raw, top))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if not arguments or arguments[0] not in ("pipeline", "hand-written", "exactly-once"):
        sys.exit("usage: python benchmarks/profile_engine.py pipeline|hand-written|exactly-once [MESSAGES] [TOP]")
    numbers = [int(a) for a in arguments[1:] if a.isdigit()]
    asyncio.run(main(arguments[0], numbers[0] if numbers else 200_000, numbers[1] if len(numbers) > 1 else 15))
