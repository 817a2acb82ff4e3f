"""What a user gets from `pip install fastkafka` (the wheel, no extras), checked in the environment it was installed in.

- every module of the package imports (none needs an extra, or a package the wheel does not declare);
- every `fastkafka` command, nested ones too, answers `--help` (found by walking the Typer application, so a new
  command is checked without being listed here), and `fastkafka --version` prints the version;
- `py.typed` is installed next to the package, so that type checkers read FastKafka's annotations;
- what needs an extra, used without it, fails with a message naming the extra (`pip install "fastkafka[metrics]"`).

Run it with the environment's Python, from outside the repository (the source tree must not shadow the installed
package): `cd /tmp && /path/to/venv/bin/python /path/to/.ci/fresh_install_check.py`. Exit code 1 on any problem.
"""
import asyncio
import importlib
import importlib.util
import pkgutil
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

EXTRAS = {"metrics": "prometheus_client", "testing": "ipywidgets", "avro": "fastavro", "opentelemetry": "opentelemetry", "fastapi": "uvicorn"}  # extra -> a package it adds
problems: list = []


def check(ok: bool, problem: str) -> None:
    if not ok:
        problems.append(problem)


def installed_package() -> Path:
    import fastkafka

    where = Path(fastkafka.__file__).resolve().parent
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    check(where.parent == site_packages, f"fastkafka is imported from {where}, not from this environment's {site_packages}")
    return where


def imports(package: Path) -> None:
    names = ["fastkafka"] + [m.name for m in pkgutil.walk_packages([str(package)], "fastkafka.")]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - every module is tried, each failure reported
            problems.append(f"import {name}: {type(e).__name__}: {e}")
    print(f"imported {len(names)} modules")


def command_paths() -> list:
    "Every command and group of the `fastkafka` application, as argument lists: [[], ['run'], ['docs', 'serve'], ...]"
    import typer.main

    from fastkafka._cli import _app

    paths, pending = [], [([], typer.main.get_command(_app))]
    while pending:
        path, command = pending.pop(0)
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            pending.append(([*path, name], sub))
    return paths


def commands() -> None:
    script = shutil.which("fastkafka", path=str(Path(sys.executable).parent))
    if script is None:
        problems.append(f"no `fastkafka` console script next to {sys.executable}")
        return
    paths = command_paths()
    for path in paths:
        done = subprocess.run([script, *path, "--help"], capture_output=True, text=True, timeout=60)
        shown = " ".join(["fastkafka", *path, "--help"])
        check(done.returncode == 0 and "Usage:" in done.stdout, f"`{shown}` exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    print(f"`--help` of {len(paths)} commands: " + ", ".join(" ".join(["fastkafka", *p]) for p in paths))
    import fastkafka

    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    check(done.stdout.strip() == f"fastkafka {fastkafka.__version__}", f"`fastkafka --version` printed {done.stdout!r} {done.stderr!r}")


def typed(package: Path) -> None:
    marker = package / "py.typed"
    check(marker.is_file(), f"no py.typed in {package}: type checkers would ignore FastKafka's annotations")
    record = next(package.parent.glob("fastkafka-*.dist-info/RECORD"), None)
    check(record is not None and "fastkafka/py.typed," in record.read_text(), "py.typed is not in the wheel's RECORD")


def fails_naming(extra: str, action) -> None:
    "`action()` must raise ImportError whose message names `pip install \"fastkafka[extra]\"`"
    try:
        action()
    except ImportError as e:
        check(f'pip install "fastkafka[{extra}]"' in str(e), f"without the {extra} extra: {e!r} does not name the extra")
        return
    problems.append(f"without the {extra} extra, {action.__doc__ or action} did not fail")


def missing_extras() -> None:
    present = [package for package in EXTRAS.values() if importlib.util.find_spec(package) is not None]
    if present:
        problems.append(f"this check needs an environment without extras; installed: {', '.join(present)}")
        return
    from pydantic import BaseModel

    import fastkafka.encoder
    import fastkafka.metrics
    import fastkafka.opentelemetry
    from fastkafka import FastKafka

    class Reading(BaseModel):
        celsius: float

    def metrics():
        "PrometheusMetrics()"
        fastkafka.metrics.PrometheusMetrics()

    def monitor():
        "app.monitor()"
        async def show():
            FastKafka(title="Monitored").monitor()
        asyncio.run(show())

    def avro():
        "avro_encoder(...)"
        fastkafka.encoder.avro_encoder(Reading(celsius=20.5))

    fails_naming("metrics", metrics)
    fails_naming("testing", monitor)
    fails_naming("avro", avro)
    fails_naming("opentelemetry", lambda: fastkafka.opentelemetry.KafkaTelemetryMiddleware())
    # the command line: a message and exit code 1, not a traceback, before any worker starts
    script = shutil.which("fastkafka", path=str(Path(sys.executable).parent)) or "fastkafka"
    done = subprocess.run([script, "run", "--metrics-port", "9100", "fastkafka._examples.iris:kafka_app"],
                          capture_output=True, text=True, timeout=60)
    check(done.returncode == 1 and 'pip install "fastkafka[metrics]"' in done.stderr and "Traceback" not in done.stderr + done.stdout,
          f"`fastkafka run --metrics-port` without the metrics extra exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    done = subprocess.run([script, "run", "--health-port", "8080", "fastkafka._examples.iris:kafka_app"],
                          capture_output=True, text=True, timeout=60)
    check(done.returncode == 1 and 'pip install "fastkafka[fastapi]"' in done.stderr and "Traceback" not in done.stderr + done.stdout,
          f"`fastkafka run --health-port` without the fastapi extra exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    print("without extras, the metrics, the monitor, Avro, tracing, `fastkafka run --metrics-port` and `--health-port` each name their extra")


def main() -> int:
    package = installed_package()
    imports(package)
    commands()
    typed(package)
    missing_extras()
    for problem in problems:
        print(f"FAILED: {problem}")
    print("the installed wheel is right" if not problems else f"{len(problems)} problem(s) with the installed wheel")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
