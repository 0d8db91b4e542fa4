using Valet.Core.Aggregation;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Core.Configuration;

/// <summary>
/// Owns the current <see cref="RouteTable"/>: loads the conf folder, compiles the apps and swaps
/// the table in one atomic write. Reloads are per app: a file with errors keeps its app's last
/// good config serving while every other app updates; an unchanged file keeps its compiled model.
/// Loads are serialised; requests never take a lock (they read <see cref="Current"/> once).
/// </summary>
public sealed class ConfigManager(string directory, AppStateRegistry states, TimeProvider time)
{
    private readonly Lock _gate = new();
    private volatile RouteTable _current = RouteTable.Empty;

    // Which app each file last loaded successfully, so a broken file keeps serving its app.
    private Dictionary<string, string> _appByFile = new(StringComparer.Ordinal);

    /// <summary>The full path of the conf folder.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The snapshot requests read.</summary>
    public RouteTable Current => _current;

    /// <summary>The last load's report; null before the first load.</summary>
    public LoadReport? LastReport { get; private set; }

    /// <summary>Raised when a reload of the folder begins (not for the first load).</summary>
    public event Action? Reloading;

    /// <summary>Raised after each load, with its report.</summary>
    public event Action<LoadReport>? Loaded;

    /// <summary>
    /// Reads the folder once for start-up. Returns the load with every error; when it has any,
    /// nothing is applied and the caller stops (first load fails loudly).
    /// </summary>
    public DirectoryLoad LoadInitial()
    {
        var load = AggregateValidator.Check(AppDirectoryLoader.Load(Directory));
        if (load.Succeeded) Apply(load);
        return load;
    }

    /// <summary>Re-reads the folder and applies it app by app.</summary>
    public LoadReport Reload()
    {
        Reloading?.Invoke();
        return Apply(AppDirectoryLoader.Load(Directory, _current.Apps.ToDictionary(a => a.Name, a => a.SourceFile, StringComparer.Ordinal)));
    }

    /// <summary>Applies a folder load: the one path every load and reload goes through.</summary>
    public LoadReport Apply(DirectoryLoad load)
    {
        lock (_gate)
        {
            var old = _current;
            var changes = new List<AppChange>();
            var models = new Dictionary<string, AppModel>(StringComparer.Ordinal);
            var appByFile = new Dictionary<string, string>(StringComparer.Ordinal);

            if (load.FolderErrors.Count > 0)
            {
                // The folder itself is unreadable: keep every app serving as it was.
                var report = new LoadReport(time.GetUtcNow(), [], load.FolderErrors);
                return Publish(report);
            }

            foreach (var file in load.Files)
            {
                if (file.Succeeded)
                {
                    var config = file.Config!;
                    appByFile[file.Path] = config.Name;
                    if (old.TryGetApp(config.Name, out var previous) && previous.Revision == file.Revision && previous.SourceFile == file.Path)
                    {
                        models[config.Name] = previous;
                        changes.Add(new AppChange(config.Name, file.FileName, AppChangeKind.Unchanged, []));
                    }
                    else
                    {
                        models[config.Name] = new AppModel(config, file.Path, file.Revision, states.GetOrCreate(config.Name));
                        var kind = old.TryGetApp(config.Name, out _) ? AppChangeKind.Updated : AppChangeKind.Added;
                        changes.Add(new AppChange(config.Name, file.FileName, kind, []));
                    }
                }
                else if (_appByFile.TryGetValue(file.Path, out var name) && old.TryGetApp(name, out var lastGood) && !models.ContainsKey(name))
                {
                    models[name] = lastGood;
                    appByFile[file.Path] = name;
                    changes.Add(new AppChange(name, file.FileName, AppChangeKind.Failed, file.Errors, StillServing: true));
                }
                else
                {
                    changes.Add(new AppChange(file.Config?.Name ?? file.FileName, file.FileName, AppChangeKind.Failed, file.Errors));
                }
            }

            CheckAggregates(models, appByFile, old, changes);
            foreach (var app in old.Apps)
            {
                if (!models.ContainsKey(app.Name))
                {
                    changes.Add(new AppChange(app.Name, Path.GetFileName(app.SourceFile), AppChangeKind.Removed, []));
                    states.Remove(app.Name);
                }
            }

            _current = new RouteTable(models.Values);
            _appByFile = appByFile;
            return Publish(new LoadReport(time.GetUtcNow(), changes, []));
        }
    }

    /// <summary>
    /// The check across files: every aggregate's parts must name served apps that are not
    /// aggregates. All aggregates are checked against the same set of apps, then each one with
    /// errors is failed: a new or changed aggregate gives way to its last good version (or is not
    /// served when it has none); an unchanged one keeps serving and is reported failed, and its
    /// parts whose app is gone fail at request time.
    /// </summary>
    private void CheckAggregates(Dictionary<string, AppModel> models, Dictionary<string, string> appByFile, RouteTable old, List<AppChange> changes)
    {
        List<(int Change, List<ConfigError> Errors)>? failed = null;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Kind is not (AppChangeKind.Added or AppChangeKind.Updated or AppChangeKind.Unchanged)) continue;
            if (!models.TryGetValue(change.App, out var model) || model.Aggregate is null) continue;
            var errors = AggregateValidator.Check(model.Config, change.File, name => models.TryGetValue(name, out var m) ? m.Config : null);
            if (errors.Count > 0) (failed ??= []).Add((i, errors));
        }

        if (failed is null) return;
        foreach (var (index, errors) in failed)
        {
            var change = changes[index];
            var serving = true;
            if (change.Kind != AppChangeKind.Unchanged)
            {
                if (old.TryGetApp(change.App, out var lastGood))
                {
                    models[change.App] = lastGood;
                }
                else
                {
                    appByFile.Remove(models[change.App].SourceFile);
                    models.Remove(change.App);
                    states.Remove(change.App);
                    serving = false;
                }
            }

            changes[index] = change with { Kind = AppChangeKind.Failed, Errors = errors, StillServing = serving };
        }
    }

    private LoadReport Publish(LoadReport report)
    {
        LastReport = report;
        Loaded?.Invoke(report);
        return report;
    }
}
