namespace Valet.Core.Auth;

/// <summary>The result of checking a request's credentials.</summary>
public enum AuthOutcome
{
    Authenticated,

    /// <summary>No credentials were sent.</summary>
    Missing,

    /// <summary>Credentials were sent but match no consumer.</summary>
    Invalid,
}
