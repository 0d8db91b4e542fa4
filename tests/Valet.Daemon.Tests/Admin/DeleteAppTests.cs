using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 4: DELETE /apis/{name}.</summary>
public sealed class DeleteAppTests
{
    [Fact]
    public async Task Delete_Existing_204FileAndAppGone_OthersServe()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc"), TestGateway.MockApp("keep", "kept")]);

        using var response = await gateway.Admin.DeleteAsync("/apis/svc");

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        File.Exists(Path.Combine(gateway.Conf.Path, "svc.json")).Should().BeFalse();
        (await gateway.Client.GetAsync("/svc/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Admin.GetAsync("/apis/svc")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Client.GetStringAsync("/keep/")).Should().Be("kept");
    }

    [Fact]
    public async Task Delete_Absent_404NothingChanged()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.DeleteAsync("/apis/nope");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Delete_AppLivingInAnotherFile_RemovesThatFile()
    {
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("legacy.json", JsonAnswers.MockApp("svc", "x")));

        using var response = await gateway.Admin.DeleteAsync("/apis/svc");

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Directory.GetFiles(gateway.Conf.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_FileOfAnotherAppNamedLikeTheUrl_404NothingChanged()
    {
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("foo.json", JsonAnswers.MockApp("bar", "bar")));
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.DeleteAsync("/apis/foo");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Delete_BrokenFileThatNeverLoaded_204Removed()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        gateway.Conf.Write("broken.json", "{ \"name\": ");
        await gateway.Admin.PostAsync("/reload", null);

        using var response = await gateway.Admin.DeleteAsync("/apis/broken");

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        File.Exists(Path.Combine(gateway.Conf.Path, "broken.json")).Should().BeFalse();
        (await (await gateway.Admin.GetAsync("/apis")).JsonAsync()).GetProperty("lastLoad").GetProperty("ok").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Delete_StaleIfMatch_412NothingChanged_CurrentIfMatch_204()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        var etag = (await gateway.Admin.GetAsync("/apis/svc")).Headers.ETag!.Tag;

        var stale = new HttpRequestMessage(HttpMethod.Delete, "/apis/svc");
        stale.Headers.TryAddWithoutValidation("If-Match", "\"0000000000000000\"");
        using var refused = await gateway.Admin.SendAsync(stale);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        var current = new HttpRequestMessage(HttpMethod.Delete, "/apis/svc");
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        using var deleted = await gateway.Admin.SendAsync(current);

        refused.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }
}
