namespace Valet.Core.Diagnostics;

/// <summary>Every answer the gateway makes itself instead of a backend. Mapped to HTTP in <see cref="ProblemWriter"/> only.</summary>
public enum GatewayError
{
    /// <summary>The request target has no app segment.</summary>
    NoApp,

    /// <summary>The first path segment names no app.</summary>
    UnknownApp,

    /// <summary>The path would escape the app's prefix.</summary>
    BadPath,

    /// <summary>A plain HTTP request to an app with <c>https: "only"</c>: redirected to HTTPS.</summary>
    HttpsRequired,

    /// <summary>A request over TLS to an app with <c>https: "off"</c>.</summary>
    HttpsRefused,

    /// <summary>A CORS preflight from an origin, method or headers the app does not allow.</summary>
    CorsRejected,

    /// <summary>No credentials, or credentials of no consumer.</summary>
    Unauthorized,

    /// <summary>An authenticated caller lacks a required claim.</summary>
    Forbidden,

    /// <summary>The app's identity provider cannot be reached, so no token can be checked.</summary>
    AuthUnavailable,

    /// <summary>The budget of the current window is spent.</summary>
    RateLimited,

    /// <summary>The request body is larger than the app's <c>maxBodyBytes</c>.</summary>
    PayloadTooLarge,

    /// <summary>The request body is malformed (bad chunked framing), found while it was forwarded.</summary>
    BadRequestBody,

    /// <summary>The request body arrived slower than the minimum data rate while it was forwarded.</summary>
    RequestBodyTimeout,

    /// <summary>The method is not in the app's <c>methods</c>.</summary>
    MethodNotAllowed,

    /// <summary>A mock-only app has no mock for this request.</summary>
    NoMatchingMock,

    /// <summary>Every endpoint is cooling down after failures.</summary>
    NoHealthyEndpoint,

    /// <summary>The endpoint could not be connected to.</summary>
    UpstreamUnreachable,

    /// <summary>The endpoint failed after the request was sent (reset, bad response).</summary>
    UpstreamFailed,

    /// <summary>The endpoint sent no response headers within the app's timeout.</summary>
    UpstreamTimeout,

    /// <summary>A required part of an aggregate failed (no answer, or not 2xx).</summary>
    AggregatePartFailed,

    /// <summary>Every required part of an aggregate that failed ran out of time.</summary>
    AggregatePartTimedOut,
}
