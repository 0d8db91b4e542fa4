using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Sends bytes exactly as given, for targets an HttpClient would normalise.</summary>
public static class RawHttp
{
    /// <summary>Sends one request and returns the whole answer as text (the server closes, or Connection: close).</summary>
    public static async Task<string> SendAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>The status code of a raw answer.</summary>
    public static int Status(string answer) => int.Parse(answer.Split(' ', 3)[1]);
}
