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

            var report = Reload($"PUT /apis/{name}");
            var change = report.Changes.FirstOrDefault(c => c.File == fileName);
            if (change is null || change.Kind == AppChangeKind.Failed)
            {
                // Valid alone, yet it did not load (the folder changed under us): put the old file back.
                if (previous is null) File.Delete(target);
                else AtomicFile.Write(target, previous);
                Reload($"PUT /apis/{name} undone");
                var errors = change?.Errors ?? report.FolderErrors;
                return new AppWriteResult(AppWriteStatus.Invalid, "the app file did not load with the rest of the folder; the previous file was restored", errors);
            }

            config.Current.TryGetApp(name, out var applied);
            return new AppWriteResult(exists ? AppWriteStatus.Replaced : AppWriteStatus.Created, App: applied, Report: report);
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
