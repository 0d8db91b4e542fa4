using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class TlsFieldTests : IDisposable
{
    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";
    private readonly TempFolder _folder = new();

    private AppParseResult Parse(string fields) =>
        AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes($"{{ \"name\": \"p\", {Endpoints}, {fields} }}"), _folder.Path);

    public void Dispose() => _folder.Dispose();

    private void WriteCertificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=api.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _folder.Write(name + ".crt", certificate.ExportCertificatePem());
        _folder.Write(name + ".key", key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public void Parse_Tls_LoadsCertificateWithKey()
    {
        WriteCertificate("api");

        var result = Parse("\"hosts\": [\"api.example.com\"], \"tls\": { \"cert\": \"api.crt\", \"key\": \"api.key\" }, \"https\": \"only\"");

        result.Errors.Should().BeEmpty();
        result.Config!.Tls!.Certificate.HasPrivateKey.Should().BeTrue();
        result.Config.Https.Should().Be(HttpsMode.Only);
        result.Config.FilesDigest.Should().NotBeEmpty();
    }

    [Fact]
    public void Parse_BadPem_ErrorNamesFilesAndReason()
    {
        _folder.Write("bad.crt", "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        _folder.Write("bad.key", "garbage");

        var result = Parse("\"hosts\": [\"api.example.com\"], \"tls\": { \"cert\": \"bad.crt\", \"key\": \"bad.key\" }");

        var error = result.Errors.Single();
        error.Path.Should().Be("$.tls");
        error.Message.Should().StartWith("cannot load the certificate \"bad.crt\" with the key \"bad.key\" (PEM expected): ");
        error.Message.Length.Should().BeGreaterThan("cannot load the certificate \"bad.crt\" with the key \"bad.key\" (PEM expected): ".Length);
    }

    [Fact]
    public void Parse_KeyOfAnotherCertificate_Error()
    {
        WriteCertificate("one");
        WriteCertificate("two");

        var result = Parse("\"hosts\": [\"api.example.com\"], \"tls\": { \"cert\": \"one.crt\", \"key\": \"two.key\" }");

        result.Errors.Single().Message.Should().StartWith("cannot load the certificate \"one.crt\" with the key \"two.key\"");
    }

    [Theory]
    [InlineData("\"hosts\": [\"api.example.com\"], \"tls\": { \"cert\": \"missing.crt\", \"key\": \"x.key\" }", "$.tls.cert")]
    [InlineData("\"tls\": { \"cert\": \"a.crt\", \"key\": \"a.key\" }", "$.tls")]
    [InlineData("\"https\": \"always\"", "$.https")]
    public void Parse_InvalidTls_Error(string fields, string path)
    {
        _folder.Write("x.key", "x");

        Parse(fields).Errors.Select(e => e.Path).Should().Contain(path);
    }
}
