namespace Valet.Daemon.Admin;

/// <summary>Every answer of the admin API that is an error. Mapped to HTTP in <see cref="AdminProblemWriter"/> only.</summary>
public enum AdminError
{
    /// <summary>No or a wrong bearer token.</summary>
    Unauthorized,

    /// <summary>No such admin route.</summary>
    UnknownRoute,

    /// <summary>The route exists, the method is not one of its methods.</summary>
    MethodNotAllowed,

    /// <summary>No app of that name (GET, DELETE).</summary>
    UnknownApp,

    /// <summary>The name in the URL is not a valid app name.</summary>
    BadName,

    /// <summary>The body is empty, not JSON, or not a JSON object.</summary>
    BadBody,

    /// <summary>The body names a different app than the URL.</summary>
    NameMismatch,

    /// <summary>The body is larger than an app file may be.</summary>
    BodyTooLarge,

    /// <summary>The app file has validation errors.</summary>
    InvalidApp,

    /// <summary><c>If-Match</c> / <c>If-None-Match</c> do not hold.</summary>
    PreconditionFailed,

    /// <summary>The target file belongs to another app.</summary>
    Conflict,

    /// <summary>Not ready: starting or draining.</summary>
    NotReady,

    /// <summary>The conf folder could not be written.</summary>
    WriteFailed,
}
