using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics;

namespace Valet.Daemon.Admin;

/// <summary>
/// The one place that turns an <see cref="AdminError"/> into HTTP: an RFC 9457
/// <c>application/problem+json</c> answer in the style of the gateway's <see cref="ProblemWriter"/>,
/// plus <c>errors</c> (every validation error, each with file, line, column and JSON path) when there are any.
/// </summary>
public static class AdminProblemWriter
{
    public static int StatusOf(AdminError error) => error switch
    {
        AdminError.Unauthorized => StatusCodes.Status401Unauthorized,
        AdminError.UnknownRoute or AdminError.UnknownApp => StatusCodes.Status404NotFound,
        AdminError.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        AdminError.BadName or AdminError.BadBody or AdminError.NameMismatch => StatusCodes.Status400BadRequest,
        AdminError.BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        AdminError.InvalidApp => StatusCodes.Status422UnprocessableEntity,
        AdminError.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        AdminError.Conflict => StatusCodes.Status409Conflict,
        AdminError.NotReady => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static (string Slug, string Title) Describe(AdminError error) => error switch
    {
        AdminError.Unauthorized => ("unauthorized", "Admin token required"),
        AdminError.UnknownRoute => ("unknown-route", "No such admin route"),
        AdminError.MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
        AdminError.UnknownApp => ("unknown-app", "Unknown app"),
        AdminError.BadName => ("bad-name", "Invalid app name"),
        AdminError.BadBody => ("bad-body", "The body is not an app file"),
        AdminError.NameMismatch => ("name-mismatch", "The URL and the body name different apps"),
        AdminError.BodyTooLarge => ("body-too-large", "Body too large"),
        AdminError.InvalidApp => ("invalid-app", "The app file has errors"),
        AdminError.PreconditionFailed => ("precondition-failed", "Precondition failed"),
        AdminError.Conflict => ("conflict", "Conflict"),
        AdminError.NotReady => ("not-ready", "Not ready"),
        AdminError.WriteFailed => ("write-failed", "The conf folder could not be written"),
        _ => ("internal", "Internal error"),
    };

    /// <summary>Writes the problem answer. Does nothing when the response has already started.</summary>
    public static Task WriteAsync(HttpContext context, AdminError error, string detail, string? app = null,
        IReadOnlyList<ConfigError>? errors = null, string? allow = null, string? state = null)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        var status = StatusOf(error);
        var (slug, title) = Describe(error);
        response.StatusCode = status;
        if (allow is not null) response.Headers.Allow = allow;
        if (error == AdminError.Unauthorized) response.Headers.WWWAuthenticate = "Bearer realm=\"valet-admin\"";

        return AdminJson.WriteAsync(context, ProblemWriter.ContentType, json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "urn:valet:admin:" + slug);
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            if (app is not null) json.WriteString("app", app);
            if (state is not null) json.WriteString("state", state);
            if (errors is { Count: > 0 })
            {
                json.WritePropertyName("errors");
                AdminJson.WriteErrors(json, errors);
            }

            json.WriteString("requestId", context.Response.Headers[RequestIds.HeaderName].ToString());
            json.WriteEndObject();
        });
    }
}
