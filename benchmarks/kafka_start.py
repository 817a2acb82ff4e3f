"""How long `ApacheKafkaBroker` takes to start (ready: metadata answered, a controller named, topics led) and to stop,
and whether it starts every time.

Each run starts a broker with topics and stops it. A failed start is counted (with its error) and the runs go on, so
a rare start-up race shows as a count rather than as the end of the run. The baseline is a bare JVM start
(`java -version`) timed in the same run, so the ratio says how much of the start is Kafka's own work rather than the
machine's JVM start-up. The exit code is 1 when any start failed.

    python benchmarks/kafka_start.py [RUNS]
"""
import statistics
import subprocess
import sys
import time
from typing import Callable, List

from fastkafka._testing.kafka_install import usable_java
from fastkafka.testing import ApacheKafkaBroker

TOPICS = {"benchmark": 3, "benchmark-out": 1}


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(runs: int) -> int:
    java = usable_java()
    jvm = [timed(lambda: subprocess.run([java, "-version"], capture_output=True, check=True)) for _ in range(min(runs, 5))]
    starts: List[float] = []
    stops: List[float] = []
    failures: List[str] = []
    for run in range(1, runs + 1):
        broker = ApacheKafkaBroker(topics=TOPICS)
        started = time.perf_counter()
        try:
            broker.start()
        except Exception as e:  # counted, and the next run goes on: we measure how often a start fails
            failures.append(f"run {run}: {type(e).__name__}: {e}")
            print(f"run {run}/{runs}: start FAILED after {time.perf_counter() - started:.2f} s: {type(e).__name__}: {str(e)[:300]}", flush=True)
            broker.stop()
            continue
        starts.append(time.perf_counter() - started)
        stops.append(timed(broker.stop))
        print(f"run {run}/{runs}: start {starts[-1]:.2f} s, stop {stops[-1]:.2f} s", flush=True)
    median = statistics.median
    print(f"runs: {runs}, failed starts: {len(failures)}")
    for failure in failures:
        print(f"  {failure[:500]}")
    print(f"bare JVM start (java -version): median {median(jvm):.2f} s")
    if starts:
        print(f"ApacheKafkaBroker start (format + launch + ready + topics {TOPICS}): median {median(starts):.2f} s, "
              f"min {min(starts):.2f} s, max {max(starts):.2f} s; {median(starts) / median(jvm):.0f}x a bare JVM start")
        print(f"ApacheKafkaBroker stop (graceful, directory removed): median {median(stops):.2f} s, max {max(stops):.2f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
