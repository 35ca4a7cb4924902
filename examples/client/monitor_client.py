#!/usr/bin/env python3
"""An application that logs its predictions to `seismo serve` and guards them with `Check`.

The gRPC stubs are generated from proto/seismo/v1/monitor.proto at start (grpcio-tools), so
nothing generated is checked in:

    python3 -m venv /tmp/client && /tmp/client/bin/pip install grpcio grpcio-tools
    seismo serve --data-dir /tmp/seismo-data &
    /tmp/client/bin/python examples/client/monitor_client.py --address localhost:50051

It registers a model with a reference sample and a rule, logs an hour of normal predictions
(as columns: the fast path for batches), then a "release" that serves scores 1000x too
large (as rows): `Check` blocks them in the request path, and the prediction-mean alert
arrives on `WatchAlerts`. `Check` also applies the rule to a record with an impossible age.
"""
import argparse
import importlib
import os
import random
import sys
import tempfile
import threading
import time

import grpc
from grpc_tools import protoc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def stubs():
    """Generates and imports the Python code of the contract."""
    out = tempfile.mkdtemp(prefix="seismo-stubs-")
    proto_dir = os.path.join(ROOT, "proto")
    status = protoc.main([
        "grpc_tools.protoc", f"-I{proto_dir}", f"--python_out={out}", f"--grpc_python_out={out}",
        os.path.join(proto_dir, "seismo", "v1", "monitor.proto"),
    ])
    if status != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    return importlib.import_module("seismo.v1.monitor_pb2"), importlib.import_module("seismo.v1.monitor_pb2_grpc")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", default="localhost:50051")
    parser.add_argument("--token", default=os.environ.get("SEISMO_TOKEN", ""))
    args = parser.parse_args()
    pb, rpc = stubs()
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    monitor = rpc.MonitorStub(grpc.insecure_channel(args.address))
    rng = random.Random(7)
    start = int(time.time() // 3600 * 3600 * 1_000_000)  # this hour, in microseconds

    def record(i, t, score):
        return pb.Record(
            id=f"req-{i}", time_micros=t, model_version="1.4.0", prediction=score,
            features={
                "age": pb.Value(number=rng.randint(18, 90)),
                "country": pb.Value(text=rng.choice(["DE", "FR", "IT"])),
            },
        )

    reference = [record(i, start - 86_400_000_000, rng.betavariate(2, 12)) for i in range(500)]
    registered = monitor.RegisterModel(pb.RegisterModelRequest(
        name="credit-risk", version="1.4.0", task="binary",
        schema=[pb.Column(name="age", kind="numeric"), pb.Column(name="country", kind="categorical")],
        reference=reference, alerts=pb.AlertPolicy(window="1h", prediction_mean_ratio=10),
        rules_toml='[[column]]\nname = "age"\nmin = 18\nmax = 120\n',
    ), metadata=metadata)
    model = registered.model
    print(f"registered {model} with {registered.reference_records} reference records")

    alerts = []
    def watch():
        for alert in monitor.WatchAlerts(pb.WatchAlertsRequest(model=model), metadata=metadata):
            print(f"ALERT {alert.kind} {alert.state}: {alert.message}")
            alerts.append(alert)
            return
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    time.sleep(0.2)

    # Normal traffic: the guard lets it through, and it is logged in batches.
    batch = [record(1000 + i, start - 3_600_000_000 + i * 1_000_000, rng.betavariate(2, 12)) for i in range(200)]
    verdict = monitor.Check(pb.CheckRequest(model=model, records=batch[:1]), metadata=metadata)
    print("check of a normal prediction:", pb.Verdict.Name(verdict.verdict))
    columns = pb.RecordColumns(
        ids=[r.id for r in batch], time_micros=[r.time_micros for r in batch],
        model_versions=["1.4.0"], predictions=[r.prediction for r in batch],
        features=[
            pb.FeatureColumn(name="age", numbers=[r.features["age"].number for r in batch]),
            pb.FeatureColumn(name="country", texts=[r.features["country"].text for r in batch]),
        ],
    )
    print("logged", monitor.Log(pb.LogRequest(model=model, columns=columns), metadata=metadata).accepted)
    odd = record(1500, start, 0.1)
    odd.features["age"].number = 150
    verdict = monitor.Check(pb.CheckRequest(model=model, records=[odd]), metadata=metadata)
    print("check of a 150-year-old applicant:", pb.Verdict.Name(verdict.verdict), "-", "; ".join(verdict.reasons))

    # A broken release: scores 1000x too large.
    broken = [record(2000 + i, start + i * 1_000_000, 1000 * rng.betavariate(2, 12)) for i in range(200)]
    verdict = monitor.Check(pb.CheckRequest(model=model, records=broken[:1]), metadata=metadata)
    print("check of a broken prediction:", pb.Verdict.Name(verdict.verdict), "-", "; ".join(verdict.reasons))
    print("logged", monitor.Log(pb.LogRequest(model=model, records=broken), metadata=metadata).accepted)

    watcher.join(timeout=10)
    if not alerts:
        sys.exit("no alert arrived")
    report = monitor.GetReport(pb.GetReportRequest(model=model, from_micros=start, to_micros=start + 3_600_000_000), metadata=metadata)
    failed = [c for c in report.checks if c.outcome not in ("pass", "skipped")]
    print(f"report of the broken hour: {report.records} records, {len(report.checks)} checks, {len(failed)} not passed:")
    for check in failed:
        print(f"  {check.check} on {check.subject}: {check.outcome} ({check.value:.4g})")


if __name__ == "__main__":
    main()
