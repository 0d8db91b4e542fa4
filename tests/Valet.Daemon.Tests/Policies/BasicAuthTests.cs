using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class BasicAuthTests
{
    private static Dictionary<string, object?> BasicApp(TestBackend backend)
    {
        var app = TestGateway.App("svc", backend);
        app["auth"] = new
        {
            type = "basic",
            realm = "Staff",
            users = new[]
            {
                new { name = "alice", password = PasswordHash.Create("wonderland", PasswordHash.MinIterations) },
                new { name = "bob", password = PasswordHash.Create("builder", PasswordHash.MinIterations) },
            },
        };
        return app;
    }

    private static Task<TestBackend> EchoConsumer() =>
        TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Headers["X-Valet-Consumer"].ToString()));

    private static (string, string) Basic(string user, string password) =>
        ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Basic_NoCredentials_401WithBasicChallenge()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([BasicApp(backend)]);

        using var response = await gateway.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Basic realm=\"Staff\", charset=\"UTF-8\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Basic_RightPassword_ForwardedAsUserWithoutAuthorization()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([BasicApp(backend)]);

        using var first = await gateway.GetAsync("/svc/x", Basic("alice", "wonderland"));
        using var again = await gateway.GetAsync("/svc/x", Basic("alice", "wonderland"));
        using var bob = await gateway.GetAsync("/svc/x", Basic("bob", "builder"));

        (await first.Content.ReadAsStringAsync()).Should().Be("alice");
        again.StatusCode.Should().Be(HttpStatusCode.OK, "a password that verified once is recognised again");
        (await bob.Content.ReadAsStringAsync()).Should().Be("bob");
        backend.Seen.Should().AllSatisfy(r => r.Headers.Should().NotContainKey("Authorization"));
    }

    [Theory]
    [InlineData("alice", "Wonderland")]
    [InlineData("alice", "")]
    [InlineData("carol", "wonderland")]
    [InlineData("bob", "wonderland")]
    public async Task Basic_WrongPasswordOrUser_401AndPasswordNotEchoed(string user, string password)
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([BasicApp(backend)]);

        using var right = await gateway.GetAsync("/svc/x", Basic("alice", "wonderland"));
        using var response = await gateway.GetAsync("/svc/x", Basic(user, password));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().NotContain("wonderland");
        if (password.Length > 0) body.Should().NotContain(password);
        backend.Hits.Should().Be(1);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic YWxpY2U=")]
    public async Task Basic_MalformedAuthorization_401(string value)
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([BasicApp(backend)]);

        using var response = await gateway.GetAsync("/svc/x", ("Authorization", value));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task HashPassword_Command_PrintsVerifiableHash()
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "valet.dll"));
        info.ArgumentList.Add("hash-password");
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteLineAsync("s3cret pass");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(0);
        output.Should().StartWith("pbkdf2-sha256$600000$").And.NotContain("s3cret");
        PasswordHash.TryParse(output.Trim(), out var hash, out _).Should().BeTrue();
        hash!.Verify("s3cret pass").Should().BeTrue();
    }
}
