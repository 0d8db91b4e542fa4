using System.Text.RegularExpressions;

namespace Valet.Core.Configuration;

// 'grpcServices': gRPC services routed to the app by their /pkg.Service/ path prefix.
public static partial class AppConfigParser
{
    /// <summary>A protobuf full service name: identifiers separated by dots (<c>pkg.v1.Service</c>).</summary>
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex GrpcServicePattern();

    private static List<string> ReadGrpcServices(ValidationScope scope, JsonObjectReader app)
    {
        var services = new List<string>();
        var list = ReadStringList(scope, app, "grpcServices");
        if (list is null) return services;
        for (var i = 0; i < list.Count; i++)
        {
            var service = list[i];
            if (service.Length > 255 || !GrpcServicePattern().IsMatch(service))
            {
                scope.Error($"$.grpcServices[{i}]", $"\"{service}\" is not a gRPC service name; give the full name of the service as in the .proto, \"package.Service\" (a gRPC call's path is /package.Service/Method)");
            }
            else if (services.Contains(service))
            {
                scope.Error($"$.grpcServices[{i}]", $"gRPC service \"{service}\" is listed twice");
            }
            else
            {
                services.Add(service);
            }
        }

        return services;
    }
}
