using Microsoft.AspNetCore.Builder;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Admin;

/// <summary>Adds the admin API to the gateway's web host: its listener, its services and its branch of the pipeline.</summary>
public static class AdminHost
{
    /// <summary>Adds the admin listener to Kestrel and the admin services.</summary>
    public static void Add(WebApplicationBuilder builder, ValetOptions options)
    {
        if (AdminAccess.Check(options) is { } refusal) throw new InvalidOperationException(refusal);
        var listener = new AdminListener(options.AdminBind, options.AdminPort);
        builder.WebHost.ConfigureKestrel(listener.Listen);
        var services = builder.Services;
        services.AddSingleton(listener);
        services.AddSingleton(new AdminAuthenticator(options.AdminToken));
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<AppFileStore>();
        services.AddSingleton<AdminMiddleware>();
    }

    /// <summary>Sends every request that arrived on the admin listener to the admin API, and no other.</summary>
    public static void Map(WebApplication app)
    {
        var listener = app.Services.GetRequiredService<AdminListener>();
        var admin = app.Services.GetRequiredService<AdminMiddleware>();
        app.MapWhen(listener.Owns, branch => branch.Run(admin.InvokeAsync));
    }
}
