using System.Diagnostics;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Valet.Core.Auth;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Auth;

/// <summary>
/// Every secret Valet checks (API keys and their hashes, password hashes and their HMACs, the admin
/// and peer tokens) is compared through <see cref="SecretComparer"/>, whose time does not depend on
/// how long a guess's matching prefix is. The scans below fail when a new path compares a secret
/// some other way.
/// </summary>
[Trait("Category", "Reliability")]
public sealed partial class SecretComparisonTests
{
    private static readonly string[] ProductFolders = ["Valet.Core", "Valet.Daemon", "Valet.Peering"];

    /// <summary>Code files of the product, with comments and string literals blanked out.</summary>
    private static IEnumerable<(string File, string[] Lines)> ProductCode() =>
        ProductFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(file => (Path.GetRelativePath(RepoRoot.Path, file), File.ReadAllLines(file).Select(CodeOnly).ToArray()));

    private static string CodeOnly(string line) => LineComment().Replace(StringLiteral().Replace(line, "\"\""), "");

    [Fact]
    public void Sources_FrameworkFixedTimeEquals_OnlyInsideSecretComparer()
    {
        var calls = ProductCode()
            .SelectMany(f => f.Lines.Select((line, i) => (f.File, Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("CryptographicOperations.FixedTimeEquals", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}")
            .ToList();

        calls.Should().BeEmpty("every fixed-time comparison goes through SecretComparer, so there is one to check and one to benchmark");
    }

    [Fact]
    public void Sources_EveryCredentialCheck_CallsSecretComparer()
    {
        // Every class that checks what a caller presents: the app authenticators, the admin and
        // peer token checks, and the password hash.
        var checkers = ProductCode()
            .Where(f => f.Lines.Any(l => CredentialChecker().IsMatch(l)))
            .ToList();

        checkers.Select(f => Path.GetFileName(f.File)).Should().Contain(
            ["ApiKeyAuthenticator.cs", "BasicAuthenticator.cs", "JwtAuthenticator.cs", "PasswordHash.cs", "AdminAuthenticator.cs", "PeerAuthenticator.cs"]);
        foreach (var (file, lines) in checkers)
        {
            var code = string.Join('\n', lines);
            if (Path.GetFileName(file) == "JwtAuthenticator.cs")
            {
                // Signatures are verified by Microsoft.IdentityModel (constant-time for HMACs); the
                // authenticator itself holds no secret to compare.
                code.Should().Contain("ValidateTokenAsync", file);
                continue;
            }

            code.Should().Contain("SecretComparer.FixedTimeEquals", $"{file} checks credentials");
        }
    }

    [Fact]
    public void Sources_NoSecretComparedWithOrdinaryEquality()
    {
        var suspects = new List<string>();
        foreach (var (file, lines) in ProductCode())
        {
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match match in OrdinaryComparison().Matches(lines[i]))
                {
                    var operands = new[] { match.Groups["left"].Value, match.Groups["right"].Value };
                    if (!operands.Any(IsSecretName)) continue;
                    if (operands.Any(IsHarmless)) continue;
                    suspects.Add($"{file}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        suspects.Should().BeEmpty("secrets are compared with SecretComparer.FixedTimeEquals only");
    }

    [Fact]
    public void Scan_CatchesTheComparisonsItIsThereFor()
    {
        string[] caught =
        [
            "return presented == _expected;",
            "if (token.Equals(header)) return true;",
            "if (string.Equals(key.Key, value, StringComparison.Ordinal)) found = key;",
            "return digest.SequenceEqual(key.Hash);",
            "ok = header.StartsWith(secret);",
            "if (password != expected) return null;",
        ];

        foreach (var line in caught)
        {
            OrdinaryComparison().Matches(CodeOnly(line))
                .Any(m => new[] { m.Groups["left"].Value, m.Groups["right"].Value } is var o && o.Any(IsSecretName) && !o.Any(IsHarmless))
                .Should().BeTrue(line);
        }
    }

    private static bool IsSecretName(string operand)
    {
        var last = operand.Split('.', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        return SecretName().IsMatch(last.TrimStart('_'));
    }

    // Lengths, counts, null and prefix constants (e.g. "sha256:") say nothing about a secret's value.
    private static bool IsHarmless(string operand) =>
        operand is "null" or "" || operand.EndsWith(".Length", StringComparison.Ordinal) || operand.EndsWith(".Count", StringComparison.Ordinal)
        || operand.EndsWith("Prefix", StringComparison.Ordinal) || char.IsAsciiDigit(operand[0]);

    [Fact]
    public void FixedTimeEquals_AgreesWithSequenceEqual()
    {
        var nearlyEqual = Gen.Sized(size => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), size))
            .SelectMany(left => Gen.OneOf(
                    Gen.Constant(left.ToArray()),
                    Gen.Choose(0, Math.Max(0, left.Length - 1)).Select(at => Flip(left, at)),
                    Gen.Constant<byte[]>([.. left, 0]),
                    Gen.Constant(left.Length == 0 ? left : left[..^1]))
                .Select(right => (left, right)));

        Properties.Check(Prop.ForAll(nearlyEqual.ToArbitrary(), pair =>
            SecretComparer.FixedTimeEquals(pair.left, pair.right) == pair.left.AsSpan().SequenceEqual(pair.right)), tests: 500);
    }

    [Fact]
    public void FixedTimeEquals_EveryLengthAndEveryPosition_AgreesWithSequenceEqual()
    {
        for (var length = 0; length <= 40; length++)
        {
            var left = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 1)).ToArray();
            SecretComparer.FixedTimeEquals(left, left.ToArray()).Should().BeTrue();
            SecretComparer.FixedTimeEquals(left, [.. left, 0]).Should().BeFalse();
            for (var position = 0; position < length; position++)
            {
                SecretComparer.FixedTimeEquals(left, Flip(left, position)).Should().BeFalse($"byte {position} of {length} differs");
            }
        }
    }

    /// <summary>
    /// A guess that differs in its first byte takes as long as one that differs in its last. An
    /// early-exit comparison of 4 KiB is about 50 times faster on the first; the fixed-time one is
    /// within a few percent. Each is the fastest of many interleaved rounds, so a busy machine slows
    /// both alike.
    /// </summary>
    [Fact]
    public void FixedTimeEquals_TimeDoesNotDependOnTheMatchingPrefix()
    {
        var secret = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7)).ToArray();
        var wrongFirst = Flip(secret, 0);
        var wrongLast = Flip(secret, secret.Length - 1);
        const int Rounds = 60;
        const int PerRound = 200;
        var first = long.MaxValue;
        var last = long.MaxValue;
        var sink = false;
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.GetTimestamp();
            for (var i = 0; i < PerRound; i++) sink ^= SecretComparer.FixedTimeEquals(secret, wrongFirst);
            first = Math.Min(first, Stopwatch.GetTimestamp() - clock);
            clock = Stopwatch.GetTimestamp();
            for (var i = 0; i < PerRound; i++) sink ^= SecretComparer.FixedTimeEquals(secret, wrongLast);
            last = Math.Min(last, Stopwatch.GetTimestamp() - clock);
        }

