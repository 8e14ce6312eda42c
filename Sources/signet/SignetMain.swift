import ArgumentParser
import SignetCLI

@main
struct SignetMain {
    static func main() async {
        await SignetCommand.main()
    }
}
