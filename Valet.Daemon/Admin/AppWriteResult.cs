using Valet.Core.Configuration;
using Valet.Core.Routing;

namespace Valet.Daemon.Admin;

/// <summary>The outcome of a PUT or DELETE, turned into HTTP by the admin middleware.</summary>
/// <param name="Detail">What happened, for a problem answer.</param>
/// <param name="Errors">The validator's errors, for <see cref="AppWriteStatus.Invalid"/>.</param>
/// <param name="App">The app as it serves after a PUT.</param>
/// <param name="Report">The reload that applied the change.</param>
public sealed record AppWriteResult(AppWriteStatus Status, string Detail = "", IReadOnlyList<ConfigError>? Errors = null,
    AppModel? App = null, LoadReport? Report = null);
