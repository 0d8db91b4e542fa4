using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;

namespace Valet.Peering.Server;

/// <summary>
/// Checks <c>authorization: Bearer &lt;token&gt;</c> against the cluster's token in constant time
/// (SHA-256 of both, <see cref="SecretComparer"/>). An empty token is never accepted, so a cluster
/// configured with one (the daemon refuses to start that way) stays closed rather than open to
/// anyone sending <c>Bearer</c> and nothing.
/// </summary>
public sealed class PeerAuthenticator(string? token)
{
    private readonly byte[]? _expected = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Required => _expected is not null;

    public bool IsAuthorized(HttpRequest request)
    {
        if (_expected is null) return true;
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var value = header[prefix.Length..].Trim();
        if (value.Length == 0) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        return SecretComparer.FixedTimeEquals(presented, _expected);
    }
}
