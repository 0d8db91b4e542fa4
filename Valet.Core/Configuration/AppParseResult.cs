namespace Valet.Core.Configuration;

/// <summary>The outcome of parsing one app file: a config, or every error found in it.</summary>
public sealed record AppParseResult(AppConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Config is not null && Errors.Count == 0;

    public static AppParseResult Failed(ConfigError error) => new(null, [error]);
}
