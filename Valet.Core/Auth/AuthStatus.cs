namespace Valet.Core.Auth;

/// <summary>Whether an authenticator can decide, and if not, why (no secrets in the reason).</summary>
public sealed record AuthStatus(bool Ready, string? Problem)
{
    public static readonly AuthStatus IsReady = new(true, null);
}
