using Microsoft.AspNetCore.Http;

namespace Valet.Core.Diagnostics;

/// <summary>The <c>X-Request-Id</c> of a request: the client's when it is sane, else a new one.</summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";
    public const int MaxLength = 128;

    public static string For(HttpContext context)
    {
        var sent = context.Request.Headers[HeaderName];
        if (sent.Count == 1 && IsSane(sent[0])) return sent[0]!;
        return New();
    }

    /// <summary>
    /// A new id: 32 lower-case hex digits (128 random bits, as a GUID's "N" form). From
    /// <see cref="Random.Shared"/>, not a GUID: an id needs to be unique, not secret, and
    /// <see cref="Guid.NewGuid"/> costs a getrandom system call on every request.
    /// </summary>
    public static string New() => string.Create(32, 0, static (chars, _) =>
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        Convert.TryToHexStringLower(bytes, chars, out _);
    });

    /// <summary>1 to 128 characters of letters, digits and <c>-_.:+=/@</c>: nothing that could break a log line or header.</summary>
    public static bool IsSane(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':' or '+' or '=' or '/' or '@')) return false;
        }

        return true;
    }
}
