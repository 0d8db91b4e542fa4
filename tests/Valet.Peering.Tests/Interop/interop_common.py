"""Shared set-up of the interop scripts: the generated stubs (from the same protos as Valet)."""
import importlib.util
import os
import sys
import time


def load(stubs):
    sys.path.insert(0, stubs)
    from valet.peering.v1 import peering_pb2, peering_pb2_grpc  # noqa: E402
    # grpc/health/v1 would shadow the installed grpc package: load the health messages by path.
    spec = importlib.util.spec_from_file_location("health_pb2", os.path.join(stubs, "grpc", "health", "v1", "health_pb2.py"))
    health_pb2 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(health_pb2)
    return peering_pb2, peering_pb2_grpc, health_pb2


def window(period=60):
    return int(time.time()) // period


def micros():
    return int(time.time() * 1_000_000)
