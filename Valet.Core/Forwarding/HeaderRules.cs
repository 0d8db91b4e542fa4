using System.Collections.Frozen;

namespace Valet.Core.Forwarding;

/// <summary>Which headers the forwarder copies, drops or sets itself.</summary>
internal static class HeaderRules
{
    /// <summary>Hop-by-hop headers (RFC 9110 §7.6.1) and proxy headers: never forwarded either way.</summary>
    public static readonly FrozenSet<string> HopByHop = new[]
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Request headers the gateway sets itself, so a client's copy is dropped.</summary>
    public static readonly FrozenSet<string> GatewaySetRequest = new[]
    {
        "Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "X-Request-Id", "Content-Length", "traceparent",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers that belong to <see cref="HttpContent"/> rather than the request message.</summary>
    public static readonly FrozenSet<string> Content = new[]
    {
        "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Disposition", "Expires", "Last-Modified", "Allow",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The header that tells backends who the authenticated consumer is.</summary>
    public const string ConsumerHeader = "X-Valet-Consumer";

    /// <summary>Client-sent <c>X-Valet-*</c> headers are never forwarded: only the gateway speaks for itself.</summary>
    public static bool IsValetHeader(string name) => name.StartsWith("X-Valet-", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when any value holds CR, LF or NUL, which would split or corrupt a header.</summary>
    public static bool HasUnsafeCharacters(string? value) => value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;
}
