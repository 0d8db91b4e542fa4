using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;

namespace Valet.Daemon.Admin;

/// <summary>
/// The body of <c>PUT /apis/{name}</c>: read with a size cap, then the request-level checks that
/// come before the validator (JSON at all, one object, naming the URL's app).
/// </summary>
public static class AppFileBody
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; more is refused, whether announced by Content-Length or not.</summary>
    public static async Task<(byte[]? Body, bool TooLarge)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit) return (null, true);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit) return (null, true);
            buffer.Write(chunk, 0, n);
        }

        return (buffer.ToArray(), false);
    }

    /// <summary>Null when the body may go to the validator; else why not.</summary>
    public static (AdminError Error, string Detail)? Check(byte[] body, string name)
    {
        var utf8 = body.AsMemory();
        if (utf8.Span.StartsWith(Encoding.UTF8.Preamble)) utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (AdminError.BadBody, "the body is empty; send the app file (one JSON object) as the body; nothing was written");
        }

        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (AdminError.BadBody, $"the body must be one JSON object (an app file), not {Describe(root.ValueKind)}; nothing was written");
            }

            // Reading a name or string with an unpaired surrogate escape throws; the validator
            // reports where it is, so such a body goes on to it unread.
            if (AppConfigParser.FindUnpairedSurrogate(utf8.Span) is not null) return null;

            if (root.TryGetProperty("name", out var bodyName) && bodyName.ValueKind == JsonValueKind.String && bodyName.GetString() != name)
            {
                return (AdminError.NameMismatch,
                    $"the URL names app '{name}' but the body's \"name\" is \"{bodyName.GetString()}\"; they must agree (to rename an app, PUT the new name and DELETE the old one); nothing was written");
            }
        }
        catch (JsonException e)
        {
            return NotJson(e);
        }

        return null;
    }

    /// <summary>
    /// The body of <c>PUT /apis/{name}/routes/{id}</c>: one JSON object (a route without or with the
    /// URL's <c>id</c>). Null when it may go on to the validator (inside the app file); else why not.
    /// </summary>
    public static (AdminError Error, string Detail)? ReadRoute(byte[] body, string routeId, out System.Text.Json.Nodes.JsonObject? route)
    {
        route = null;
        var utf8 = body.AsSpan();
        if (utf8.StartsWith(Encoding.UTF8.Preamble)) utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (AdminError.BadBody, "the body is empty; send the route (one JSON object: { \"path\", \"methods\"?, \"endpoints\" | \"target\" }); nothing was written");
        }

        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            if (node is not System.Text.Json.Nodes.JsonObject obj)
            {
                return (AdminError.BadBody, $"the body must be one JSON object (a route), not {Describe(node?.GetValueKind() ?? JsonValueKind.Null)}; nothing was written");
            }

            if (obj["id"] is { } id && (id.GetValueKind() != JsonValueKind.String || id.GetValue<string>() != routeId))
            {
                return (AdminError.NameMismatch, $"the URL names route '{routeId}' but the body's \"id\" is {id.ToJsonString()}; they must agree (or leave \"id\" out); nothing was written");
            }

            route = obj;
            return null;
        }
        catch (JsonException e)
        {
            return NotJson(e);
        }
    }

    private static (AdminError, string) NotJson(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return (AdminError.BadBody,
            $"the body is not valid JSON (line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}): {message.TrimEnd().TrimEnd('.')}; nothing was written");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
