using System.Text.Json;

namespace Valet.Peering.Membership;

/// <summary>
/// The peer table as JSON, one shape for the peer port's <c>GET /peers</c> and the admin API's:
/// operators and the dashboard read the same fields wherever they ask.
/// </summary>
public static class PeerStatusJson
{
    /// <summary>Writes <c>"peers": [ ... ]</c> as a member of the object being written.</summary>
    public static void WriteArray(Utf8JsonWriter json, IReadOnlyList<PeerStatus> peers)
    {
        json.WriteStartArray("peers");
        foreach (var peer in peers)
        {
            json.WriteStartObject();
            json.WriteString("nodeId", peer.NodeId);
            json.WriteString("address", peer.Address);
            json.WriteString("state", peer.State);
            WriteNumber(json, "lastMessageAgeMs", peer.LastMessageAgeMs);
            WriteNumber(json, "syncLagP50Ms", peer.SyncLagP50Ms);
            WriteNumber(json, "syncLagP99Ms", peer.SyncLagP99Ms);
            json.WriteNumber("lagSamples", peer.LagSamples);
            json.WriteNumber("messagesInPerSecond", peer.MessagesInPerSecond);
            json.WriteNumber("messagesOutPerSecond", peer.MessagesOutPerSecond);
            json.WriteNumber("bytesInPerSecond", peer.BytesInPerSecond);
            json.WriteNumber("bytesOutPerSecond", peer.BytesOutPerSecond);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The <c>STATUS=</c> part about peers, e.g. <c>2/3 peers up</c>.</summary>
    public static string Summary(IReadOnlyList<PeerStatus> peers)
    {
        var up = 0;
        foreach (var peer in peers)
        {
            if (peer.State == "up") up++;
        }

        return $"{up}/{peers.Count} peers up";
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
