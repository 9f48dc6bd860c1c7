extension JSONRPCMessage {
    /// Whether this is the response (result or error) to request `id`.
    func answers(_ id: JSONRPCID?) -> Bool {
        switch self {
        case .result(let answered, _): answered == id
        case .error(let answered?, _): answered == id
        default: false
        }
    }
}
