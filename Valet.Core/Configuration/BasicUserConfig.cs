namespace Valet.Core.Configuration;

/// <summary>One user of basic auth: a name and a password hash as printed by <c>valet hash-password</c>.</summary>
public sealed record BasicUserConfig
{
    public required string Name { get; init; }

    /// <summary><c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt base64&gt;$&lt;hash base64&gt;</c>; never a plain password.</summary>
    public required string PasswordHash { get; init; }
}
