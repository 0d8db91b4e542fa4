using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Valet.Core.Diagnostics;

/// <summary>
/// The one place that turns a <see cref="GatewayError"/> into HTTP: status code, the headers that
/// go with it (<c>Allow</c>, <c>Retry-After</c>) and an RFC 9457 <c>application/problem+json</c>
/// body naming the app and the request id. Toward a gRPC client (a request whose content type is
/// <c>application/grpc*</c>) the same error is a gRPC status in a Trailers-Only answer instead:
/// HTTP 200, <c>content-type: application/grpc</c>, <c>grpc-status</c> and <c>grpc-message</c>,
/// no body, as gRPC clients understand nothing else.
/// </summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    /// <summary>The content type gRPC requests carry (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...).</summary>
    public const string GrpcContentType = "application/grpc";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static int StatusOf(GatewayError error) => error switch
    {
        GatewayError.NoApp or GatewayError.UnknownApp or GatewayError.NoMatchingMock => StatusCodes.Status404NotFound,
        GatewayError.BadPath or GatewayError.BadRequestBody => StatusCodes.Status400BadRequest,
        GatewayError.RequestBodyTimeout => StatusCodes.Status408RequestTimeout,
        GatewayError.HttpsRequired => StatusCodes.Status308PermanentRedirect,
        GatewayError.HttpsRefused => StatusCodes.Status421MisdirectedRequest,
        GatewayError.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        GatewayError.CorsRejected or GatewayError.Forbidden => StatusCodes.Status403Forbidden,
        GatewayError.AuthUnavailable => StatusCodes.Status503ServiceUnavailable,
        GatewayError.Unauthorized => StatusCodes.Status401Unauthorized,
        GatewayError.RateLimited => StatusCodes.Status429TooManyRequests,
        GatewayError.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        GatewayError.NoHealthyEndpoint => StatusCodes.Status503ServiceUnavailable,
        GatewayError.UpstreamUnreachable or GatewayError.UpstreamFailed or GatewayError.AggregatePartFailed => StatusCodes.Status502BadGateway,
        GatewayError.UpstreamTimeout or GatewayError.AggregatePartTimedOut => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// The gRPC status code of a gateway error, after gRPC's HTTP-to-status mapping where one applies
    /// (404 → UNIMPLEMENTED, 401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED, 429 → RESOURCE_EXHAUSTED,
    /// 502/503/504 → UNAVAILABLE) and the status gRPC itself uses otherwise (a message too large →
    /// RESOURCE_EXHAUSTED).
    /// </summary>
    public static int GrpcStatusOf(GatewayError error) => error switch
    {
        GatewayError.Unauthorized => 16, // UNAUTHENTICATED
        GatewayError.Forbidden or GatewayError.CorsRejected => 7, // PERMISSION_DENIED
        GatewayError.RateLimited or GatewayError.PayloadTooLarge => 8, // RESOURCE_EXHAUSTED
        GatewayError.NoApp or GatewayError.UnknownApp or GatewayError.NoMatchingMock or GatewayError.MethodNotAllowed => 12, // UNIMPLEMENTED
        GatewayError.BadPath => 3, // INVALID_ARGUMENT
        GatewayError.HttpsRequired or GatewayError.HttpsRefused => 9, // FAILED_PRECONDITION
        GatewayError.AuthUnavailable or GatewayError.NoHealthyEndpoint or GatewayError.UpstreamUnreachable or GatewayError.UpstreamFailed
            or GatewayError.UpstreamTimeout or GatewayError.AggregatePartFailed or GatewayError.AggregatePartTimedOut => 14, // UNAVAILABLE
        _ => 13, // INTERNAL
    };

    /// <summary>Whether the request is a gRPC call, whose errors must be gRPC statuses.</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(GrpcContentType, StringComparison.OrdinalIgnoreCase);

    private static (string Slug, string Title) Describe(GatewayError error) => error switch
    {
        GatewayError.NoApp => ("no-app", "No app named in the path"),
        GatewayError.UnknownApp => ("unknown-app", "Unknown app"),
        GatewayError.BadPath => ("bad-path", "Path not allowed"),
        GatewayError.HttpsRequired => ("https-required", "HTTPS required"),
        GatewayError.HttpsRefused => ("https-refused", "HTTPS not served for this app"),
        GatewayError.MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
        GatewayError.NoMatchingMock => ("no-matching-mock", "No mock for this request"),
        GatewayError.CorsRejected => ("cors-rejected", "Cross-origin request not allowed"),
        GatewayError.Unauthorized => ("unauthorized", "Missing or invalid credentials"),
        GatewayError.Forbidden => ("forbidden", "Not allowed for this caller"),
        GatewayError.AuthUnavailable => ("auth-unavailable", "Authentication unavailable"),
        GatewayError.RateLimited => ("rate-limited", "Rate limit exceeded"),
        GatewayError.PayloadTooLarge => ("payload-too-large", "Request body too large"),
        GatewayError.BadRequestBody => ("bad-request-body", "Malformed request body"),
        GatewayError.RequestBodyTimeout => ("request-body-timeout", "Request body too slow"),
        GatewayError.NoHealthyEndpoint => ("no-healthy-endpoint", "No healthy endpoint"),
        GatewayError.UpstreamUnreachable => ("upstream-unreachable", "Endpoint unreachable"),
        GatewayError.UpstreamFailed => ("upstream-failed", "Endpoint failed"),
        GatewayError.UpstreamTimeout => ("upstream-timeout", "Endpoint timed out"),
        GatewayError.AggregatePartFailed => ("aggregate-part-failed", "A required part failed"),
        GatewayError.AggregatePartTimedOut => ("aggregate-part-timeout", "A required part timed out"),
        _ => ("internal", "Internal error"),
    };

    /// <summary>Writes the problem answer. Does nothing when the response has already started.</summary>
    /// <param name="retryAfterSeconds">Seconds for <c>Retry-After</c>, or 0 for none.</param>
    /// <param name="allow">Value for <c>Allow</c> on a 405.</param>
    /// <param name="extensions">Writes extension members (RFC 9457 §3.2) after the standard ones.</param>
    /// <param name="location">Value for <c>Location</c> on a redirect.</param>
    public static Task WriteAsync(HttpContext context, GatewayError error, string? app, string requestId, string detail,
        int retryAfterSeconds = 0, string? allow = null, Action<Utf8JsonWriter>? extensions = null, string? location = null)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        if (IsGrpc(context.Request)) return WriteGrpc(response, error, detail, retryAfterSeconds, location);
        var status = StatusOf(error);
        var (slug, title) = Describe(error);
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (retryAfterSeconds > 0) response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (allow is not null) response.Headers.Allow = allow;
        if (location is not null) response.Headers.Location = location;

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", "urn:valet:problem:" + slug);
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            if (app is not null) json.WriteString("app", app);
            json.WriteString("requestId", requestId);
            extensions?.Invoke(json);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    /// <summary>The Trailers-Only answer: status and message in the only HEADERS frame, which ends the stream.</summary>
    private static Task WriteGrpc(HttpResponse response, GatewayError error, string detail, int retryAfterSeconds, string? location)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcContentType;
        var headers = response.Headers;
        headers["grpc-status"] = GrpcStatusOf(error).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["grpc-message"] = PercentEncode(location is null ? detail : $"{detail}: {location}");
        if (retryAfterSeconds > 0) headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>grpc-message</c> encoding: UTF-8, with every byte outside printable ASCII (0x20-0x7E) and
    /// '%' itself written as %XX.
    /// </summary>
    internal static string PercentEncode(string message)
    {
        var plain = true;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                plain = false;
                break;
            }
        }

        if (plain) return message;
        var builder = new System.Text.StringBuilder(message.Length + 16);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
