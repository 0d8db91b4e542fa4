namespace Valet.Daemon.Admin;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old file or the new one, never a
/// part of one: the bytes go to a hidden temporary file in the same folder (which the loader skips),
/// are flushed to disk, and the temporary file is renamed over the target (rename(2) is atomic
/// within one file system).
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A fresh temporary name beside <paramref name="path"/>: hidden, and not ending in <c>.json</c>.</summary>
    internal static string TemporaryPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
