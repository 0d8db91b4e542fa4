using System.Text.Json;
using System.Text.Json.Nodes;
using Valet.Core.Configuration;

namespace Valet.Daemon.Admin;

/// <summary>
/// Every change of the conf folder made by the daemon: PUT and DELETE of an app file, and reloads
/// (admin <c>POST /reload</c>, SIGHUP). They are serialised, and each ends in the one reload path,
/// <see cref="ConfigManager.Reload"/>, so an app written through the API is validated, compiled and
/// swapped in exactly as a file read at start-up.
/// </summary>
public sealed class AppFileStore(ConfigManager config, ILogger<AppFileStore> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Re-reads the conf folder and applies it app by app; logs the result of each app.</summary>
    public async Task<LoadReport> ReloadAsync(string trigger, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Reload(trigger);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Validates <paramref name="body"/> as the app file of <paramref name="name"/>; when it is valid
    /// and the conditions hold, writes it atomically (to the file the app already lives in, else
    /// <c>{name}.json</c>) and reloads. When anything fails, the folder is as it was.
    /// </summary>
    public async Task<AppWriteResult> PutAsync(string name, byte[] body, WriteCondition condition, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var table = config.Current;
            var exists = table.TryGetApp(name, out var current);
            var revision = exists ? current.Revision : null;
            if (!condition.Holds(revision)) return new AppWriteResult(AppWriteStatus.PreconditionFailed, condition.Describe(revision));

            var target = exists ? current.SourceFile : Path.Combine(config.Directory, name + ".json");
            var fileName = Path.GetFileName(target);
            if (!exists && table.Apps.FirstOrDefault(a => a.SourceFile == target) is { } other)
            {
                return new AppWriteResult(AppWriteStatus.Conflict, $"{fileName} holds app '{other.Name}'; rename that app's file first");
            }

            return WriteAndApply(name, target, body, exists, $"PUT /apis/{name}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the app's file and reloads, so the app stops serving.</summary>
    public async Task<AppWriteResult> DeleteAsync(string name, WriteCondition condition, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var table = config.Current;
            var exists = table.TryGetApp(name, out var current);
            var target = exists ? current.SourceFile : Path.Combine(config.Directory, name + ".json");

            // A file {name}.json that failed to load (no app serves from it) can be deleted too.
            if (!exists && (!File.Exists(target) || table.Apps.Any(a => a.SourceFile == target)))
            {
                return new AppWriteResult(AppWriteStatus.NotFound, $"no app is named '{name}'");
            }

            var revision = exists ? current.Revision : null;
            if (!condition.Holds(revision)) return new AppWriteResult(AppWriteStatus.PreconditionFailed, condition.Describe(revision));

            try
            {
                File.Delete(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new AppWriteResult(AppWriteStatus.WriteFailed, $"cannot delete {target}: {e.Message}");
            }

            var report = Reload($"DELETE /apis/{name}");
            return new AppWriteResult(AppWriteStatus.Deleted, Report: report);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Adds or replaces the route <paramref name="routeId"/> of app <paramref name="name"/> in the app's
    /// file, leaving every other member as it is, then validates, writes and applies the file as a PUT does.
    /// </summary>
    public Task<AppWriteResult> PutRouteAsync(string name, string routeId, JsonObject route, WriteCondition condition, CancellationToken cancellationToken = default) =>
        EditRoutesAsync(name, routeId, condition, $"PUT /apis/{name}/routes/{routeId}", routes =>
        {
            route["id"] = routeId;
            var index = IndexOf(routes, routeId);
            if (index < 0)
            {
                routes.Add(route);
                return AppWriteStatus.Created;
            }

            routes[index] = route;
            return AppWriteStatus.Replaced;
        }, cancellationToken);

    /// <summary>Removes the route <paramref name="routeId"/> of app <paramref name="name"/> from the app's file and applies it.</summary>
    public Task<AppWriteResult> DeleteRouteAsync(string name, string routeId, WriteCondition condition, CancellationToken cancellationToken = default) =>
        EditRoutesAsync(name, routeId, condition, $"DELETE /apis/{name}/routes/{routeId}", routes =>
        {
            var index = IndexOf(routes, routeId);
            if (index < 0) return AppWriteStatus.NotFound;
            routes.RemoveAt(index);
            return AppWriteStatus.Deleted;
        }, cancellationToken);

    private async Task<AppWriteResult> EditRoutesAsync(string name, string routeId, WriteCondition condition, string trigger,
        Func<JsonArray, AppWriteStatus> edit, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!config.Current.TryGetApp(name, out var current)) return new AppWriteResult(AppWriteStatus.NotFound, $"no app is named '{name}'");
            if (!condition.Holds(current.Revision)) return new AppWriteResult(AppWriteStatus.PreconditionFailed, condition.Describe(current.Revision));

            // The edit starts from the served file: one changed on disk since it loaded would lose that change or this one.
            var target = current.SourceFile;
            var bytes = ReadIfExists(target);
            var onDisk = bytes is null ? null : AppDirectoryLoader.Parse(target, Path.GetFileName(target), bytes, config.Directory);
            if (onDisk is null || onDisk.Revision != current.Revision || JsonNode.Parse(WithoutBom(bytes!), documentOptions: FileJson) is not JsonObject app)
            {
                return new AppWriteResult(AppWriteStatus.Conflict,
                    $"{Path.GetFileName(target)} changed on disk since app '{name}' was loaded; reload (POST /reload) or PUT the whole app; nothing was written");
            }

            if (app["routes"] is not JsonArray routes)
            {
                routes = [];
                app["routes"] = routes;
            }

            var status = edit(routes);
            if (status == AppWriteStatus.NotFound) return new AppWriteResult(AppWriteStatus.NotFound, $"app '{name}' has no route '{routeId}'");
            if (routes.Count == 0) app.Remove("routes");

            var result = WriteAndApply(name, target, JsonSerializer.SerializeToUtf8Bytes(app, Indented), exists: true, trigger);
            return result.Status == AppWriteStatus.Replaced ? result with { Status = status } : result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ReadOnlySpan<byte> WithoutBom(byte[] bytes) =>
        bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble) ? bytes.AsSpan(System.Text.Encoding.UTF8.Preamble.Length) : bytes;

    private static int IndexOf(JsonArray routes, string routeId)
    {
        for (var i = 0; i < routes.Count; i++)
        {
            if (routes[i] is JsonObject route && route["id"] is JsonValue id && id.TryGetValue<string>(out var value) && value == routeId) return i;
        }

        return -1;
    }

    private static readonly JsonDocumentOptions FileJson = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Validates <paramref name="body"/> as the file <paramref name="target"/>; when valid, writes it
    /// atomically and reloads. Called under the gate. When anything fails, the folder is as it was.
    /// </summary>
    private AppWriteResult WriteAndApply(string name, string target, byte[] body, bool exists, string trigger)
    {
        var fileName = Path.GetFileName(target);
        var file = AppDirectoryLoader.Parse(target, fileName, body, config.Directory);
        if (!file.Succeeded)
        {
            return new AppWriteResult(AppWriteStatus.Invalid, $"{file.Errors.Count} error(s) in the app file; nothing was written", file.Errors);
        }

        byte[]? previous;
        try
        {
            previous = ReadIfExists(target);
            AtomicFile.Write(target, body);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new AppWriteResult(AppWriteStatus.WriteFailed, $"cannot write {target}: {e.Message}");
        }

        var report = Reload(trigger);
        var change = report.Changes.FirstOrDefault(c => c.File == fileName);
        if (change is null || change.Kind == AppChangeKind.Failed)
        {
            // Valid alone, yet it did not load (the folder changed under us): put the old file back.
            if (previous is null) File.Delete(target);
            else AtomicFile.Write(target, previous);
            Reload(trigger + " undone");
            var errors = change?.Errors ?? report.FolderErrors;
            return new AppWriteResult(AppWriteStatus.Invalid, "the app file did not load with the rest of the folder; the previous file was restored", errors);
        }

        config.Current.TryGetApp(name, out var applied);
        return new AppWriteResult(exists ? AppWriteStatus.Replaced : AppWriteStatus.Created, App: applied, Report: report);
    }

    private LoadReport Reload(string trigger)
    {
        var report = config.Reload();
        if (report.Ok) AdminLog.Reloaded(logger, trigger, report.Summary());
        else AdminLog.ReloadFailed(logger, trigger, report.Summary());
        foreach (var error in report.FolderErrors) AdminLog.AppFailed(logger, "(folder)", config.Directory, "every app keeps serving", error.ToString());
        foreach (var change in report.Changes)
        {
            if (change.Kind == AppChangeKind.Unchanged) continue;
            if (change.Kind == AppChangeKind.Failed)
            {
                AdminLog.AppFailed(logger, change.App, change.File,
                    change.StillServing ? "its last good config keeps serving" : "not serving",
                    string.Join("; ", change.Errors));
            }
            else
            {
                AdminLog.AppChanged(logger, change.App, ReloadView.StatusName(change.Kind), change.File);
            }
        }

        return report;
    }

    private static byte[]? ReadIfExists(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
