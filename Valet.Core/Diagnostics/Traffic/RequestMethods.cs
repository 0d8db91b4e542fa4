namespace Valet.Core.Diagnostics.Traffic;

/// <summary>The method label: the standard methods by name, anything else as <c>OTHER</c> (bounded cardinality).</summary>
public static class RequestMethods
{
    public static readonly string[] Names = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "OTHER"];

    public static int Count => Names.Length;

    /// <summary>The index of <paramref name="method"/> in <see cref="Names"/>; Kestrel's interned method strings match by reference first.</summary>
    public static int Index(string method)
    {
        for (var i = 0; i < Names.Length - 1; i++)
        {
            if (ReferenceEquals(method, Names[i])) return i;
        }

        for (var i = 0; i < Names.Length - 1; i++)
        {
            if (string.Equals(method, Names[i], StringComparison.Ordinal)) return i;
        }

        return Names.Length - 1;
    }

    public static string Normalise(string method) => Names[Index(method)];
}
