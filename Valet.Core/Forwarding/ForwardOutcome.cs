namespace Valet.Core.Forwarding;

/// <summary>How one upstream attempt ended.</summary>
public enum ForwardOutcome
{
    /// <summary>The response was relayed to the client.</summary>
    Success,

    /// <summary>No connection could be made: the request never reached the endpoint (safe to retry).</summary>
    ConnectFailed,

    /// <summary>The endpoint failed after the request may have reached it (no response headers).</summary>
    RequestFailed,

    /// <summary>The client's body grew past the app's <c>maxBodyBytes</c> while it was streamed.</summary>
    RequestBodyTooLarge,

    /// <summary>The client's body could not be read (malformed chunked framing): the client's fault, not the endpoint's.</summary>
    RequestBodyInvalid,

    /// <summary>The client's body arrived slower than Kestrel's minimum data rate: the client's fault, not the endpoint's.</summary>
    RequestBodyTimedOut,

    /// <summary>No response headers within the app's timeout.</summary>
    Timeout,

    /// <summary>The client went away; the upstream call was cancelled.</summary>
    ClientAborted,

    /// <summary>The endpoint broke off while its response was being relayed; the client connection was aborted.</summary>
    ResponseFailed,
}
