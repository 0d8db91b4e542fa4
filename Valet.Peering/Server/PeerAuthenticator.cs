using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Valet.Peering.Server;

/// <summary>Checks <c>authorization: Bearer &lt;token&gt;</c> against the cluster's token in constant time.</summary>
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
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
