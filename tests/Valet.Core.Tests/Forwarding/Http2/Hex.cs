namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Hex dumps as RFC 7541 prints them ("8286 8441 ...").</summary>
internal static class Hex
{
    public static byte[] Bytes(string dump) => Convert.FromHexString(dump.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
}
