import PatternText

/// The API's error body: `{"error":{"type","message","fields"?},"timestamp"}` (API.md).
/// Every error the host generates goes through here, and plugins reach it through
/// `respond_error`, so the format lives in one place.
enum ErrorBody {
    /// `fieldsJSON` is a JSON array of `{"field","message"}` objects, already validated.
    static func render(type: String, message: String, fieldsJSON: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + message.utf8.count)
        out.append(contentsOf: #"{"error":{"type":"#.utf8)
        JSONString.append(type, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONString.append(message, to: &out)
        if let fieldsJSON {
            out.append(contentsOf: #","fields":"#.utf8)
            out.append(contentsOf: fieldsJSON.utf8)
        }
        out.append(contentsOf: #"},"timestamp":"#.utf8)
        out.append(UInt8(ascii: "\""))
        Timestamp.appendRFC3339(milliseconds: Timestamp.nowMilliseconds(), to: &out)
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    /// The error type API.md names for a status the host produces.
    static func type(for status: Int) -> String {
        switch status {
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 429: "rate_limit"
        case 431: "request_header_fields_too_large"
        case 501: "not_implemented"
        case 502: "bad_gateway"
        case 503: "service_unavailable"
        case 504: "gateway_timeout"
        case 505: "http_version_not_supported"
        case 500...: "internal_error"
        default: "bad_request"
        }
    }
}
