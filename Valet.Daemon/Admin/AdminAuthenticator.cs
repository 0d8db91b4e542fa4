using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;

namespace Valet.Daemon.Admin;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> on admin requests when a token is set. Both
/// sides are hashed to a fixed length and compared with <see cref="SecretComparer.FixedTimeEquals"/>,
/// so the time taken says nothing about the token, not even its length.
/// </summary>
public sealed class AdminAuthenticator(string? token)
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether requests need a token.</summary>
    public bool Required => _expected is not null;

    public bool IsAuthorized(HttpRequest request)
    {
        if (_expected is null) return true;
        var headers = request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } value) return false;
        var span = value.AsSpan().Trim();
        const string scheme = "Bearer ";
        if (span.Length <= scheme.Length || !span.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(span[scheme.Length..].Trim().ToString());
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, hash);
        return SecretComparer.FixedTimeEquals(hash, _expected);
    }
}
