import Foundation

/// The API's error body, `{"error":{"type","message","fields"?},"timestamp"}`, as the host
/// renders it for `respond_error` and for the answers it gives itself (401, 403, 404, 405, 500).
enum ErrorDocument {
    static func render(type: String, message: String, fieldsJSON: String?) -> [UInt8] {
        var error: [String: Any] = ["type": type, "message": message]
        if let fieldsJSON, let fields = try? JSONSerialization.jsonObject(with: Data(fieldsJSON.utf8)) {
            error["fields"] = fields
        }
        let document: [String: Any] = ["error": error, "timestamp": ISO8601DateFormatter().string(from: Date())]
        return Array((try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data())
    }

    /// The error type the host gives a status it produces itself.
    static func type(for status: Int32) -> String {
        switch status {
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 429: "rate_limit"
        case 500...: "internal_error"
        default: "bad_request"
        }
    }
}
