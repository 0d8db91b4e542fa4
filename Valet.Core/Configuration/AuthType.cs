namespace Valet.Core.Configuration;

/// <summary>How an app's end users are authenticated (<c>auth.type</c>).</summary>
public enum AuthType
{
    /// <summary>Anyone may call the app.</summary>
    Public,

    /// <summary>An API key in a header (the seed's <c>authorize</c>/<c>authKey</c>/<c>keys</c>).</summary>
    ApiKey,

    /// <summary>HTTP Basic with users and PBKDF2 password hashes.</summary>
    Basic,

    /// <summary>Bearer JWTs checked against keys given in the app file.</summary>
    Jwt,

    /// <summary>Bearer JWTs checked against the keys an OpenID Connect provider publishes.</summary>
    Oidc,
}
