/// Whether a Content-Type announces JSON, as the API accepts it for request bodies:
/// `application/json` or `application/<anything>+json`, parameters (charset) ignored.
public enum JSONMediaType {
    public static func matches(_ contentType: String) -> Bool {
        // Spaces and tabs cannot occur inside a media type, only around it.
        let mediaType = String(contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }).lowercased()
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
