namespace Valet.Core.Forwarding.Http2;

/// <summary>One header field as HPACK carries it: a name and a value, each one octet per character (Latin-1).</summary>
internal readonly record struct HeaderField(string Name, string Value)
{
    /// <summary>The size the field counts for in a dynamic table or a header list (RFC 7541 §4.1): octets plus 32.</summary>
    public int Size => Name.Length + Value.Length + 32;
}
