using System.Net;
using System.Text.Json;
using Valet.Core.Auth;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class ApiKeyAuthTests
{
    private static Dictionary<string, object?> SecuredApp(TestBackend backend, string? authKey = "thisismyauth", object[]? keys = null, string? header = null)
    {
        var app = TestGateway.App("svc", backend);
        app["authorize"] = true;
        if (authKey is not null) app["authKey"] = authKey;
        if (keys is not null) app["keys"] = keys;
        if (header is not null) app["authHeader"] = header;
        return app;
    }

    private static async Task<TestBackend> EchoConsumer() =>
        await TestBackend.StartAsync(c => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(c.Response,
            c.Request.Headers["X-Valet-Consumer"].ToString()));

    [Fact]
    public async Task Auth_MissingKey_401ProblemWithChallengeAndNothingForwarded()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey realm=\"svc\", header=\"X-Valet-Auth\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("type").GetString().Should().Be("urn:valet:problem:unauthorized");
        problem.GetProperty("detail").GetString().Should().Contain("X-Valet-Auth");
        backend.Hits.Should().Be(0);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("thisismyaut")]
    [InlineData("THISISMYAUTH")]
    public async Task Auth_WrongKey_401AndKeyNotEchoed(string key)
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend)]);

        using var response = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", key));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("thisismyauth").And.NotContain(key.Trim());
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Auth_TwoKeyHeaders_401()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend)]);

        var request = new HttpRequestMessage(HttpMethod.Get, "/svc/x");
        request.Headers.TryAddWithoutValidation("X-Valet-Auth", new[] { "thisismyauth", "other" });
        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Auth_SeedKey_ForwardedWithoutKeyHeaderAsDefaultConsumer()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend)]);

        using var response = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "thisismyauth"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("default");
        backend.Seen.Single().Headers.Should().NotContainKey("X-Valet-Auth");
    }

    [Fact]
    public async Task Auth_CustomHeader_UsedAndStripped()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend, header: "X-Api-Key")]);

        using var wrongHeader = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "thisismyauth"));
        using var right = await gateway.GetAsync("/svc/x", ("x-api-key", "thisismyauth"));

        wrongHeader.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        right.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Seen.Single().Headers.Should().NotContainKey("X-Api-Key");
    }

    [Fact]
    public async Task Auth_PlainAndHashedConsumerKeys_IdentifyTheirConsumer()
    {
        await using var backend = await EchoConsumer();
        object[] keys =
        [
            new { id = "alice", key = "alice-plain-key" },
            new { id = "bob", key = ApiKeyAuthenticator.HashKey("bob-secret-key") },
        ];
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend, authKey: null, keys: keys)]);

        using var alice = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "alice-plain-key"));
        using var bob = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "bob-secret-key"));
        using var hashAsKey = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", ApiKeyAuthenticator.HashKey("bob-secret-key")));

        (await alice.Content.ReadAsStringAsync()).Should().Be("alice");
        (await bob.Content.ReadAsStringAsync()).Should().Be("bob");
        hashAsKey.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the stored hash is not itself a key");
    }

    [Fact]
    public async Task Auth_ClientSentValetHeaders_NeverReachBackend()
    {
        await using var backend = await EchoConsumer();
        await using var open = await TestBackend.StartAsync(_ => Task.CompletedTask);
        await using var gateway = await TestGateway.StartAsync([SecuredApp(backend), TestGateway.App("open", open)]);

        using var spoofed = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "thisismyauth"), ("X-Valet-Consumer", "admin"), ("X-Valet-Anything", "1"));
        using var publicApp = await gateway.GetAsync("/open/x", ("X-Valet-Consumer", "admin"));

        (await spoofed.Content.ReadAsStringAsync()).Should().Be("default");
        backend.Seen.Single().Headers.Should().NotContainKey("X-Valet-Anything");
        open.Seen.Single().Headers.Should().NotContainKey("X-Valet-Consumer");
    }

    [Fact]
    public async Task HashKey_Command_PrintsSha256FormOfStdin()
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "valet.dll"));
        info.ArgumentList.Add("hash-key");
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteLineAsync("bob-secret-key");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(0);
        output.Trim().Should().Be("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("bob-secret-key"u8)));
        output.Should().NotContain("bob-secret-key");
    }
}
