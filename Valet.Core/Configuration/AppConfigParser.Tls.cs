using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Valet.Core.Configuration;

// 'tls' (the app's certificate for its hosts) and 'https' (only, both, off). The PEM files are
// read and checked here, so a bad file is a validation error naming the file and the reason.
public static partial class AppConfigParser
{
    private static readonly string[] TlsFields = ["cert", "key"];

    private static (TlsConfig? Tls, HttpsMode Https) ReadTls(ValidationScope scope, JsonObjectReader app, string baseDirectory, bool hasHosts)
    {
        var https = HttpsMode.Both;
        if (app.String("https") is { } mode)
        {
            switch (mode)
            {
                case "both": https = HttpsMode.Both; break;
                case "only": https = HttpsMode.Only; break;
                case "off": https = HttpsMode.Off; break;
                default:
                    scope.Error("$.https", $"'https' is \"{mode}\"; use \"only\" (redirect plain HTTP), \"both\" or \"off\" (refuse TLS)");
                    break;
            }
        }

        if (!app.TryGet("tls", out var element)) return (null, https);
        if (!JsonObjectReader.TryOpen(scope, element, "$.tls", "'tls'", TlsFields, out var tls)) return (null, https);
        var cert = tls.String("cert", required: true);
        var key = tls.String("key", required: true);
        if (!hasHosts) scope.Error("$.tls", "'tls' is served by SNI for the app's 'hosts'; list the host names the certificate is for in 'hosts'");
        if (https == HttpsMode.Off) scope.Error("$.tls", "'tls' is given but 'https' is \"off\"; remove one of them");
        if (cert is null || key is null) return (null, https);
        if (!IsPathName(scope, "$.tls.cert", "cert", cert) | !IsPathName(scope, "$.tls.key", "key", key)) return (null, https);

        var certPath = Path.GetFullPath(Path.Combine(baseDirectory, cert));
        var keyPath = Path.GetFullPath(Path.Combine(baseDirectory, key));
        if (!File.Exists(certPath)) scope.Error("$.tls.cert", $"'cert' \"{cert}\" does not exist (resolved to {certPath})");
        if (!File.Exists(keyPath)) scope.Error("$.tls.key", $"'key' \"{key}\" does not exist (resolved to {keyPath})");
        if (!File.Exists(certPath) || !File.Exists(keyPath)) return (null, https);

        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (!certificate.HasPrivateKey) throw new CryptographicException("the key does not belong to the certificate");
            return (new TlsConfig { CertFile = cert, KeyFile = key, Certificate = certificate }, https);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            scope.Error("$.tls", $"cannot load the certificate \"{cert}\" with the key \"{key}\" (PEM expected): {e.Message}");
            return (null, https);
        }
    }

    /// <summary>
    /// A digest of the files an app reads besides its own file (TLS and JWT PEMs), so a changed
    /// certificate or key changes the app's revision and is applied by a reload.
    /// </summary>
    private static string FilesDigest(TlsConfig? tls, AuthConfig? auth)
    {
        if (tls is null && auth is not { SigningKeys.Count: > 0 }) return "";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (tls is not null) hash.AppendData(tls.Certificate.RawData);
        foreach (var key in auth?.SigningKeys ?? []) hash.AppendData(System.Text.Encoding.UTF8.GetBytes(key.PublicKeyPem ?? ""));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
