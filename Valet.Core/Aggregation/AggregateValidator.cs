using Valet.Core.Configuration;

namespace Valet.Core.Aggregation;

/// <summary>
/// The check across app files that one file cannot make alone: every part of an aggregate names
/// an app that is served, that is not an aggregate (so aggregates never nest or loop), and that
/// accepts the part's method. It runs where the route table is compiled: at start-up an error
/// stops the daemon like any invalid file; at reload it fails the aggregate, whose last good
/// version keeps serving (see <see cref="ConfigManager.Apply"/>).
/// </summary>
public static class AggregateValidator
{
    /// <summary>The errors of <paramref name="aggregate"/> against the apps <paramref name="served"/> finds by name.</summary>
    /// <param name="fileName">The aggregate's file, for the errors.</param>
    public static List<ConfigError> Check(AppConfig aggregate, string fileName, Func<string, AppConfig?> served)
    {
        var errors = new List<ConfigError>();
        if (aggregate.Aggregate is not { } fanOut) return errors;
        for (var i = 0; i < fanOut.Parts.Count; i++)
        {
            var part = fanOut.Parts[i];
            var path = $"$.aggregate.parts[{i}].app";
            if (served(part.App) is not { } target)
            {
                errors.Add(new ConfigError(fileName, 0, 0, path,
                    $"part '{part.Key}' calls app \"{part.App}\", which is not served; add that app or correct the name"));
            }
            else if (target.Aggregate is not null)
            {
                errors.Add(new ConfigError(fileName, 0, 0, path,
                    $"part '{part.Key}' calls app \"{part.App}\", which is an aggregate; parts call apps with endpoints or mocks (aggregates do not nest)"));
            }
            else if (part.Method is { } method && target.Methods is { } methods && !methods.Contains(method))
            {
                errors.Add(new ConfigError(fileName, 0, 0, $"$.aggregate.parts[{i}].method",
                    $"part '{part.Key}' uses {method}, which app \"{part.App}\" does not accept (its methods: {string.Join(", ", methods)})"));
            }
        }

        return errors;
    }

    /// <summary>
    /// Checks every aggregate of a folder load against the apps the load yields; an aggregate with
    /// errors becomes a failed file. Used for the first load, which applies all or nothing.
    /// </summary>
    public static DirectoryLoad Check(DirectoryLoad load)
    {
        var byName = new Dictionary<string, AppConfig>(StringComparer.Ordinal);
        foreach (var file in load.Files)
        {
            if (file.Succeeded) byName[file.Config!.Name] = file.Config;
        }

        List<AppFile>? files = null;
        for (var i = 0; i < load.Files.Count; i++)
        {
            var file = load.Files[i];
            if (!file.Succeeded || file.Config!.Aggregate is null) continue;
            var errors = Check(file.Config, file.FileName, name => byName.GetValueOrDefault(name));
            if (errors.Count == 0) continue;
            files ??= [.. load.Files];
            files[i] = file with { Config = null, Errors = errors };
        }

        return files is null ? load : load with { Files = files };
    }
}
