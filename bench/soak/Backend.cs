using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Valet.Bench.Soak;

/// <summary>The backend the soak's apps forward to, run as its own process (so it can be SIGKILLed): answers its name.</summary>
public static class Backend
{
    public static async Task RunAsync(int port, string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(async context =>
        {
            // A little work per request, so some are in flight when the backend dies.
            await Task.Delay(2);
            await context.Response.WriteAsync(name);
        });
        await app.RunAsync();
    }
}
