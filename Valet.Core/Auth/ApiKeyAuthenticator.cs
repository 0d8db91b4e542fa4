using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;

namespace Valet.Core.Auth;

/// <summary>
/// API-key authentication of one app: the key in <c>authHeader</c> must equal <c>authKey</c> or one
/// consumer's key. Keys are compared in constant time (<see cref="SecretComparer"/>); hashed keys (<c>sha256:&lt;hex&gt;</c>) are
/// compared by the SHA-256 of what the client sent. Keys never appear in logs or answers.
/// </summary>
public sealed class ApiKeyAuthenticator : IAuthenticator
{
    private readonly PlainKey[] _plain;
    private readonly HashedKey[] _hashed;
    private readonly string _missingDetail;
    private readonly string _invalidDetail;

    public ApiKeyAuthenticator(AppConfig config)
    {
        HeaderName = config.AuthHeader;
        Challenge = $"ApiKey realm=\"{config.Name}\", header=\"{config.AuthHeader}\"";
        var plain = new List<PlainKey>();
        var hashed = new List<HashedKey>();
        if (!string.IsNullOrEmpty(config.AuthKey)) Add(new ConsumerConfig { Id = AppConfig.DefaultConsumerId, Key = config.AuthKey });
        foreach (var consumer in config.Keys) Add(consumer);
        _plain = [.. plain];
        _hashed = [.. hashed];
        ConsumerIds = [.. _plain.Select(k => k.Consumer.Id).Concat(_hashed.Select(k => k.Consumer.Id))];
        _missingDetail = $"send the API key in the {HeaderName} header";
        _invalidDetail = $"the key in {HeaderName} is not valid for app '{config.Name}'";

        void Add(ConsumerConfig c)
        {
            var consumer = new Consumer(c.Id, c.LimitValue);
            if (c.IsHashed) hashed.Add(new HashedKey(Convert.FromHexString(c.Key.AsSpan(ConsumerConfig.HashPrefix.Length)), consumer));
            else plain.Add(new PlainKey(c.Key, consumer));
        }
    }

    /// <summary>The request header that carries the key; removed before forwarding.</summary>
    public string HeaderName { get; }

    /// <summary>The <c>WWW-Authenticate</c> value of a 401.</summary>
    public string Challenge { get; }

    /// <summary>Every consumer id, for the admin API (never the keys).</summary>
    public IReadOnlyList<string> ConsumerIds { get; }

    public string Type => "apiKey";

    public AuthStatus Status => AuthStatus.IsReady;

    public Task WarmUp => Task.CompletedTask;

    public ValueTask<AuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var outcome = Authenticate(request, out var consumer);
        return new(outcome switch
        {
            AuthOutcome.Authenticated => AuthResult.Authenticated(consumer!),
            AuthOutcome.Missing => new AuthResult(outcome, null, _missingDetail),
            _ => new AuthResult(outcome, null, _invalidDetail),
        });
    }

    public bool IsCredentialHeader(string name) => string.Equals(name, HeaderName, StringComparison.OrdinalIgnoreCase);

    public AuthOutcome Authenticate(HttpRequest request, out Consumer? consumer)
    {
        consumer = null;
        var values = request.Headers[HeaderName];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0])) return AuthOutcome.Missing;
        if (values.Count > 1) return AuthOutcome.Invalid;
        consumer = Match(values[0]!);
        return consumer is null ? AuthOutcome.Invalid : AuthOutcome.Authenticated;
    }

    /// <summary>The consumer whose key is <paramref name="presented"/>, or null.</summary>
    public Consumer? Match(string presented)
    {
        Consumer? found = null;
        var presentedBytes = MemoryMarshal.AsBytes(presented.AsSpan());
        foreach (var key in _plain)
        {
            if (SecretComparer.FixedTimeEquals(presentedBytes, MemoryMarshal.AsBytes(key.Key.AsSpan()))) found ??= key.Consumer;
        }

        if (_hashed.Length == 0) return found;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(presented, digest);
        foreach (var key in _hashed)
        {
            if (SecretComparer.FixedTimeEquals(digest, key.Hash)) found ??= key.Consumer;
        }

        return found;
    }

    /// <summary>The <c>sha256:&lt;hex&gt;</c> form of a key, as stored in app files.</summary>
    public static string HashKey(string key)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(key, digest);
        return ConsumerConfig.HashPrefix + Convert.ToHexStringLower(digest);
    }

    private static void Hash(string text, Span<byte> digest)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        var bytes = rented ?? stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        SHA256.HashData(bytes[..length], digest);
        CryptographicOperations.ZeroMemory(bytes[..length]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }

    private sealed record PlainKey(string Key, Consumer Consumer);

    private sealed record HashedKey(byte[] Hash, Consumer Consumer);
}
