"""grpcio calls Valet's peer service; prints one JSON object with the outcome of every case."""
import json
import sys
import threading
import time

import grpc

from interop_common import load, window, micros

target, token, stubs, self_id = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
pb, pb_grpc, health = load(stubs)

channel = grpc.insecure_channel(target, options=[("grpc.max_send_message_length", 16 * 1024 * 1024)])
stub = pb_grpc.PeeringStub(channel)
auth = [("authorization", "Bearer " + token)]
check = channel.unary_unary("/grpc.health.v1.Health/Check",
                            request_serializer=health.HealthCheckRequest.SerializeToString,
                            response_deserializer=health.HealthCheckResponse.FromString)
results = {}


def outcome(name, fn):
    try:
        value = fn()
        results[name] = {"code": "OK", "value": value}
    except grpc.RpcError as e:
        results[name] = {"code": e.code().name, "details": e.details()}


def update(app="api", count=1, win=None, partition="*", origin=""):
    return pb.CounterUpdate(app=app, partition=partition, period=60, window=window() if win is None else win, count=count, origin=origin)


outcome("health", lambda: health.HealthCheckResponse.ServingStatus.Name(check(health.HealthCheckRequest(service=""), timeout=5).status))
outcome("health_unknown_service", lambda: check(health.HealthCheckRequest(service="no.such.Service"), timeout=5).status)
outcome("push", lambda: stub.Push(pb.CounterBatch(node_id="py", updates=[update(count=5)]), metadata=auth, timeout=5).accepted)
outcome("snapshot", lambda: [[u.origin, u.app, u.count] for u in stub.Snapshot(pb.SnapshotRequest(node_id="py"), metadata=auth, timeout=5).updates])
outcome("push_absurd", lambda: [r for r in [stub.Push(pb.CounterBatch(node_id="py", updates=[
    update(count=-3), update(count=1 << 40), update(win=window() + 50), update(win=window() - 50), update(app="no-such-app")]),
    metadata=auth, timeout=5)] for r in (r.accepted, r.rejected)])
big = pb.CounterBatch(node_id="py-big", updates=[update(partition="p%05d-" % i + "x" * 200, count=1) for i in range(5000)])
outcome("large_unary", lambda: [big.ByteSize(), stub.Push(big, metadata=auth, timeout=10).accepted])
huge = pb.CounterBatch(node_id="py-huge", updates=[update(partition="q%06d-" % i + "y" * 240, count=1) for i in range(20000)])
outcome("oversized", lambda: stub.Push(huge, metadata=auth, timeout=10).accepted)
outcome("bad_token", lambda: stub.Push(pb.CounterBatch(node_id="py", updates=[update(count=99)]), metadata=[("authorization", "Bearer wrong")], timeout=5).accepted)
outcome("no_token_sync", lambda: [m.WhichOneof("kind") for m in stub.Sync(iter([pb.SyncMessage(hello=pb.Hello(node_id="py-anon"))]), timeout=5)])
outcome("unknown_method", lambda: channel.unary_unary("/valet.peering.v1.Peering/NoSuchMethod")(b"", timeout=5))
outcome("unknown_service", lambda: channel.unary_unary("/no.such.Service/Method")(b"", timeout=5))
outcome("own_node_id", lambda: stub.Push(pb.CounterBatch(node_id=self_id, updates=[update()]), metadata=auth, timeout=5).accepted)
outcome("empty_stream", lambda: [m.WhichOneof("kind") for m in stub.Sync(iter([]), metadata=auth, timeout=5)])


def sync_exchange():
    # Ping-pong: Hello, a batch, then wait for the server's Hello and snapshot before half-closing.
    got_snapshot = threading.Event()
    seen = []

    def requests():
        yield pb.SyncMessage(hello=pb.Hello(node_id="py-sync", unix_micros=micros()))
        yield pb.SyncMessage(batch=pb.CounterBatch(updates=[update(count=4)], origin_unix_micros=micros()))
        got_snapshot.wait(5)

    for message in stub.Sync(requests(), metadata=auth + [("x-custom-metadata", "hello")], timeout=10):
        kind = message.WhichOneof("kind")
        if kind == "hello":
            seen.append("hello:" + message.hello.node_id)
        elif kind == "batch" and message.batch.snapshot:
            seen.append("snapshot:" + ",".join(sorted("%s=%d" % (u.origin, u.count) for u in message.batch.updates if u.app == "api" and u.partition == "*")))
            got_snapshot.set()
    return seen


outcome("sync", sync_exchange)


def deadline():
    def requests():
        yield pb.SyncMessage(hello=pb.Hello(node_id="py-slow"))
        time.sleep(4)
    # A deadline well past a loaded machine's call set-up, well before the stream would end.
    return [m.WhichOneof("kind") for m in stub.Sync(requests(), metadata=auth, timeout=1.5)]


outcome("deadline", deadline)


def cancel():
    stop = threading.Event()

    def requests():
        yield pb.SyncMessage(hello=pb.Hello(node_id="py-cancel"))
        stop.wait(5)

    call = stub.Sync(requests(), metadata=auth, timeout=10)
    first = next(call)
    call.cancel()
    stop.set()
    try:
        next(call)
    except grpc.RpcError as e:
        return [first.WhichOneof("kind"), e.code().name]
    return [first.WhichOneof("kind"), "no error"]


outcome("cancel", cancel)
outcome("health_after", lambda: health.HealthCheckResponse.ServingStatus.Name(check(health.HealthCheckRequest(service=""), timeout=5).status))
print(json.dumps(results, separators=(",", ":"), ensure_ascii=False), flush=True)
