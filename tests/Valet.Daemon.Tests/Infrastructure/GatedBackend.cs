using Microsoft.AspNetCore.Http;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// A backend for one request whose answer waits until the test releases it: the test sees the
/// request arrive, decides when (and in which order) backends answer, and sees when the gateway
/// gives up on the request (the backend's RequestAborted fires).
/// </summary>
public sealed class GatedBackend : IAsyncDisposable
{
    private GatedBackend(TestBackend backend) => Backend = backend;

    public TestBackend Backend { get; }

    public int Port => Backend.Port;

    /// <summary>Completed when a request arrived.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Complete it to let the backend answer.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the backend has written its whole answer.</summary>
    public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the gateway aborted the request before it was answered.</summary>
    public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<GatedBackend> StartAsync(string body, string contentType = "application/json", int status = 200)
    {
        GatedBackend? self = null;
        var backend = await TestBackend.StartAsync(async context =>
        {
            var gate = self!;
            using var registration = context.RequestAborted.Register(() => gate.Aborted.TrySetResult());
            gate.Arrived.TrySetResult();
            try
            {
                await gate.Release.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // Set here too: the wait's own callback may end this handler (and dispose the
                // registration above) before that registration's callback has run.
                gate.Aborted.TrySetResult();
                return;
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
            await context.Response.CompleteAsync();
            gate.Answered.TrySetResult();
        });
        self = new GatedBackend(backend);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        Release.TrySetResult();
        await Backend.DisposeAsync();
    }
}
