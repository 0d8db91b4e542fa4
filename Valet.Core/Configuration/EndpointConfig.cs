namespace Valet.Core.Configuration;

/// <summary>One backend address of an app: <c>{ "host", "path", "port", "scheme", "protocol" }</c>.</summary>
public sealed record EndpointConfig
{
    public required string Host { get; init; }

    /// <summary>Path prefix put before the forwarded path; "" or starting with '/'.</summary>
    public string Path { get; init; } = "";

    public required int Port { get; init; }

    /// <summary><c>http</c> (default) or <c>https</c>.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>The HTTP version spoken to the endpoint: <c>http1</c> (default), <c>http2</c> (TLS) or <c>h2c</c>.</summary>
    public EndpointProtocol Protocol { get; init; } = EndpointProtocol.Http1;

    /// <summary>Stable identity used to keep health across reloads.</summary>
    public string Key => $"{Scheme}://{Host}:{Port}{Path}";
}
