using System.Net;
using Valet.Daemon.Tests.Infrastructure;
using static Valet.Daemon.Tests.Aggregation.Aggregates;

namespace Valet.Daemon.Tests.Aggregation;

/// <summary>
/// The aggregate's own policies apply to the client's request. Its parts skip their apps' API-key
/// check (the gateway calls them for a client it has authenticated) but count against their apps'
/// rate limits, exactly as direct requests do.
/// </summary>
public sealed class AggregatePolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 20, TimeSpan.Zero);

    [Fact]
    public async Task AggregateAuth_NoKey_401AndNoPartCalled()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var aggregate = Aggregate("dash", [Part("a", "svc")]);
        aggregate["authorize"] = true;
        aggregate["authKey"] = "agg-key";
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), aggregate]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task PartAppAuth_SkippedForPartsAndItsKeyNeverSent()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var part = TestGateway.App("svc", backend);
        part["authorize"] = true;
        part["authKey"] = "svc-key";
        var aggregate = Aggregate("dash", [Part("a", "svc")]);
        aggregate["authorize"] = true;
        aggregate["authKey"] = "agg-key";
        await using var gateway = await TestGateway.StartAsync([part, aggregate]);

        using var viaAggregate = await gateway.GetAsync("/dash/", ("X-Valet-Auth", "agg-key"));
        using var direct = await gateway.GetAsync("/svc/", ("X-Valet-Auth", "agg-key"));

        viaAggregate.StatusCode.Should().Be(HttpStatusCode.OK);
        (await viaAggregate.Content.ReadAsStringAsync()).Should().Be("""{"a":"x"}""");
        direct.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        backend.Seen.Single().Headers.Should().NotContainKey("X-Valet-Auth");
        backend.Seen.Single().Headers["X-Valet-Consumer"].Should().Be("default");
    }

    [Fact]
    public async Task PartAppRateLimit_PartsCountAgainstItLikeDirectRequests()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var part = TestGateway.App("svc", backend);
        part["rateLimit"] = true;
        part["limitValue"] = 3;
        await using var gateway = await TestGateway.StartAsync([part, Aggregate("dash", [Part("a", "svc")])], time: new ManualClock(Start));

        using var first = await gateway.Client.GetAsync("/dash/");
        using var direct = await gateway.Client.GetAsync("/svc/");
        using var second = await gateway.Client.GetAsync("/dash/");
        using var spent = await gateway.Client.GetAsync("/dash/");
        using var directSpent = await gateway.Client.GetAsync("/svc/");

        (first.StatusCode, direct.StatusCode, second.StatusCode).Should().Be((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK));
        spent.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        var problem = await JsonAsync(spent);
        problem.GetProperty("parts")[0].GetProperty("status").GetInt32().Should().Be(429);
        problem.GetProperty("parts")[0].GetProperty("error").GetString().Should().Be("the limit of app 'svc' is spent for this window");
        directSpent.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        backend.Hits.Should().Be(3);
        // The client sees the aggregate's figures (none here), never the part app's.
        first.Headers.Contains("X-Ratelimit-Used").Should().BeFalse();
    }

    [Fact]
    public async Task AggregateRateLimit_CountsTheClientsRequestsOnce()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var aggregate = Aggregate("dash", [Part("a", "svc"), Part("b", "svc")]);
        aggregate["rateLimit"] = true;
        aggregate["limitValue"] = 1;
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), aggregate], time: new ManualClock(Start));

        using var first = await gateway.Client.GetAsync("/dash/");
        using var second = await gateway.Client.GetAsync("/dash/");

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Headers.GetValues("X-Ratelimit-Used").Should().Equal("1");
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        backend.Hits.Should().Be(2);
    }
}
