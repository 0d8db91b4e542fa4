using System.Collections.Frozen;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// The load-balancing policies an app file can name in <c>loadBalancing</c>, resolved once by
/// name when the app is compiled. An unknown name is a validation error of the app file.
/// </summary>
public static class LoadBalancingPolicies
{
    private static readonly ILoadBalancingPolicy[] All = [RoundRobinPolicy.Instance, LeastRequestsPolicy.Instance];

    /// <summary>The policy of an app that names none.</summary>
    public static ILoadBalancingPolicy Default => RoundRobinPolicy.Instance;

    /// <summary>Every policy by its name (case-sensitive, like every field value of an app file).</summary>
    public static FrozenDictionary<string, ILoadBalancingPolicy> ByName { get; } = All.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The names, quoted and comma-separated, for error messages.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(p => $"\"{p.Name}\""));

    /// <summary>The policy named <paramref name="name"/>; the default when the name is null.</summary>
    /// <exception cref="ArgumentException">The name is unknown (the parser refuses such files, so this is a bug).</exception>
    public static ILoadBalancingPolicy Resolve(string? name) =>
        name is null ? Default
        : ByName.TryGetValue(name, out var policy) ? policy
        : throw new ArgumentException($"unknown load-balancing policy '{name}'", nameof(name));
}
