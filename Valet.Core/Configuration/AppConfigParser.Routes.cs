using System.Text.Json;

namespace Valet.Core.Configuration;

// 'routes': per-path (and per-method) endpoints inside an app.
public static partial class AppConfigParser
{
    private static readonly string[] RouteFields = ["id", "path", "methods", "endpoints", "target"];

    private static List<RouteConfig> ReadRoutes(ValidationScope scope, JsonObjectReader app)
    {
        var routes = new List<RouteConfig>();
        if (app.Array("routes") is not { } array) return routes;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.routes[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "a route", RouteFields, out var route)) continue;
            var valid = true;
            var id = route.String("id", required: true);
            if (id is not null && !NamePattern().IsMatch(id))
            {
                scope.Error($"{path}.id", $"route 'id' is \"{id}\"; use 1 to 63 lower-case letters, digits, '-' or '_'");
                valid = false;
            }
            else if (id is not null && !ids.Add(id))
            {
                scope.Error($"{path}.id", $"route id \"{id}\" is used twice");
                valid = false;
            }

            var prefix = route.String("path", required: true);
            if (prefix is not null && (!prefix.StartsWith('/') || prefix.AsSpan().IndexOfAny("?#* \t") >= 0 || RoutingEscapes(prefix)))
            {
                scope.Error($"{path}.path", $"route 'path' is \"{prefix}\"; it must start with '/', without '?', '#', '*', spaces or dot-segments (it matches a prefix: \"/users\" serves /users and /users/...)");
                valid = false;
            }

            var methods = ReadRouteMethods(scope, route, path, ref valid);
            var endpoints = ReadRouteEndpoints(scope, route, path, out var target, ref valid);
            if (!valid || id is null || prefix is null) continue;
            var normalized = prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
            if (normalized.Length == 0) normalized = "/";
            var config = new RouteConfig { Id = id, Path = normalized, Methods = methods, Endpoints = endpoints, Target = target };
            foreach (var other in routes)
            {
                if (other.Path == config.Path && Overlap(other.Methods, config.Methods) is { } shared)
                {
                    scope.Error(path, $"route \"{id}\" overlaps route \"{other.Id}\": both serve {shared} {config.Path}; give them different paths or methods");
                    valid = false;
                    break;
                }
            }

            if (valid) routes.Add(config);
        }

        return routes;
    }

    private static bool RoutingEscapes(string prefix) => Routing.RequestTarget.Escapes(prefix);

    /// <summary>
    /// What two routes on the same path would both serve with equal precedence: both for any method,
    /// or a method both list. (A route listing a method wins over one for any method, so those two
    /// do not overlap.)
    /// </summary>
    private static string? Overlap(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
    {
        if (a is null && b is null) return "every method on";
        if (a is null || b is null) return null;
        var both = a.Intersect(b).ToList();
        return both.Count == 0 ? null : string.Join("/", both);
    }

    private static List<string>? ReadRouteMethods(ValidationScope scope, JsonObjectReader route, string path, ref bool valid)
    {
        if (ReadStringList(scope, route, "methods") is not { } list) return null;
        var methods = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            if (!TokenPattern().IsMatch(list[i]))
            {
                scope.Error($"{path}.methods[{i}]", $"\"{list[i]}\" is not an HTTP method name");
                valid = false;
            }
            else if (!methods.Contains(list[i].ToUpperInvariant()))
            {
                methods.Add(list[i].ToUpperInvariant());
            }
        }

        if (list.Count == 0)
        {
            scope.Error($"{path}.methods", "'methods' is empty, so the route would serve nothing; list methods or remove the field for any method");
            valid = false;
        }

        return methods;
    }

    private static List<EndpointConfig> ReadRouteEndpoints(ValidationScope scope, JsonObjectReader route, string path, out string? target, ref bool valid)
    {
        target = route.String("target");
        var hasEndpoints = route.TryGet("endpoints", out _);
        if ((target is null) == !hasEndpoints)
        {
            scope.Error(path, "a route has either 'endpoints' (a list, like the app's) or 'target' (one URL), exactly one of them");
            valid = false;
            return [];
        }

        if (target is not null)
        {
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query)
                || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo) || !IsValidHost(uri.Host))
            {
                scope.Error($"{path}.target", $"'target' is \"{target}\"; give an http:// or https:// URL without query or credentials, e.g. \"https://fn.example/get-user\"");
                valid = false;
                return [];
            }

            return [new EndpointConfig { Scheme = uri.Scheme, Host = uri.Host, Port = uri.Port, Path = uri.AbsolutePath.TrimEnd('/') }];
        }

        var errors = scope.Errors.Count;
        var endpoints = ReadEndpoints(scope, route, $"{path}.endpoints");
        if (scope.Errors.Count > errors) valid = false;
        else if (endpoints.Count == 0)
        {
            scope.Error($"{path}.endpoints", "a route's 'endpoints' must list at least one endpoint { \"host\", \"port\" }");
            valid = false;
        }

        return endpoints;
    }
}
