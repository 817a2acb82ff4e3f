"""How long `ApacheKafkaBroker` takes to start (ready: metadata answered, topics led) and to stop.

Prints figures, asserts nothing. The baseline is a bare JVM start (`java -version`) timed in the same run, so the
ratio says how much of the start is Kafka's own work rather than the machine's JVM start-up.

    python benchmarks/kafka_start.py [RUNS]
"""
import statistics
import subprocess
import sys
import time

from fastkafka._testing.local_kafka import java_executable
from fastkafka.testing import ApacheKafkaBroker


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(runs: int) -> None:
    jvm = [timed(lambda: subprocess.run([java_executable(), "-version"], capture_output=True, check=True)) for _ in range(runs)]
    starts, stops = [], []
    for _ in range(runs):
        broker = ApacheKafkaBroker(topics={"benchmark": 3})
        starts.append(timed(broker.start))
        stops.append(timed(broker.stop))
    median = statistics.median
    print(f"runs: {runs}")
    print(f"bare JVM start (java -version): median {median(jvm):.2f} s")
    print(f"ApacheKafkaBroker start (format + launch + ready + 3-partition topic): median {median(starts):.2f} s, "
          f"min {min(starts):.2f} s, max {max(starts):.2f} s; {median(starts) / median(jvm):.0f}x a bare JVM start")
    print(f"ApacheKafkaBroker stop (graceful, directory removed): median {median(stops):.2f} s, max {max(stops):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
