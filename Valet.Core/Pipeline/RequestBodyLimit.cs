using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Valet.Core.Pipeline;

/// <summary>
/// Enforces an app's <c>maxBodyBytes</c> before anything is forwarded. A declared length over the
/// limit is refused at once. A body of unknown length (chunked, or HTTP/2 without content-length)
/// is read into memory up to the limit when the limit is small, so an oversize body is refused
/// before the endpoint sees a byte; above <see cref="MaxBuffered"/> it is streamed and cut off by
/// Kestrel when it grows past the limit (the endpoint then sees an aborted request).
/// </summary>
public static class RequestBodyLimit
{
    /// <summary>Largest limit for which bodies of unknown length are buffered to be checked first.</summary>
    public const long MaxBuffered = 16 * 1024 * 1024;

    public enum Check
    {
        Fits,
        TooLarge,

        /// <summary>Unknown length and a small limit: call <see cref="BufferAsync"/>.</summary>
        MustBuffer,
    }

    public static Check Inspect(HttpContext context, long max)
    {
        var request = context.Request;
        if (request.ContentLength is { } length) return length > max ? Check.TooLarge : Check.Fits;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true) return Check.Fits;
        if (max <= MaxBuffered) return Check.MustBuffer;
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = max;
        return Check.Fits;
    }

    /// <summary>Reads the whole body if it fits; on success the request reads from memory with a known length.</summary>
    public static async Task<bool> BufferAsync(HttpContext context, long max)
    {
        var request = context.Request;
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max) return false;
            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        request.Body = buffer;
        request.ContentLength = buffer.Length;
        request.Headers.Remove("Transfer-Encoding");
        return true;
    }
}
