using System.Text.RegularExpressions;

namespace Valet.Core.Configuration;

// 'hosts': host names routed to the app with the whole path (no app segment).
public static partial class AppConfigParser
{
    /// <summary>A DNS name, optionally with a leading "*." wildcard label (one label, as in TLS).</summary>
    [GeneratedRegex(@"^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)+$")]
    private static partial Regex HostNamePattern();

    private static List<string> ReadHosts(ValidationScope scope, JsonObjectReader app)
    {
        var hosts = new List<string>();
        var list = ReadStringList(scope, app, "hosts");
        if (list is null) return hosts;
        for (var i = 0; i < list.Count; i++)
        {
            var host = list[i].ToLowerInvariant().TrimEnd('.');
            if (host.Length > 253 || !HostNamePattern().IsMatch(host))
            {
                scope.Error($"$.hosts[{i}]", $"\"{list[i]}\" is not a host name; give a name like \"api.example.com\" or \"*.fn.example.com\" (no scheme, port or path)");
            }
            else if (hosts.Contains(host))
            {
                scope.Error($"$.hosts[{i}]", $"host \"{host}\" is listed twice");
            }
            else
            {
                hosts.Add(host);
            }
        }

        return hosts;
    }
}
