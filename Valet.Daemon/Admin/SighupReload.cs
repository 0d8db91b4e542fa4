using System.Runtime.InteropServices;

namespace Valet.Daemon.Admin;

/// <summary>
/// SIGHUP performs the same reload as <c>POST /reload</c> (so <c>systemctl reload valet</c> and
/// <c>kill -HUP</c> work), logging each app's result. Dispose to stop listening for the signal.
/// </summary>
public static class SighupReload
{
    public static IDisposable Register(AppFileStore store)
    {
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Not the default action (terminate): reload on the thread pool, serialised with the admin API.
            context.Cancel = true;
            _ = Task.Run(() => store.ReloadAsync("SIGHUP"));
        });
    }
}
