"""A grpcio client of valet.test.v1.Echo in front of Valet. Runs one call and prints its outcome as
one JSON line: code, details, replies, initial and trailing metadata.
Usage: echo_client.py STUBS TARGET AUTHORITY CALL [KEY]  (AUTHORITY "-" = the target's)"""
import json
import queue
import sys

import grpc

stubs, target, authority, call = sys.argv[1:5]
key = sys.argv[5] if len(sys.argv) > 5 else None
sys.path.insert(0, stubs)
import echo_pb2  # noqa: E402
import echo_pb2_grpc  # noqa: E402

options = [] if authority == "-" else [("grpc.default_authority", authority)]
metadata = [("x-valet-auth", key)] if key else []
out = {"code": "OK", "details": None, "replies": [], "initial": {}, "trailing": {}}
with grpc.insecure_channel(target, options=options) as channel:
    stub = echo_pb2_grpc.EchoStub(channel)
    try:
        if call in ("say", "fail"):
            reply, rpc = stub.Say.with_call(echo_pb2.EchoRequest(text="fail" if call == "fail" else "hello"), metadata=metadata, timeout=10)
            out["replies"].append(reply.text)
            out["initial"] = dict(rpc.initial_metadata())
            out["trailing"] = dict(rpc.trailing_metadata())
        elif call == "count":
            stream = stub.Count(echo_pb2.EchoRequest(text="n", count=5), metadata=metadata, timeout=10)
            for reply in stream:
                out["replies"].append("%s%d" % (reply.text, reply.index))
            out["trailing"] = dict(stream.trailing_metadata())
        elif call == "chat":
            # Each request is sent only after the previous answer arrived: proof the stream flows both ways at once.
            requests = queue.Queue()
            requests.put(echo_pb2.EchoRequest(text="a"))
            stream = stub.Chat(iter(requests.get, None), metadata=metadata, timeout=10)
            for reply in stream:
                out["replies"].append(reply.text)
                nxt = {"re:a": "b", "re:b": "c"}.get(reply.text)
                requests.put(echo_pb2.EchoRequest(text=nxt) if nxt else None)
        else:
            raise SystemExit("unknown call " + call)
    except grpc.RpcError as e:
        out["code"] = e.code().name
        out["details"] = e.details()
        out["trailing"] = dict(e.trailing_metadata() or ())
print(json.dumps(out), flush=True)
