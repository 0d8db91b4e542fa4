using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;

namespace Valet.Daemon.Admin;

/// <summary>Writes admin answers: indented JSON for people with curl, never cached, no body for HEAD.</summary>
public static class AdminJson
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the JSON made by <paramref name="write"/> as the whole answer (status and headers set by the caller).</summary>
    public static Task WriteAsync(HttpContext context, string contentType, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        buffer.Write("\n"u8);
        var response = context.Response;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = buffer.WrittenCount;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    /// <summary>Writes a 2xx JSON answer.</summary>
    public static Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        return WriteAsync(context, ContentType, write);
    }

    /// <summary>An array of errors: <c>{ file, line, column, path, message }</c>, in the validator's order.</summary>
    public static void WriteErrors(Utf8JsonWriter json, IEnumerable<ConfigError> errors)
    {
        json.WriteStartArray();
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteString("file", error.File);
            json.WriteNumber("line", error.Line);
            json.WriteNumber("column", error.Column);
            json.WriteString("path", error.Path);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
