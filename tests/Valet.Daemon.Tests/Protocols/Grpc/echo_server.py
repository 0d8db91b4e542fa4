"""A grpcio server of valet.test.v1.Echo, behind Valet. Prints "PORT <n>", serves until stdin closes."""
import sys
from concurrent import futures

import grpc

sys.path.insert(0, sys.argv[1])
import echo_pb2  # noqa: E402
import echo_pb2_grpc  # noqa: E402


class Echo(echo_pb2_grpc.EchoServicer):
    def Say(self, request, context):
        if request.text == "fail":
            context.abort(grpc.StatusCode.NOT_FOUND, "pas trouvé ✓ 100%")
        seen = dict(context.invocation_metadata())
        context.send_initial_metadata([("x-initial", "hi")])
        context.set_trailing_metadata([("x-served-by", "grpcio"), ("x-consumer", seen.get("x-valet-consumer", "-"))])
        return echo_pb2.EchoReply(text="echo:" + request.text)

    def Count(self, request, context):
        for i in range(request.count):
            yield echo_pb2.EchoReply(text=request.text, index=i)
        context.set_trailing_metadata([("x-total", str(request.count))])

    def Chat(self, request_iterator, context):
        for i, request in enumerate(request_iterator):
            yield echo_pb2.EchoReply(text="re:" + request.text, index=i)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
echo_pb2_grpc.add_EchoServicer_to_server(Echo(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print("PORT %d" % port, flush=True)
sys.stdin.read()
server.stop(0)
