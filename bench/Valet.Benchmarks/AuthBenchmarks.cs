using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;
using Valet.Core.Configuration;

namespace Valet.Benchmarks;

/// <summary>
/// API-key checks. The seed case (one plain <c>authKey</c>) targets ≤ 100 ns and 0 bytes, for the
/// seed's 12-character key and a 32-character one; the hashed-key and ten-consumer cases show what
/// a SHA-256 and a linear constant-time scan over every key cost.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class AuthBenchmarks
{
    /// <summary>The key of the seed app (conf/examples/userauth.json).</summary>
    private const string SeedKey = "thisismyauth";

    /// <summary>A 32-character key, as operators generate them.</summary>
    private const string LongKey = "4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7f";

    private ApiKeyAuthenticator _seed = null!;
    private ApiKeyAuthenticator _long = null!;
    private ApiKeyAuthenticator _hashed = null!;
    private ApiKeyAuthenticator _tenConsumers = null!;
    private string _tenthKey = null!;
    private HttpRequest _request = null!;
    private string _seedPresented = null!;
    private string _longPresented = null!;
    private string _wrongFirst = null!;
    private string _wrongLast = null!;

    [GlobalSetup]
    public void Setup()
    {
        // What a client sends arrives as a new string, never the configured instance.
        _seedPresented = new string(SeedKey.AsSpan());
        _longPresented = new string(LongKey.AsSpan());
        _wrongFirst = "x" + LongKey[1..];
        _wrongLast = LongKey[..^1] + "x";
        _seed = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = SeedKey });
        _long = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = LongKey });

        _hashed = new ApiKeyAuthenticator(new AppConfig
        {
            Name = "userauth",
            Authorize = true,
            Keys = [new ConsumerConfig { Id = "mobile", Key = ApiKeyAuthenticator.HashKey(LongKey) }],
        });

        var consumers = new List<ConsumerConfig>();
        for (var i = 0; i < 10; i++) consumers.Add(new ConsumerConfig { Id = $"consumer{i}", Key = $"{LongKey[..^2]}{i:D2}" });
        _tenConsumers = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, Keys = consumers });
        _tenthKey = new string(consumers[^1].Key.AsSpan());

        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/userauth/v1/users";
        context.Request.Headers.Host = "gateway.example";
        context.Request.Headers.Accept = "application/json";
        context.Request.Headers[AppConfig.DefaultAuthHeader] = _seedPresented;
        _request = context.Request;

        if (_seed.Match(_seedPresented) is null || _long.Match(_longPresented) is null || _hashed.Match(_longPresented) is null || _tenConsumers.Match(_tenthKey) is null)
        {
            throw new InvalidOperationException("every case must authenticate");
        }

        if (_long.Match(_wrongFirst) is not null || _long.Match(_wrongLast) is not null)
        {
            throw new InvalidOperationException("wrong keys must be rejected");
        }
    }

    /// <summary>The seed: one plain 12-character key.</summary>
    [Benchmark(Baseline = true)]
    public Consumer? MatchSeedKey() => _seed.Match(_seedPresented);

    /// <summary>One plain 32-character key.</summary>
    [Benchmark]
    public Consumer? MatchLongKey() => _long.Match(_longPresented);

    /// <summary>A wrong 32-character key that differs in its first character: rejected in the same time as…</summary>
    [Benchmark]
    public Consumer? RejectKeyWrongFirst() => _long.Match(_wrongFirst);

    /// <summary>…one that differs only in its last character (constant time).</summary>
    [Benchmark]
    public Consumer? RejectKeyWrongLast() => _long.Match(_wrongLast);

    /// <summary>One consumer whose key is stored as <c>sha256:&lt;hex&gt;</c>.</summary>
    [Benchmark]
    public Consumer? MatchHashedKey() => _hashed.Match(_longPresented);

    /// <summary>Ten plain consumer keys; every key is compared whatever matches.</summary>
    [Benchmark]
    public Consumer? MatchTenConsumers() => _tenConsumers.Match(_tenthKey);

    /// <summary>The pipeline's call: read the header from the request, then match the seed key.</summary>
    [Benchmark]
    public AuthOutcome AuthenticateRequest() => _seed.Authenticate(_request, out _);

    /// <summary>
    /// Reference: the framework's constant-time compare of the 32-character key's 64 UTF-16 bytes, which
    /// <see cref="ApiKeyAuthenticator"/> used per key before it got its own eight-bytes-a-step loop.
    /// </summary>
    [Benchmark]
    public bool FrameworkFixedTimeEquals64Bytes() =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(LongKey.AsSpan()), MemoryMarshal.AsBytes(_longPresented.AsSpan()));
}
