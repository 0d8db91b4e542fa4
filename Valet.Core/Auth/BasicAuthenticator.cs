using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;

namespace Valet.Core.Auth;

/// <summary>
/// HTTP Basic authentication against the app's users (<c>auth.users</c>) and their PBKDF2 hashes.
/// Deriving a hash is slow on purpose, so once a user's password has verified, an HMAC of it
/// under a random per-instance key is kept and compared (in constant time) on later requests;
/// the password itself is never kept. Unknown users cost one derivation too, so timing does not
/// tell which users exist.
/// </summary>
public sealed class BasicAuthenticator : IAuthenticator
{
    private const int MaxHeaderLength = 4096;

    private readonly FrozenDictionary<string, User> _users;
    private readonly PasswordHash _decoy;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly string _invalidDetail;

    public BasicAuthenticator(AppConfig config, AuthConfig auth)
    {
        Challenge = $"Basic realm=\"{auth.Realm ?? config.Name}\", charset=\"UTF-8\"";
        _users = auth.Users.ToFrozenDictionary(u => u.Name, u => new User(Parse(u.PasswordHash), new Consumer(u.Name, null)), StringComparer.Ordinal);
        var iterations = auth.Users.Count == 0 ? PasswordHash.MinIterations : _users.Values.Max(u => u.Hash.Iterations);
        _decoy = Parse(PasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), iterations));
        ConsumerIds = [.. auth.Users.Select(u => u.Name)];
        _invalidDetail = $"the user name or password is not valid for app '{config.Name}'";
    }

    public string Type => "basic";

    public string Challenge { get; }

    public IReadOnlyList<string> ConsumerIds { get; }

    public AuthStatus Status => AuthStatus.IsReady;

    public Task WarmUp => Task.CompletedTask;

    public bool IsCredentialHeader(string name) => string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase);

    public ValueTask<AuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = request.Headers.Authorization;
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return new(new AuthResult(AuthOutcome.Missing, null, "send a user name and password with HTTP Basic authentication"));
        }

        var value = values[0]!;
        if (values.Count > 1 || value.Length > MaxHeaderLength || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return new(new AuthResult(AuthOutcome.Invalid, null, "use HTTP Basic authentication (Authorization: Basic base64(user:password))"));
        }

        var consumer = Verify(value.AsSpan(6).Trim());
        return new(consumer is null ? new AuthResult(AuthOutcome.Invalid, null, _invalidDetail) : AuthResult.Authenticated(consumer));
    }

    private Consumer? Verify(ReadOnlySpan<char> encoded)
    {
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var length)) return null;
        string credentials;
        try
        {
            credentials = new UTF8Encoding(false, true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        var colon = credentials.IndexOf(':');
        if (colon <= 0) return null;
        var name = credentials[..colon];
        var password = credentials[(colon + 1)..];
        if (!_users.TryGetValue(name, out var user))
        {
            _decoy.Verify(password);
            return null;
        }

        var mac = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(password));
        if (user.Verified is { } known && SecretComparer.FixedTimeEquals(known, mac)) return user.Consumer;
        if (!user.Hash.Verify(password)) return null;
        user.Verified = mac;
        return user.Consumer;
    }

    private static PasswordHash Parse(string text) =>
        PasswordHash.TryParse(text, out var hash, out var error) ? hash! : throw new ArgumentException(error, nameof(text));

    private sealed class User(PasswordHash hash, Consumer consumer)
    {
        public PasswordHash Hash { get; } = hash;

        public Consumer Consumer { get; } = consumer;

        /// <summary>HMAC of the last password that verified; null until one has.</summary>
        public volatile byte[]? Verified;
    }
}
