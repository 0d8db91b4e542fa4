using Microsoft.AspNetCore.Http;
using Valet.Core.Routing;

namespace Valet.Core.Mocking;

/// <summary>Answers a request from a mock: optional delay, status, headers and body, no endpoint called.</summary>
public sealed class MockResponder(TimeProvider time)
{
    public async Task RespondAsync(HttpContext context, MockModel mock)
    {
        if (mock.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(mock.Delay, time, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var response = context.Response;
        response.StatusCode = mock.Status;
        foreach (var header in mock.Headers) response.Headers[header.Key] = header.Value;
        response.ContentType = mock.ContentType;
        var content = mock.Content;
        if (mock.Status is 204 or 304 || (mock.Status < 200 && mock.Status >= 100)) return;
        response.ContentLength = content.Length;
        if (content.Length == 0 || HttpMethods.IsHead(context.Request.Method)) return;
        await response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }
}
