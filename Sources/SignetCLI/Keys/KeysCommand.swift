import ArgumentParser
import SignetCore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and inspect signing keys.",
        subcommands: [New.self, Public.self]
    )

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key pair: the private key goes to FILE (mode 0600), the public key object to stdout."
        )

        @Option(name: .shortAndLong, help: "Where to write the private key (PEM). Never overwritten.")
        var out: String

        @Option(name: .long, help: "Key type: ed25519 (default), ecdsa (P-256) or rsa (3072-bit RSASSA-PSS).")
        var type: String = KeyAlgorithm.ed25519.rawValue

        func run() async throws {
            guard let algorithm = KeyAlgorithm(rawValue: type) else {
                throw ValidationError("unknown key type \(type); choose ed25519, ecdsa or rsa")
            }
            let key = try SigningKey.generate(algorithm)
            try KeyFile.writePrivateKey(key, to: out)
            status("wrote private key \(out) (mode 0600), key id \(key.keyID)")
            print(JSONWriter.pretty.string(.object(key.publicKey.json)), terminator: "")
        }
    }

    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the TUF public key object of a key file.")

        @Argument(help: "A private key (PEM) or public key (JSON) file.") var file: String

        func run() async throws {
            let key = try KeyFile.load(file).publicKey
            status("key id \(key.keyID)")
            print(JSONWriter.pretty.string(.object(key.json)), terminator: "")
        }
    }
}
