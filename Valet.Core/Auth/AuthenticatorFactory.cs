using Valet.Core.Configuration;

namespace Valet.Core.Auth;

/// <summary>Builds an app's <see cref="IAuthenticator"/> from its config; null for a public app.</summary>
public static class AuthenticatorFactory
{
    public static IAuthenticator? Create(AppConfig config) => config.Auth?.Type switch
    {
        AuthType.Basic => new BasicAuthenticator(config, config.Auth),
        AuthType.Jwt or AuthType.Oidc => new JwtAuthenticator(config, config.Auth),
        AuthType.Public => null,
        _ => config.Authorize ? new ApiKeyAuthenticator(config) : null,
    };
}
