import ArgumentParser
import Foundation
import SignetCore
import SignetTUFClient

/// Key files as the CLI reads them: a PEM private key (can sign), or a TUF public key object in JSON
/// (as `signet keys new` prints it), for keys whose holders sign elsewhere.
enum KeyFile {
    enum Loaded {
        case privateKey(SigningKey)
        case publicKey(PublicKey)

        var publicKey: PublicKey {
            switch self {
            case .privateKey(let key): key.publicKey
            case .publicKey(let key): key
            }
        }

        var signingKey: SigningKey? {
            if case .privateKey(let key) = self { return key }
            return nil
        }
    }

    static func load(_ path: String) throws -> Loaded {
        guard let bytes = try AtomicFile.read(path, maxBytes: 64 * 1024) else {
            throw CLIError("key file \(path) does not exist")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN") {
            return .privateKey(try SigningKey(pem: text))
        }
        do {
            return .publicKey(try PublicKey(json: try JSONParser().parse(bytes), context: path))
        } catch {
            throw CLIError("\(path) is neither a PEM private key nor a TUF public key object: \(error)")
        }
    }

    static func loadSigningKey(_ path: String) throws -> SigningKey {
        guard let key = try load(path).signingKey else { throw CLIError("\(path) holds no private key") }
        return key
    }

    /// Writes a new private key with permissions 0600; never overwrites an existing file.
    static func writePrivateKey(_ key: SigningKey, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(path) already exists; refusing to overwrite a key")
        }
        try AtomicFile.write(Array(key.pemRepresentation.utf8), to: path, permissions: 0o600)
    }
}

enum Clock {
    /// The system clock, read once per command.
    static func now() -> TUFTime { TUFTime(secondsSince1970: Int64(Date().timeIntervalSince1970)) }
}

/// One line to standard error, for progress and problems; results go to standard output.
func status(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A failure while running a command (as opposed to a bad argument, which ArgumentParser's
/// `ValidationError` reports with the usage text).
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
