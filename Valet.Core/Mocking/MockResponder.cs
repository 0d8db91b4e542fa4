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
        // These statuses carry no body (RFC 9110 §15.3.5, §15.3.6, §15.4.5); Kestrel refuses one for 205.
        if (mock.Status is 204 or 205 or 304) return;
        response.ContentLength = content.Length;
        if (content.Length == 0 || HttpMethods.IsHead(context.Request.Method)) return;
        await response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }
}
