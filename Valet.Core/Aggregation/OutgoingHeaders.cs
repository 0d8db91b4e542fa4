using Microsoft.AspNetCore.Http;
using Valet.Core.Forwarding;
using Valet.Core.Pipeline;

namespace Valet.Core.Aggregation;

/// <summary>
/// The request headers every part of one fan-out sends: the ones Valet sets itself (X-Forwarded-*,
/// X-Request-Id, X-Valet-Consumer, exactly as on a direct request), the client's headers named in
/// <c>forwardHeaders</c>, and the body's own headers (Content-Type...) for the parts that get the body.
/// Nothing else of the client's request reaches a part.
/// </summary>
internal sealed class OutgoingHeaders
{
    private readonly KeyValuePair<string, string[]>[] _request;
    private readonly KeyValuePair<string, string[]>[] _content;

    private OutgoingHeaders(KeyValuePair<string, string[]>[] request, KeyValuePair<string, string[]>[] content)
    {
        _request = request;
        _content = content;
    }

    /// <summary>Reads what the parts will send from the client's request, once, before the parts start.</summary>
    public static OutgoingHeaders Capture(HttpContext context, GatewayRequest gateway, AggregateModel aggregate)
    {
        var request = new List<KeyValuePair<string, string[]>>();
        using (var template = new HttpRequestMessage())
        {
            HttpForwarder.AddGatewayHeaders(context, template.Headers, gateway);
            foreach (var header in template.Headers.NonValidated) request.Add(new(header.Key, [.. header.Value]));
        }

        var headers = context.Request.Headers;
        foreach (var name in aggregate.ForwardHeaders) Add(request, headers, name);

        var content = new List<KeyValuePair<string, string[]>>();
        foreach (var name in HeaderRules.Content) Add(content, headers, name);
        return new OutgoingHeaders([.. request], [.. content]);
    }

    /// <summary>Adds the headers to a part's upstream message (the body's headers only when it has a body).</summary>
    public void ApplyTo(HttpRequestMessage upstream)
    {
        foreach (var (name, values) in _request) upstream.Headers.TryAddWithoutValidation(name, values);
        if (upstream.Content is not { } body) return;
        foreach (var (name, values) in _content) body.Headers.TryAddWithoutValidation(name, values);
    }

    private static void Add(List<KeyValuePair<string, string[]>> list, IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        if (values.Count == 0) return;
        var copy = new string[values.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            if (values[i] is not { } value || HeaderRules.HasUnsafeCharacters(value)) return;
            copy[i] = value;
        }

        list.Add(new(name, copy));
    }
}
