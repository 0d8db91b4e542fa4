using FsCheck;

namespace Valet.Core.Tests.TestSupport;

/// <summary>
/// Runs an FsCheck property from a plain xunit fact (FsCheck.Xunit is not available here): quiet
/// when it holds, an exception naming the shrunk counter-example and the replay seed when not.
/// </summary>
public static class Properties
{
    public static void Check(Property property, int tests = 200) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true), property);
}
