"""A grpcio server implementing valet.peering.v1.Peering and grpc.health.v1.Health, for Valet's client.
Prints "PORT <n>", then one JSON line per counter update it receives."""
import json
import queue
import sys
import threading
import time
from concurrent import futures

import grpc

from interop_common import load, window, micros

token, stubs = sys.argv[1], sys.argv[2]
pb, pb_grpc, health = load(stubs)
lock = threading.Lock()


def emit(obj):
    with lock:
        print(json.dumps(obj), flush=True)


def authorized(context):
    return ("authorization", "Bearer " + token) in context.invocation_metadata()


class Peering(pb_grpc.PeeringServicer):
    def Sync(self, request_iterator, context):
        if not authorized(context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "wrong token")
        first = next(request_iterator)
        emit({"hello": first.hello.node_id})
        out = queue.Queue()

        def consume():
            try:
                for message in request_iterator:
                    if message.WhichOneof("kind") == "batch":
                        for u in message.batch.updates:
                            emit({"app": u.app, "count": u.count, "origin": u.origin, "snapshot": message.batch.snapshot})
            except grpc.RpcError:
                pass
            out.put(None)

        threading.Thread(target=consume, daemon=True).start()
        yield pb.SyncMessage(hello=pb.Hello(node_id="py-server", unix_micros=micros()))
        yield pb.SyncMessage(batch=pb.CounterBatch(node_id="py-server", snapshot=True, updates=[
            pb.CounterUpdate(app="api", partition="*", period=60, window=window(), count=7)]))
        while context.is_active():
            try:
                item = out.get(timeout=0.05)
            except queue.Empty:
                yield pb.SyncMessage(heartbeat=pb.Heartbeat(unix_micros=micros()))
                continue
            if item is None:
                return

    def Push(self, request, context):
        if not authorized(context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "wrong token")
        context.set_trailing_metadata([("x-pushed", str(len(request.updates)))])
        return pb.PushReply(accepted=len(request.updates))

    def Snapshot(self, request, context):
        if request.node_id == "error":
            context.abort(grpc.StatusCode.NOT_FOUND, "pas trouvé ✓ 100%")
        if request.node_id == "slow":
            time.sleep(2)
        return pb.CounterBatch(node_id="py-server", snapshot=True)


def check(request, context):
    return health.HealthCheckResponse(status=health.HealthCheckResponse.SERVING)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)])
pb_grpc.add_PeeringServicer_to_server(Peering(), server)
server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
    "Check": grpc.unary_unary_rpc_method_handler(check, request_deserializer=health.HealthCheckRequest.FromString,
                                                 response_serializer=health.HealthCheckResponse.SerializeToString)})])
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print("PORT %d" % port, flush=True)
sys.stdin.read()
server.stop(0)
