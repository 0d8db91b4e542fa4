namespace Valet.Core.Diagnostics.AccessLog;

/// <summary>How the access log is written: <c>--access-log off|json|clf</c>.</summary>
public enum AccessLogFormat
{
    Off,

    /// <summary>One JSON object per line (the default).</summary>
    Json,

    /// <summary>Common Log Format, followed by Valet's own fields as <c>key=value</c>.</summary>
    Clf,
}

public static class AccessLogFormats
{
    public static bool TryParse(string? text, out AccessLogFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "off" or "none" or "false":
                format = AccessLogFormat.Off;
                return true;
            case "json" or "" or null:
                format = AccessLogFormat.Json;
                return true;
            case "clf" or "common":
                format = AccessLogFormat.Clf;
                return true;
            default:
                format = AccessLogFormat.Json;
                return false;
        }
    }
}
