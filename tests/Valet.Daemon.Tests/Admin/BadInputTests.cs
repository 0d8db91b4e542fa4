using System.Net;
using System.Text;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 9: bad admin input gets a clear problem answer and changes nothing on disk.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("not json at all", "not valid JSON (line 1, column")]
    [InlineData("{ \"name\": \"svc\", ", "not valid JSON")]
    [InlineData("[ { \"name\": \"svc\" } ]", "not an array")]
    [InlineData("\"svc\"", "not a string")]
    [InlineData("", "the body is empty")]
    [InlineData("  \n", "the body is empty")]
    public async Task Put_BodyNotAnAppObject_400ClearMessageNothingChanged(string body, string message)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/svc", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("type").GetString().Should().Be("urn:valet:admin:bad-body");
        problem.GetProperty("detail").GetString().Should().Contain(message).And.Contain("nothing was written");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("old");
    }

    [Theory]
    [InlineData("{ \"name\": \"\\ud800\", \"mocks\": [ { \"path\": \"/\" } ] }")]
    [InlineData("{ \"name\": \"svc\", \"description\": \"\\udc00\", \"mocks\": [ { \"path\": \"/\" } ] }")]
    [InlineData("{ \"name\": \"svc\", \"\\ud800\": 1, \"mocks\": [ { \"path\": \"/\" } ] }")]
    public async Task Put_StringThatIsNotText_4xxClearMessageNothingChanged(string body)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/svc", new StringContent(body, Encoding.UTF8, "application/json"));

        ((int)response.StatusCode).Should().BeOneOf([400, 422], "an unpaired surrogate escape is bad input, not a server error");
        (await response.Content.ReadAsStringAsync()).Should().Contain("surrogate");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("old");
    }

    [Fact]
    public async Task Put_BodyOver1MiB_413NothingChanged()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        var huge = JsonAnswers.MockApp("big", new string('x', 1024 * 1024));

        using var response = await gateway.Admin.PutAsync("/apis/big", JsonAnswers.Body(huge));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.JsonAsync()).GetProperty("detail").GetString().Should().Contain("1048576");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Put_ChunkedBodyOver1MiB_413NothingChanged()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        var huge = Encoding.UTF8.GetBytes(JsonAnswers.MockApp("big", new string('x', 1024 * 1024)));
        var content = new StreamContent(new MemoryStream(huge));
        content.Headers.ContentLength = null;
        var request = new HttpRequestMessage(HttpMethod.Put, "/apis/big") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Admin.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Put_BodyOfExactly1MiB_NotRefusedForSize()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var shell = JsonAnswers.MockApp("big", "");
        var file = JsonAnswers.MockApp("big", new string('x', 1024 * 1024 - Encoding.UTF8.GetByteCount(shell)));

        using var response = await gateway.Admin.PutAsync("/apis/big", JsonAnswers.Body(file));

        Encoding.UTF8.GetByteCount(file).Should().Be(1024 * 1024);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("PUT", "/apis/a/b")]
    [InlineData("PUT", "/apis/a%2Fb")]
    [InlineData("PUT", "/apis/..")]
    [InlineData("PUT", "/apis/%2e%2e")]
    [InlineData("PUT", "/apis/.")]
    [InlineData("PUT", "/apis/..%2Fetc")]
    [InlineData("PUT", "/apis/a%5Cb")]
    [InlineData("PUT", "/apis/Upper")]
    [InlineData("PUT", "/apis/a%20b")]
    [InlineData("PUT", "/apis/-dash")]
    [InlineData("PUT", "/apis/")]
    [InlineData("DELETE", "/apis/..")]
    [InlineData("GET", "/apis/a.json")]
    public async Task IllegalName_400NothingChanged(string method, string target)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        const string body = "{ \"name\": \"x\", \"mocks\": [ { \"path\": \"/\" } ] }";
        var request = $"{method} {target} HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";

        var answer = await RawHttp.SendAsync(gateway.AdminAddress, request);

        RawHttp.Status(answer).Should().Be(400, answer);
        answer.Should().Contain("application/problem+json").And.Contain("urn:valet:admin:bad-name")
            .And.Contain(target == "/apis/" ? "the app name is missing" : "is not an app name");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        gateway.Config.Current.Apps.Select(a => a.Name).Should().Equal("svc");
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/apiss")]
    [InlineData("POST", "/reload/now")]
    [InlineData("GET", "/health/")]
    [InlineData("GET", "/hello/")]
    public async Task UnknownRoute_404Problem(string method, string target)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        var answer = await RawHttp.SendAsync(gateway.AdminAddress, $"{method} {target} HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        RawHttp.Status(answer).Should().Be(404, answer);
        answer.Should().Contain("application/problem+json").And.Contain("urn:valet:admin:unknown-route").And.Contain("the routes are");
    }

    [Theory]
    [InlineData("POST", "/apis", "GET, HEAD")]
    [InlineData("DELETE", "/apis", "GET, HEAD")]
    [InlineData("POST", "/apis/svc", "GET, HEAD, PUT, DELETE")]
    [InlineData("PATCH", "/apis/svc", "GET, HEAD, PUT, DELETE")]
    [InlineData("GET", "/reload", "POST")]
    [InlineData("PUT", "/reload", "POST")]
    [InlineData("POST", "/health", "GET, HEAD")]
    [InlineData("DELETE", "/ready", "GET, HEAD")]
    public async Task WrongMethod_405WithAllowNothingChanged(string method, string path, string allow)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = JsonAnswers.Body(JsonAnswers.MockApp("svc", "changed")),
        });

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal(allow.Split(", "));
        var problem = await response.JsonAsync();
        problem.GetProperty("type").GetString().Should().Be("urn:valet:admin:method-not-allowed");
        problem.GetProperty("detail").GetString().Should().Contain(method).And.Contain(allow);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }
}
