import PatternText

extension Response {
    /// A JSON response from a `JSONValue`, written without Foundation's encoder.
    public static func jsonValue(_ value: JSONValue, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: value.jsonBytes)
    }
}
