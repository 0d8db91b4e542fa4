using System.Security.Cryptography;
using System.Text;

namespace Valet.Core.Auth;

/// <summary>
/// Password hashes of basic auth, in one string: <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c>
/// where salt (16 bytes) and hash (32 bytes) are standard base64, and the hash is
/// PBKDF2-HMAC-SHA256 of the UTF-8 password. <c>valet hash-password</c> prints this form.
/// </summary>
public sealed class PasswordHash
{
    public const string Prefix = "pbkdf2-sha256$";

    /// <summary>Iterations <c>valet hash-password</c> uses (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    public const int MinIterations = 10_000;
    public const int MaxIterations = 10_000_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public int Iterations { get; }

    /// <summary>Hashes <paramref name="password"/> with a new random salt.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations);
        return $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Reads the string form; the error says what is wrong without repeating the value.</summary>
    public static bool TryParse(string text, out PasswordHash? hash, out string error)
    {
        hash = null;
        error = "";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"a password must be stored as '{Prefix}<iterations>$<salt>$<hash>', as printed by 'valet hash-password'; plain passwords are not accepted";
            return false;
        }

        var parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations))
        {
            error = $"a password hash has the form '{Prefix}<iterations>$<salt base64>$<hash base64>'";
            return false;
        }

        if (iterations is < MinIterations or > MaxIterations)
        {
            error = $"a password hash's iterations must be from {MinIterations} to {MaxIterations}, not {iterations}";
            return false;
        }

        var salt = new byte[SaltBytes + 8];
        var digest = new byte[HashBytes + 8];
        if (!Convert.TryFromBase64String(parts[1], salt, out var saltLength) || saltLength < 8
            || !Convert.TryFromBase64String(parts[2], digest, out var hashLength) || hashLength != HashBytes)
        {
            error = $"a password hash needs a base64 salt (at least 8 bytes) and a base64 hash of {HashBytes} bytes";
            return false;
        }

        hash = new PasswordHash(iterations, salt[..saltLength], digest[..HashBytes]);
        return true;
    }

    /// <summary>Whether <paramref name="password"/> has this hash; compared in constant time.</summary>
    public bool Verify(string password) => SecretComparer.FixedTimeEquals(Derive(password, _salt, Iterations), _hash);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
