using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;

namespace Valet.Core.Aggregation;

/// <summary>The compiled view of one part: what it calls and how its member is named.</summary>
public sealed class AggregatePartModel
{
    public AggregatePartModel(AggregatePartConfig config)
    {
        Config = config;
        AppendsClientPath = config.Path.EndsWith('*');
        PathPrefix = AppendsClientPath ? config.Path[..^1] : config.Path;
        Timeout = config.Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        JsonKey = JsonEncodedText.Encode(config.Key);
    }

    public AggregatePartConfig Config { get; }

    public string Key => Config.Key;

    /// <summary>The name of the app called.</summary>
    public string App => Config.App;

    public bool Required => Config.Required;

    /// <summary>The part's own deadline, or null.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The member name, encoded once.</summary>
    public JsonEncodedText JsonKey { get; }

    /// <summary>The path without the trailing <c>*</c>.</summary>
    public string PathPrefix { get; }

    /// <summary>Whether the rest of the client's path is added to <see cref="PathPrefix"/>.</summary>
    public bool AppendsClientPath { get; }

    /// <summary>The part's method: its own, else the client's.</summary>
    public string MethodFor(string clientMethod) => Config.Method ?? clientMethod;

    /// <summary>
    /// The app-relative path to call. <paramref name="clientPath"/> is what followed the aggregate's
    /// segment ("" or starting with '/'); with a trailing <c>*</c> it is added to the part's path,
    /// so <c>/users/*</c> and <c>/dashboard/42</c> call <c>/users/42</c>.
    /// </summary>
    public string TargetPath(ReadOnlySpan<char> clientPath)
    {
        if (!AppendsClientPath || clientPath.IsEmpty) return PathPrefix;
        return PathPrefix.EndsWith('/') ? string.Concat(PathPrefix, clientPath[1..]) : string.Concat(PathPrefix, clientPath);
    }

    /// <summary>Whether a part request with <paramref name="method"/> carries the client's body (everything but GET, HEAD, OPTIONS, TRACE).</summary>
    public static bool SendsBody(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));
}
