using System.Globalization;

namespace Valet.Peering.Protocol;

/// <summary><c>grpc-timeout</c>: 1 to 8 ASCII digits and a unit (H M S m u n).</summary>
public static class GrpcTimeout
{
    /// <summary>The largest value the header can carry in one unit.</summary>
    private const long MaxValue = 99_999_999;

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length is < 2 or > 9) return false;
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => -1,
        };
        if (ticks < 0) return false;
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>The shortest exact-enough form: milliseconds when they fit, else coarser units.</summary>
    public static string Format(TimeSpan timeout)
    {
        var ms = Math.Max(0, (long)Math.Ceiling(timeout.TotalMilliseconds));
        if (ms <= MaxValue) return ms.ToString(CultureInfo.InvariantCulture) + "m";
        var s = (ms + 999) / 1000;
        if (s <= MaxValue) return s.ToString(CultureInfo.InvariantCulture) + "S";
        return Math.Min(MaxValue, (s + 3599) / 3600).ToString(CultureInfo.InvariantCulture) + "H";
    }
}
