import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock
import SwitchyardProviders
import SwitchyardTestSupport
import Testing
import X509

@Suite("Upstream connection pool over TLS")
struct UpstreamTLSTests {
    /// A certificate authority and a `localhost` certificate it signed, made for one test.
    struct TestPKI {
        let caPEM: String
        let serverCertificatePEM: String
        let serverKeyPEM: String

        init() throws {
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName { CommonName("Switchyard test CA") }
            let now = Date()
            let ca = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: now - 3600,
                notValidAfter: now + 3600, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true))
                },
                issuerPrivateKey: .init(caKey))
            let serverKey = P256.Signing.PrivateKey()
            let server = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey), notValidBefore: now - 3600,
                notValidAfter: now + 3600, issuer: caName, subject: try DistinguishedName { CommonName("localhost") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames([.dnsName("localhost")])
                },
                issuerPrivateKey: .init(caKey))
            caPEM = try ca.serializeAsPEM().pemString
            serverCertificatePEM = try server.serializeAsPEM().pemString
            serverKeyPEM = serverKey.pemRepresentation
        }
    }

    /// Runs `body` with the mock provider served over TLS on a free loopback port.
    static func withTLSMock<T: Sendable>(_ pki: TestPKI, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.serverKeyPEM.utf8), format: .pem)))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: MockProvider(profile: .instant).buildRouter(),
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in sink.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        return try await whileServing(app, ports: ports, logger: logger, body)
    }

    static func caFile(_ pem: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ca-\(UUID().uuidString).pem").path
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("with the provider's CA in ca_file, calls succeed over TLS and share one connection")
    func trusted() async throws {
        let pki = try TestPKI()
        let caFile = try Self.caFile(pki.caPEM)
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        try await Self.withTLSMock(pki) { port in
            let pool = UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "https://localhost:\(port)/v1")!, caFile: caFile))
            defer { pool.shutdown() }
            for _ in 0..<3 {
                let response = try await pool.execute(
                    UpstreamConnectionPoolTests.chat(), deadline: UpstreamConnectionPoolTests.soon(), readTimeout: UpstreamConnectionPoolTests.patience, maxBodyBytes: 1 << 20)
                #expect(response.status == .ok)
                #expect(try JSONParser.parse(Array(buffer: response.body))["choices"]?.arrayValue?.isEmpty == false)
            }
            #expect(pool.openConnections == 1)
        }
    }

    @Test("ca_file also applies to the provider's other calls (embeddings), through the registry")
    func registryEmbeddings() async throws {
        let pki = try TestPKI()
        let caFile = try Self.caFile(pki.caPEM)
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        try await Self.withTLSMock(pki) { port in
            let baseURL = "https://localhost:\(port)/v1"
            for (trusted, settings) in [
                (true, ProviderSettings(name: "private", baseURL: baseURL, caFile: caFile)),
                (false, ProviderSettings(name: "private", baseURL: baseURL)),
            ] {
                let model = ModelDeployment(name: "m", provider: "private", upstreamModel: "m", tier: "light", price: ModelPrice(inputPerMillion: 0, outputPerMillion: 0))
                let registry = ProviderRegistry(configuration: GatewayConfiguration(providers: [settings], models: [model], tiers: ["light"]))
                let client = try #require(registry.client(forProvider: "private"))
                var request = HTTPClientRequest(url: baseURL + "/embeddings")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: #"{"model":"m","input":"hello"}"#))
                do {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    #expect(trusted, "an untrusted certificate was accepted")
                    #expect(response.status.code == 200)
                } catch {
                    #expect(!trusted, "\(error)")
                }
                try await registry.shutdown()
            }
        }
    }

    @Test("a certificate the system does not trust fails the call with a short TLS reason")
    func untrusted() async throws {
        let pki = try TestPKI()
        try await Self.withTLSMock(pki) { port in
            let pool = UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "https://localhost:\(port)/v1")!))
            defer { pool.shutdown() }
            do {
                _ = try await pool.execute(
                    UpstreamConnectionPoolTests.chat(), deadline: UpstreamConnectionPoolTests.soon(), readTimeout: UpstreamConnectionPoolTests.patience, maxBodyBytes: 1 << 20)
                Issue.record("an untrusted certificate was accepted")
            } catch {
                #expect(error as? UpstreamError == .connectFailed("TLS handshake failed: CERTIFICATE_VERIFY_FAILED"))
            }
            #expect(pool.openConnections == 0)
        }
    }
}
