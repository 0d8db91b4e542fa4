namespace Valet.Peering.Protocol;

/// <summary>The outcome of one gRPC call: a code and an optional human-readable message.</summary>
public readonly record struct GrpcStatus(GrpcStatusCode Code, string? Message = null)
{
    public static GrpcStatus Ok => new(GrpcStatusCode.OK);

    public bool IsOk => Code == GrpcStatusCode.OK;

    public override string ToString() => Message is null ? Code.ToString() : $"{Code}: {Message}";
}
