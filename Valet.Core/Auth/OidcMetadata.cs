using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Valet.Core.Auth;

/// <summary>
/// An OpenID Connect provider's discovery document and signing keys (JWKS), fetched and cached by a
/// <see cref="ConfigurationManager{T}"/>. The first fetch starts when the app is compiled (never
/// while parsing), so an unreachable provider delays nothing: the app answers 503 until a fetch
/// succeeds, retried with the manager's back-off, while other apps serve. A token signed with a
/// key the cache does not know asks for a refresh, at most once per <see cref="MinRefreshInterval"/>.
/// </summary>
internal sealed class OidcMetadata
{
    /// <summary>The shortest time between two refreshes asked for by unknown <c>kid</c>s.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(30);

    public const string DiscoveryPath = "/.well-known/openid-configuration";

    /// <summary>The IdentityModel switch that makes a requested refresh complete before the next read (see <see cref="JwtAuthenticator"/>).</summary>
    public const string BlockingRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
        MaxResponseContentBufferSize = 1024 * 1024,
    };

    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly Func<OpenIdConnectConfiguration, TokenValidationParameters> _build;
    private volatile Snapshot? _snapshot;
    private volatile string? _problem;

    public OidcMetadata(string authority, Func<OpenIdConnectConfiguration, TokenValidationParameters> build)
    {
        _build = build;
        Address = authority.EndsWith(DiscoveryPath, StringComparison.Ordinal) ? authority : authority.TrimEnd('/') + DiscoveryPath;
        var retriever = new HttpDocumentRetriever(Http) { RequireHttps = Address.StartsWith("https:", StringComparison.Ordinal) };
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(Address, new OpenIdConnectConfigurationRetriever(), retriever)
        {
            RefreshInterval = MinRefreshInterval,
        };
        WarmUp = Task.Run(() => GetAsync(CancellationToken.None).AsTask());
    }

    /// <summary>The discovery document's URL.</summary>
    public string Address { get; }

    /// <summary>Completes after the first fetch, successful or not.</summary>
    public Task WarmUp { get; }

    public AuthStatus Status => _snapshot is not null
        ? AuthStatus.IsReady
        : new AuthStatus(false, _problem ?? $"fetching the OIDC discovery document {Address}");

    /// <summary>Validation parameters with the provider's current keys, or null when it cannot be reached.</summary>
    public async ValueTask<TokenValidationParameters?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = _snapshot;
            if (snapshot is null || !ReferenceEquals(snapshot.Configuration, configuration))
            {
                snapshot = new Snapshot(configuration, _build(configuration));
                _snapshot = snapshot;
            }

            _problem = null;
            return snapshot.Parameters;
        }
        catch (Exception e)
        {
            if (cancellationToken.IsCancellationRequested) return null;
            _problem = $"the OIDC discovery document {Address} or its keys could not be fetched: {Innermost(e).Message}";
            return _snapshot?.Parameters;
        }
    }

    /// <summary>Asks for fresh keys (rate-bounded by the manager) and returns what is current after it.</summary>
    public ValueTask<TokenValidationParameters?> RefreshAsync(CancellationToken cancellationToken)
    {
        _manager.RequestRefresh();
        return GetAsync(cancellationToken);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private sealed record Snapshot(OpenIdConnectConfiguration Configuration, TokenValidationParameters Parameters);
}
