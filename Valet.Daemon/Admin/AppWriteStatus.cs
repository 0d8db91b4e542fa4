namespace Valet.Daemon.Admin;

/// <summary>What a PUT or DELETE of an app file did.</summary>
public enum AppWriteStatus
{
    /// <summary>A new app file was written and the app now serves.</summary>
    Created,

    /// <summary>The app's file was replaced and the new config serves.</summary>
    Replaced,

    /// <summary>The app's file was removed and the app no longer serves.</summary>
    Deleted,

    /// <summary>No app (and no app file) of that name.</summary>
    NotFound,

    /// <summary><c>If-Match</c> / <c>If-None-Match</c> did not hold; nothing changed.</summary>
    PreconditionFailed,

    /// <summary>The target file holds another app; nothing changed.</summary>
    Conflict,

    /// <summary>The app file has errors; nothing changed.</summary>
    Invalid,

    /// <summary>The conf folder could not be written; nothing changed.</summary>
    WriteFailed,
}
