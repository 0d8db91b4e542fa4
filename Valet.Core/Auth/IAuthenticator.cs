using Microsoft.AspNetCore.Http;

namespace Valet.Core.Auth;

/// <summary>
/// How one app authenticates its callers (API key, basic, JWT, OIDC). Built once per compiled app;
/// called on every request of that app. Implementations never log or echo credentials.
/// </summary>
public interface IAuthenticator
{
    /// <summary>The <c>auth.type</c> name: apiKey, basic, jwt or oidc.</summary>
    string Type { get; }

    /// <summary>The <c>WWW-Authenticate</c> value of a 401.</summary>
    string Challenge { get; }

    /// <summary>Consumer ids or user names, for the admin summary (never keys or hashes); empty for token types.</summary>
    IReadOnlyList<string> ConsumerIds { get; }

    /// <summary>Whether the authenticator can decide (false while an OIDC provider is unreachable).</summary>
    AuthStatus Status { get; }

    /// <summary>Completes when the first attempt to get ready has ended (at once for authenticators that fetch nothing).</summary>
    Task WarmUp { get; }

    /// <summary>Checks the request's credentials. Completes synchronously unless keys must be fetched.</summary>
    ValueTask<AuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="name"/> carries credentials, so it is removed before forwarding.</summary>
    bool IsCredentialHeader(string name);
}
