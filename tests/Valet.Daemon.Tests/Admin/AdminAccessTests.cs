using System.Net;
using System.Net.Http.Headers;
using Valet.Daemon.Admin;
using Valet.Daemon.Hosting;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 1: the admin token and where the admin API may listen.</summary>
[Trait("Category", "Reliability")]
public sealed class AdminAccessTests
{
    private const string Token = "s3cret-admin-token-0123456789";

    [Theory]
    [InlineData("/apis")]
    [InlineData("/apis/svc")]
    [InlineData("/health")]
    [InlineData("/ready")]
    [InlineData("/nope")]
    public async Task Request_TokenSetNoAuthorization_401WithWwwAuthenticate(string path)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")], adminToken: Token);
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };

        using var response = await anonymous.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Single().Scheme.Should().Be("Bearer");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("status").GetInt32().Should().Be(401);
        problem.GetProperty("detail").GetString().Should().Contain("Authorization: Bearer");
    }

    [Theory]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer " + Token + "x")]
    [InlineData("Bearer " + "s3cret-admin-token-012345678")]
    [InlineData("Basic " + Token)]
    [InlineData(Token)]
    [InlineData("Bearer")]
    public async Task Request_WrongOrMalformedToken_401AndNothingChanged(string authorization)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")], adminToken: Token);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };
        var request = new HttpRequestMessage(HttpMethod.Delete, "/apis/svc");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await anonymous.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().NotContain(Token);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        (await gateway.Client.GetAsync("/svc/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("X-Admin-Token", Token)]
    [InlineData("X-Valet-Token", Token)]
    [InlineData("X-Api-Key", Token)]
    [InlineData("Proxy-Authorization", "Bearer " + Token)]
    [InlineData("Cookie", "token=" + Token)]
    [InlineData("?access_token", Token)]
    [InlineData("?token", Token)]
    public async Task Request_RightTokenInTheWrongPlace_401AndNothingChanged(string where, string value)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")], adminToken: Token);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };
        var query = where.StartsWith('?') ? $"{where}={value}" : "";
        var request = new HttpRequestMessage(HttpMethod.Delete, "/apis/svc" + query);
        if (query.Length == 0) request.Headers.TryAddWithoutValidation(where, value);

        using var response = await anonymous.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Request_RightAndWrongAuthorizationTogether_401()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")], adminToken: Token);
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };
        var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer wrong", "Bearer " + Token]);

        using var response = await anonymous.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "one Authorization header, holding the token, or nothing");
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Request_RightToken_Answers(string scheme)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")], adminToken: Token);
        using var client = new HttpClient { BaseAddress = gateway.AdminAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {Token}");

        using var apis = await client.GetAsync("/apis");
        using var health = await client.GetAsync("/health");

        apis.StatusCode.Should().Be(HttpStatusCode.OK);
        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_NoTokenConfigured_OpenOnLoopback()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.GetAsync("/apis");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        gateway.AdminAddress.Host.Should().Be("127.0.0.1");
    }

    [Fact]
    public void Check_AnyInterfaceWithoutToken_Refused()
    {
        var refusal = AdminAccess.Check(new ValetOptions { AdminBind = null });

        refusal.Should().Contain("without a token").And.Contain("--admin-bind");
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("::")]
    public void Check_NonLoopbackWithoutToken_Refused(string bind)
    {
        AdminAccess.Check(new ValetOptions { AdminBind = IPAddress.Parse(bind) }).Should().Contain("without a token");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    public void Check_LoopbackWithoutToken_Allowed(string bind)
    {
        AdminAccess.Check(new ValetOptions { AdminBind = IPAddress.Parse(bind) }).Should().BeNull();
    }

    [Fact]
    public void Check_NonLoopbackWithToken_Allowed()
    {
        AdminAccess.Check(new ValetOptions { AdminBind = IPAddress.Any, AdminToken = Token }).Should().BeNull();
    }

    [Fact]
    public void Check_AdminPortEqualsPublicPort_Refused()
    {
        AdminAccess.Check(new ValetOptions { Port = 9000, AdminPort = 9000 }).Should().Contain("also a public port");
    }

    [Fact]
    public void Resolve_TokenFile_ReadAndTrimmed()
    {
        using var folder = new TempFolder();
        var file = folder.Write("admin-token", Token + "\n");

        var options = AdminAccess.Resolve(new ValetOptions { AdminBind = IPAddress.Any, AdminTokenFile = file }, out var error);

        error.Should().BeNull();
        options.AdminToken.Should().Be(Token);
    }

    [Fact]
    public void Resolve_TokenAndTokenFile_Refused()
    {
        using var folder = new TempFolder();
        var file = folder.Write("admin-token", Token);

        AdminAccess.Resolve(new ValetOptions { AdminToken = "a", AdminTokenFile = file }, out var error);

        error.Should().Contain("not both");
    }

    [Fact]
    public void Resolve_EmptyOrMissingTokenFile_Refused()
    {
        using var folder = new TempFolder();
        var empty = folder.Write("empty", " \n");

        AdminAccess.Resolve(new ValetOptions { AdminTokenFile = empty }, out var emptyError);
        AdminAccess.Resolve(new ValetOptions { AdminTokenFile = Path.Combine(folder.Path, "missing") }, out var missingError);

        emptyError.Should().Contain("is empty");
        missingError.Should().Contain("cannot read the admin token file");
    }
}
