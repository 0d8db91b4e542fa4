using System.Security.Cryptography;

namespace Valet.Core.Configuration;

/// <summary>
/// Reads every app file of a conf folder: <c>*.json</c> directly in it (not recursive), skipping
/// hidden files, editor and copy leftovers, and <c>*.schema.json</c> (the JSON Schema lives beside
/// the apps). Each file is parsed on its own; then names are checked to be unique across files.
/// </summary>
public static class AppDirectoryLoader
{
    /// <summary>Files larger than this are refused rather than read.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Whether <paramref name="fileName"/> is an app file the loader reads.</summary>
    public static bool IsAppFileName(string fileName) =>
        fileName.EndsWith(".json", StringComparison.Ordinal)
        && !fileName.StartsWith('.')
        && !fileName.StartsWith('#')
        && !fileName.EndsWith(".schema.json", StringComparison.Ordinal);

    /// <summary>Loads the folder. A missing folder is one error, not an exception.</summary>
    /// <param name="directory">The conf folder.</param>
    /// <param name="servingFiles">
    /// For a reload: app name to the full path of the file it is served from. When two files name
    /// the same app, the file that already serves it keeps the name (even while that file is
    /// broken), so adding a file can never take over a running app. Otherwise the first file in
    /// ordinal order keeps it.
    /// </param>
    public static DirectoryLoad Load(string directory, IReadOnlyDictionary<string, string>? servingFiles = null)
    {
        var full = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            return new DirectoryLoad(full, [], [new ConfigError(directory, 0, 0, "$", $"the conf folder {full} does not exist; create it or pass --conf DIR")]);
        }

        var files = new List<AppFile>();
        foreach (var path in Directory.EnumerateFiles(full, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            if (IsAppFileName(System.IO.Path.GetFileName(path))) files.Add(LoadFile(path, full));
        }

        return new DirectoryLoad(full, CheckUniqueGrpcServices(CheckUniqueHosts(CheckUniqueNames(files, servingFiles))), []);
    }

    /// <summary>Reads and parses one file.</summary>
    public static AppFile LoadFile(string path, string baseDirectory)
    {
        var fileName = System.IO.Path.GetFileName(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                return new AppFile(path, fileName, "", null, [new ConfigError(fileName, 0, 0, "$", $"the file is {info.Length} bytes; an app file may have at most {MaxFileBytes}")]);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new AppFile(path, fileName, "", null, [new ConfigError(fileName, 0, 0, "$", $"cannot read the file: {e.Message}")]);
        }

        return Parse(path, fileName, bytes, baseDirectory);
    }

    /// <summary>Parses bytes that are, or will be, the file at <paramref name="path"/>.</summary>
    public static AppFile Parse(string path, string fileName, byte[] bytes, string baseDirectory)
    {
        var result = AppConfigParser.Parse(fileName, bytes, baseDirectory);
        // A changed certificate or key file changes the revision too, so a reload applies it.
        var revision = result.Config is { FilesDigest.Length: > 0 } config
            ? Revision([.. bytes, .. System.Text.Encoding.ASCII.GetBytes(config.FilesDigest)])
            : Revision(bytes);
        return new AppFile(path, fileName, revision, result.Config, result.Errors);
    }

    /// <summary>A short, stable content hash used as the app's revision and ETag.</summary>
    public static string Revision(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    /// <summary>A host name routes to one app: a later file (in ordinal order) that repeats one is an error.</summary>
    private static List<AppFile> CheckUniqueHosts(List<AppFile> files)
    {
        var owner = new Dictionary<string, AppFile>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.Config is not { Hosts.Count: > 0 } config) continue;
            var taken = config.Hosts.Where(h => owner.TryGetValue(h, out var other) && other.Config!.Name != config.Name).ToList();
            if (taken.Count > 0)
            {
                files[i] = file with
                {
                    Config = null,
                    Errors = [.. taken.Select(h => new ConfigError(file.FileName, 0, 0, "$.hosts", $"host \"{h}\" is already routed to app \"{owner[h].Config!.Name}\" ({owner[h].FileName}); a host routes to one app"))],
                };
                continue;
            }

            foreach (var host in config.Hosts) owner[host] = file;
        }

        return files;
    }

    /// <summary>
    /// A gRPC service routes to one app: a later file (in ordinal order) that repeats one is an error,
    /// and so is a service named like an app, whose path segment it would take over.
    /// </summary>
    private static List<AppFile> CheckUniqueGrpcServices(List<AppFile> files)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.Config is { } config) names.Add(config.Name);
        }

        var owner = new Dictionary<string, AppFile>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.Config is not { GrpcServices.Count: > 0 } config) continue;
            var errors = new List<ConfigError>();
            foreach (var service in config.GrpcServices)
            {
                if (owner.TryGetValue(service, out var other) && other.Config!.Name != config.Name)
                {
                    errors.Add(new ConfigError(file.FileName, 0, 0, "$.grpcServices", $"gRPC service \"{service}\" is already routed to app \"{other.Config!.Name}\" ({other.FileName}); a service routes to one app"));
                }
                else if (names.Contains(service) && service != config.Name)
                {
                    errors.Add(new ConfigError(file.FileName, 0, 0, "$.grpcServices", $"gRPC service \"{service}\" is the name of app \"{service}\", whose /{service}/ path it would take over; a service name and an app name must differ"));
                }
            }

            if (errors.Count > 0)
            {
                files[i] = file with { Config = null, Errors = errors };
                continue;
            }

            foreach (var service in config.GrpcServices) owner[service] = file;
        }

        return files;
    }

    private static List<AppFile> CheckUniqueNames(List<AppFile> files, IReadOnlyDictionary<string, string>? servingFiles)
    {
        var firstByName = new Dictionary<string, AppFile>(StringComparer.Ordinal);
        if (servingFiles is not null)
        {
            // A file keeps the name it serves while it still names that app, and also while it is
            // broken, because then its last good config keeps serving.
            var byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            foreach (var (name, path) in servingFiles)
            {
                if (byPath.TryGetValue(path, out var owner) && (owner.Config is null || owner.Config.Name == name))
                {
                    firstByName[name] = owner;
                }
            }
        }

        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.Config is null) continue;
            if (firstByName.TryGetValue(file.Config.Name, out var first) && !ReferenceEquals(first, file))
            {
                files[i] = file with
                {
                    Config = null,
                    Errors = [new ConfigError(file.FileName, 0, 0, "$.name", $"app name \"{file.Config.Name}\" is already used by {first.FileName}; app names must be unique across files")],
                };
            }
            else
            {
                firstByName[file.Config.Name] = file;
            }
        }

        return files;
    }
}
