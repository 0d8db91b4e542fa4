namespace Valet.Core.Auth;

/// <summary>The result of checking a request's credentials.</summary>
public enum AuthOutcome
{
    Authenticated,

    /// <summary>No credentials were sent.</summary>
    Missing,

    /// <summary>Credentials were sent but match no consumer.</summary>
    Invalid,

    /// <summary>The caller is authenticated but lacks a required claim (403).</summary>
    Forbidden,

    /// <summary>The authenticator cannot decide yet, e.g. its OIDC provider is unreachable (503).</summary>
    Unavailable,
}
