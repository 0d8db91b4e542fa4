using System.Text.Json;
using Valet.Core.Configuration;

namespace Valet.Daemon.Admin;

/// <summary>
/// The answer of <c>POST /reload</c>: <c>ok</c> (false when any file failed), then per app
/// <c>unchanged | added | updated | removed | failed</c>, with the errors of failed ones and whether
/// their last good config keeps serving.
/// </summary>
public static class ReloadView
{
    public static string StatusName(AppChangeKind kind) => kind switch
    {
        AppChangeKind.Unchanged => "unchanged",
        AppChangeKind.Added => "added",
        AppChangeKind.Updated => "updated",
        AppChangeKind.Removed => "removed",
        _ => "failed",
    };

    public static void Write(Utf8JsonWriter json, LoadReport report)
    {
        json.WriteStartObject();
        json.WriteBoolean("ok", report.Ok);
        json.WriteString("at", report.At);
        json.WriteString("summary", report.Summary());
        json.WriteStartArray("apps");
        foreach (var change in report.Changes)
        {
            json.WriteStartObject();
            json.WriteString("name", change.App);
            json.WriteString("file", change.File);
            json.WriteString("status", StatusName(change.Kind));
            if (change.Kind == AppChangeKind.Failed)
            {
                json.WriteBoolean("stillServing", change.StillServing);
                json.WritePropertyName("errors");
                AdminJson.WriteErrors(json, change.Errors);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (report.FolderErrors.Count > 0)
        {
            json.WritePropertyName("folderErrors");
            AdminJson.WriteErrors(json, report.FolderErrors);
        }

        json.WriteEndObject();
    }
}