        sink.Should().BeFalse();
        var ratio = (double)last / first;
        ratio.Should().BeInRange(0.5, 2.0, $"mismatch at byte 0 took {first} ticks, at byte 4095 {last} ticks per {PerRound} comparisons");
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        if (copy.Length > 0) copy[at] ^= 0x5A;
        return copy;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("//.*$")]
    private static partial Regex LineComment();

    // A class that checks presented credentials: an IAuthenticator, an *Authenticator, or a Verify(password).
    [GeneratedRegex(@"class \w*Authenticator\b|: IAuthenticator\b|public bool Verify\(string password\)")]
    private static partial Regex CredentialChecker();

    // a == b, a != b, a.Equals(b, a.SequenceEqual(b, a.StartsWith(b, a.EndsWith(b, a.SequenceCompareTo(b,
    // string.Equals(a, b, string.CompareOrdinal(a, b.
    [GeneratedRegex(@"(?<left>[\w.\[\]]+)\s*(?:==|!=)\s*(?<right>[\w.\[\]]+)|(?<left>[\w.\[\]]+)\.(?:Equals|SequenceEqual|StartsWith|EndsWith|SequenceCompareTo)\((?<right>[\w.\[\]]*)|(?:string\.Equals|string\.CompareOrdinal|string\.Compare)\((?<left>[\w.\[\]]+),\s*(?<right>[\w.\[\]]+)")]
    private static partial Regex OrdinaryComparison();

    [GeneratedRegex("^(?i:token|secret|password|passwd|authkey|key|hash|mac|digest|expected|presented|verified|known|credentials?)$")]
    private static partial Regex SecretName();
}
