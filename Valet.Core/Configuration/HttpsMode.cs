namespace Valet.Core.Configuration;

/// <summary>Which schemes an app is served on (<c>https</c>).</summary>
public enum HttpsMode
{
    /// <summary>Plain HTTP and HTTPS (the default).</summary>
    Both,

    /// <summary>HTTPS only: plain HTTP requests are redirected with 308.</summary>
    Only,

    /// <summary>Plain HTTP only: TLS handshakes for the app's hosts are refused.</summary>
    Off,
}
