import Foundation
import PluginKit

/// The opaque `cursor` / `nextCursor` of a paginated MCP list: the list's name and where the
/// next page starts, base64-encoded so clients treat it as a token. A cursor this server did
/// not give (or gave for another list) is -32602, as the spec asks.
enum ListCursor {
    static func make(list: String, position: Int) -> String {
        Data("\(list):\(position)".utf8).base64EncodedString()
    }

    /// Where the page `params.cursor` asks for starts (`first` without a cursor).
    static func position(_ params: JSONValue?, list: String, first: Int) throws(JSONRPCError) -> Int {
        guard let cursor = params?["cursor"], !cursor.isNull else { return first }
        guard let text = cursor.stringValue, text.utf8.count <= 64, let data = Data(base64Encoded: text),
              let decoded = String(data: data, encoding: .utf8), decoded.hasPrefix(list + ":"),
              let position = Int(decoded.dropFirst(list.count + 1)), position >= first
        else { throw .invalidParams("cursor is not one this server gave for \(list)") }
        return position
    }
}
