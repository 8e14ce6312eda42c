/// The demo's state-visit programme. Until the renderer lands, assets are small stand-in files
/// whose bytes are what TUF protects; the programme document names them.
enum DemoProgramme {
    static let files: [(path: String, bytes: [UInt8])] = [
        ("state-visit/flag-left.png", Array("stand-in for the Russian flag: white, blue, red".utf8)),
        ("state-visit/flag-right.png", Array("stand-in for the Kazakh flag: sky blue, golden sun and eagle".utf8)),
        ("state-visit/programme.json", Array(#"{"interrupt":{"dates":["2024-11-27","2024-11-28"],"priority":100,"slides":["state-visit/flag-left.png","state-visit/flag-right.png"],"text":"Қош келдіңіз! Добро пожаловать!"}}"#.utf8)),
    ]
    static let forgedFlag = Array("stand-in for the Ukrainian flag: blue, yellow".utf8)
}
