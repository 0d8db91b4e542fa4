namespace Valet.Core.Auth;

/// <summary>
/// The answer of an <see cref="IAuthenticator"/>: the outcome, the consumer when authenticated,
/// and for a rejection a detail for the problem answer and an optional challenge replacing the
/// authenticator's own (e.g. <c>error="invalid_token"</c>). Details never hold credentials.
/// </summary>
public readonly record struct AuthResult(AuthOutcome Outcome, Consumer? Consumer, string Detail, string? Challenge = null)
{
    public static AuthResult Authenticated(Consumer consumer) => new(AuthOutcome.Authenticated, consumer, "");
}
