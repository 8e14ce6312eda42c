#if canImport(Glibc)
import Glibc
#endif
import CSignetSpawn
import Foundation

/// A program started with posix_spawn and reaped with waitpid (Foundation's
/// `Process.waitUntilExit` can hang on Linux after `terminate()`): reference implementations and
/// file servers for the CLI, and commands that take frames on their standard input.
public final class ChildProcess {
    public let pid: pid_t
    public let executable: String
    private var outputFD: Int32 = -1
    private var inputFD: Int32 = -1
    private var exited = false

    /// - Parameters:
    ///   - captureOutput: read standard output with `finish()` (else it goes to /dev/null).
    ///   - pipeInput: feed standard input with `write(_:)` (else it reads /dev/null).
    ///   - quiet: standard error to /dev/null (else it is ours).
    public init(_ executable: String, _ arguments: [String], captureOutput: Bool = true, pipeInput: Bool = false,
                quiet: Bool = true) throws {
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Pipes are close-on-exec from birth and the child closes everything above standard error:
        // a child spawned by another thread must never hold this child's input open (its end of
        // input would never come, and two commands started at once would wait on each other).
        var outputPipe: [Int32] = [-1, -1], inputPipe: [Int32] = [-1, -1]
        if captureOutput {
            guard signet_pipe_cloexec(&outputPipe) == 0 else { throw ChildProcessError(message: "pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, outputPipe[0])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if pipeInput {
            guard signet_pipe_cloexec(&inputPipe) == 0 else { throw ChildProcessError(message: "pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
            posix_spawn_file_actions_addclose(&actions, inputPipe[1])
            // A reader that goes away must fail our write, not kill us.
            signal(SIGPIPE, SIG_IGN)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if quiet { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        signet_spawn_close_from(&actions, 3)
        // Threads of the Swift runtime block signals, and a spawned child inherits the mask: unblock
        // everything and restore default handlers, or SIGTERM would never stop the child.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        if captureOutput { close(outputPipe[1]) }
        if pipeInput { close(inputPipe[0]) }
        guard result == 0 else {
            if captureOutput { close(outputPipe[0]) }
            if pipeInput { close(inputPipe[1]) }
            throw ChildProcessError(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        outputFD = captureOutput ? outputPipe[0] : -1
        inputFD = pipeInput ? inputPipe[1] : -1
    }

    public var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }

    /// Writes all of `bytes` to the program's standard input.
    public func write(_ bytes: [UInt8]) throws {
        guard inputFD >= 0 else { throw ChildProcessError(message: "\(executable): standard input is not a pipe") }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(inputFD, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw ChildProcessError(message: errno == EPIPE ? "\(executable) stopped reading its input" : "write failed (errno \(errno))")
            }
            offset += count
        }
    }

    /// Reads exactly `count` bytes of standard output, blocking; nil at its end (a partial last
    /// piece is dropped).
    public func readOutput(exactly count: Int) throws -> [UInt8]? {
        guard outputFD >= 0 else { throw ChildProcessError(message: "\(executable): standard output is not captured") }
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(outputFD, $0.baseAddress! + offset, count - offset) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { return nil }
            offset += read
        }
        return bytes
    }

    /// Closes standard input: the program sees the end of its input.
    public func closeInput() {
        if inputFD >= 0 {
            close(inputFD)
            inputFD = -1
        }
    }

    /// Waits for the program to end and returns its standard output; fails on a non-zero exit.
    @discardableResult
    public func finish() throws -> [UInt8] {
        closeInput()
        var output: [UInt8] = []
        if outputFD >= 0 {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                output.append(contentsOf: buffer[0..<count])
            }
            close(outputFD)
            outputFD = -1
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        exited = true
        // WIFEXITED and WEXITSTATUS are macros that Swift does not import.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw ChildProcessError(message: "\(executable) failed (wait status \(status))")
        }
        return output
    }

    public func stop() {
        closeInput()
        if outputFD >= 0 {
            close(outputFD)
            outputFD = -1
        }
        guard !exited else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        exited = true
    }

    deinit { stop() }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Finds a program on PATH (or checks a path), or nil.
public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Standard output written line by line even into a file or pipe, in order with standard error.
public func lineBufferStandardOutput() { signet_line_buffer_stdout() }
