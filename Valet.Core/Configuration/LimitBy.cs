namespace Valet.Core.Configuration;

/// <summary>What one rate-limit budget is shared by.</summary>
public enum LimitBy
{
    /// <summary>One budget for the whole app.</summary>
    App,

    /// <summary>One budget per authenticated consumer.</summary>
    Consumer,

    /// <summary>One budget per client IP address.</summary>
    Ip,
}
