namespace Valet.Core.Configuration;

// The cluster fields of an app: what its rate limit does while a peer is unreachable.
public static partial class AppConfigParser
{
    private static PartitionPolicy ReadPartitionPolicy(ValidationScope scope, JsonObjectReader app)
    {
        switch (app.String("partitionPolicy"))
        {
            case null:
            case "share":
                return PartitionPolicy.Share;
            case "open":
                return PartitionPolicy.Open;
            case { } other:
                scope.Error("$.partitionPolicy",
                    $"'partitionPolicy' is \"{other}\"; use \"share\" (never over the limit while a peer is unreachable) or \"open\" (each node counts alone)");
                return PartitionPolicy.Share;
        }
    }
}
