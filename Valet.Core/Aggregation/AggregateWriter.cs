using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Valet.Core.Aggregation;

/// <summary>
/// Writes the merged answer: one member per part in config order, a JSON body embedded as JSON,
/// any other body as a string, a failed part as <c>null</c>; with <c>includeMeta</c> a
/// <c>_meta</c> member with each part's status, duration and error.
/// </summary>
internal static class AggregateWriter
{
    /// <summary>Whether every part succeeded: <c>true</c> or <c>false</c>, on every answer of an aggregate.</summary>
    public const string CompletedHeader = "X-Valet-Completed";

    public const string ContentType = "application/json; charset=utf-8";

    // Large parts are handed to the connection as they are written rather than all at the end.
    private const int FlushThreshold = 64 * 1024;

    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonEncodedText Meta = JsonEncodedText.Encode("_meta");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText DurationMs = JsonEncodedText.Encode("durationMs");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");

    public static async Task WriteAsync(HttpContext context, FanOut fanOut)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        if (HttpMethods.IsHead(context.Request.Method)) return;

        // No cancellation token: after a client abort a flush just reports completion, where a
        // cancelled token would throw out of the request.
        var pipe = response.BodyWriter;
        var parts = fanOut.Aggregate.Parts;
        var results = fanOut.Results;
        await using var json = new Utf8JsonWriter(pipe, Options);
        json.WriteStartObject();
        for (var i = 0; i < parts.Length; i++)
        {
            json.WritePropertyName(parts[i].JsonKey);
            WriteValue(json, results[i]);
            if (json.BytesPending >= FlushThreshold)
            {
                json.Flush();
                await pipe.FlushAsync().ConfigureAwait(false);
            }
        }

        if (fanOut.Aggregate.IncludeMeta)
        {
            json.WriteStartObject(Meta);
            for (var i = 0; i < parts.Length; i++) WriteMeta(json, parts[i], results[i]);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.Flush();
        fanOut.Gateway.Record.BytesOut = json.BytesCommitted;
        await pipe.FlushAsync().ConfigureAwait(false);
    }

    private static void WriteValue(Utf8JsonWriter json, in PartResult result)
    {
        if (result.Outcome != PartOutcome.Succeeded)
        {
            json.WriteNullValue();
            return;
        }

        var body = result.Body.Span;
        if (result.IsJson && JsonBody.IsSingleValue(body)) json.WriteRawValue(body, skipInputValidation: true);
        else if (Utf8.IsValid(body)) json.WriteStringValue(body);
        else json.WriteStringValue(Encoding.UTF8.GetString(body));
    }

    private static void WriteMeta(Utf8JsonWriter json, AggregatePartModel part, in PartResult result)
    {
        json.WriteStartObject(part.JsonKey);
        if (result.Status > 0) json.WriteNumber(Status, result.Status);
        else json.WriteNull(Status);
        json.WriteNumber(DurationMs, Math.Round(result.Duration.TotalMilliseconds, 1));
        if (result.Error is null) json.WriteNull(Error);
        else json.WriteString(Error, result.Error);
        json.WriteEndObject();
    }
}
