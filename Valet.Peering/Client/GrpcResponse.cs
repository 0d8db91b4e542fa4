using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Valet.Peering.Protocol;

namespace Valet.Peering.Client;

/// <summary>
/// The response side of one call: the status from the headers (Trailers-Only, or an HTTP status
/// mapped to gRPC), then the messages, then the status from the trailers (filled only once the body
/// has been read to its end).
/// </summary>
public sealed class GrpcResponse(HttpResponseMessage response, int maxMessageBytes) : IDisposable
{
    private GrpcFrameReader? _reader;

    public HttpResponseMessage Message => response;

    /// <summary>The call's status when the headers already settle it; null when messages follow.</summary>
    public GrpcStatus? HeaderStatus()
    {
        if (TryStatus(response.Headers, out var status)) return status;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new GrpcStatus(GrpcHttpMapping.FromHttpStatus(response.StatusCode), $"HTTP status {(int)response.StatusCode} without grpc-status");
        }

        var type = response.Content.Headers.ContentType?.ToString();
        if (!GrpcHeaders.IsGrpcContentType(type)) return new GrpcStatus(GrpcStatusCode.Unknown, $"response content-type '{type}' is not application/grpc");
        return null;
    }

    public async ValueTask<GrpcRead<T>> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        if (_reader is null)
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            _reader = new GrpcFrameReader(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), maxMessageBytes);
        }

        return await _reader.ReadAsync(parser, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The status in the trailers, after the body was read to its end.</summary>
    public GrpcStatus TrailerStatus() =>
        TryStatus(response.TrailingHeaders, out var status)
            ? status
            : new GrpcStatus(GrpcStatusCode.Internal, "the response ended without grpc-status");

    private static bool TryStatus(System.Net.Http.Headers.HttpHeaders headers, out GrpcStatus status)
    {
        status = default;
        if (!headers.TryGetValues(GrpcHeaders.Status, out var values)) return false;
        var text = values.FirstOrDefault();
        var code = int.TryParse(text, out var parsed) ? (GrpcStatusCode)parsed : GrpcStatusCode.Unknown;
        string? message = null;
        if (headers.TryGetValues(GrpcHeaders.Message, out var messages)) message = GrpcMessageEncoding.Decode(messages.First());
        status = new GrpcStatus(code, message);
        return true;
    }

    public void Dispose() => response.Dispose();
}
