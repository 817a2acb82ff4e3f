"""The pipeline of `pipeline_throughput.py` run by `fastkafka run --num-workers 1` and `--num-workers 2` over 8
partitions, on a local Kafka: how a service scales with worker processes on this machine.

Each run starts `fastkafka run --num-workers N scaling_app:app` (a fresh consumer group each time) on the same
8-partition input of MESSAGES keyed events, and ends when MESSAGES new answers are on the 8-partition output topic.
Printed per run, counted from the first answer to the last (start-up excluded): msg/s; the CPU time per message of
the workers (from /proc, both workers together); and the CPU time per message of everything else on the machine,
which on this quiet machine is the broker's JVM (the machine's busy time from /proc/stat, less the workers'). Runs
alternate between 1 and 2 workers; the medians are printed. Asserts nothing.

    python benchmarks/scaling.py [MESSAGES] [ROUNDS]
"""
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

import pipeline_throughput as pipeline  # its input: keyed events, 1,000 users
from fastkafka.testing import ApacheKafkaBroker

IN_TOPIC, OUT_TOPIC, PARTITIONS = "scaling-in", "scaling-out", 8
TICKS = os.sysconf("SC_CLK_TCK")
HERE = Path(__file__).resolve().parent


def cpu_seconds(pid: int) -> float:
    "User + system CPU time of process `pid` so far"
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> List[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def machine_busy_seconds() -> float:
    "CPU time the whole machine has spent not idle, over all cores"
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICKS


async def answers(consumer: AIOKafkaConsumer) -> int:
    partitions = [TopicPartition(OUT_TOPIC, p) for p in range(PARTITIONS)]
    return sum((await consumer.end_offsets(partitions)).values())


async def one_run(bootstrap_servers: str, count: int, workers: int, group: str) -> Dict[str, float]:
    "One `fastkafka run --num-workers workers`: msg/s, worker CPU per message, the rest of the machine's per message"
    watcher = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await watcher.start()
    host, port = bootstrap_servers.rsplit(":", 1)
    environment = {**os.environ, "SCALING_HOST": host, "SCALING_PORT": port, "SCALING_GROUP": group,
                   "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    log = open(Path(tempfile.gettempdir()) / "fastkafka-scaling.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "fastkafka"), "run", "--num-workers", str(workers), "--kafka-broker",
                               "local", "scaling_app:app"], env=environment, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        before = await answers(watcher)
        deadline = time.monotonic() + 120
        while await answers(watcher) == before:  # the first answer: every worker has started
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"fastkafka run --num-workers {workers} answered nothing within 120 s (exit code {server.poll()}; "
                                   f"its output: {log.name})")
            await asyncio.sleep(0.01)
        pids = children(server.pid) or [server.pid]
        started, machine_started = time.perf_counter(), machine_busy_seconds()
        workers_started = sum(cpu_seconds(pid) for pid in pids)
        first = await answers(watcher) - before
        while await answers(watcher) - before < count:
            if time.monotonic() > deadline + 600:
                raise RuntimeError(f"fastkafka run --num-workers {workers} did not answer {count} messages in time")
            await asyncio.sleep(0.05)
        elapsed, machine = time.perf_counter() - started, machine_busy_seconds() - machine_started
        workers_cpu = sum(cpu_seconds(pid) for pid in pids) - workers_started
        handled = count - first
        return {"msg/s": handled / elapsed, "worker CPU us/msg": workers_cpu / handled * 1e6,
                "rest of machine CPU us/msg": (machine - workers_cpu) / handled * 1e6,
                "machine busy %": machine / elapsed / os.cpu_count() * 100}
    finally:
        stop(server)
        log.close()
        await watcher.stop()


def stop(server: "subprocess.Popen[bytes]") -> None:
    "SIGTERM to `fastkafka run` and its workers (its process group), SIGKILL after 30 s"
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sent)
        except ProcessLookupError:  # all gone already
            pass
        try:
            server.wait(30)
            return
        except subprocess.TimeoutExpired:
            continue


async def main(count: int, rounds: int) -> None:
    async with ApacheKafkaBroker(topics={IN_TOPIC: PARTITIONS, OUT_TOPIC: PARTITIONS}) as bootstrap_servers:
        await pipeline.produce_input(bootstrap_servers, count, IN_TOPIC)
        print(f"{count:,} keyed events on {PARTITIONS} partitions, {os.cpu_count()} cores; {rounds} rounds alternating 1 and 2 workers", flush=True)
        results: Dict[int, List[Dict[str, float]]] = {1: [], 2: []}
        groups = iter(range(1_000))
        await one_run(bootstrap_servers, count // 4, 1, "scaling-warm-up")
        for round_ in range(rounds):
            for workers in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                result = await one_run(bootstrap_servers, count, workers, f"scaling-{next(groups)}")
                results[workers].append(result)
                print(f"  round {round_ + 1}, {workers} worker(s): " + ", ".join(f"{k} {v:,.1f}" for k, v in result.items()), flush=True)
    for workers, runs in results.items():
        print(f"{workers} worker(s), medians: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):,.1f}" for k in runs[0]))
    one, two = (statistics.median(r["msg/s"] for r in results[n]) for n in (1, 2))
    print(f"2 workers / 1 worker: {two / one:.2f}x")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(numbers[0] if numbers else 200_000, numbers[1] if len(numbers) > 1 else 3))
