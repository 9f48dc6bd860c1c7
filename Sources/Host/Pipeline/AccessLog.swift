import PatternText

/// One line per finished request: method, route template (not the raw path, so lines group
/// and never echo ids), status, duration and request id.
struct AccessLog: Sendable {
    let logger: Logger

    func record(_ context: RequestContext) {
        guard logger.enabled(.info) else { return }
        let elapsed = Double(MonotonicClock.nanoseconds() - context.receivedAt) / 1_000_000
        var line = LogLine(format: logger.format)
        line.add("ts", Timestamp.rfc3339())
        line.add("level", "info")
        line.add("msg", "request")
        line.add("method", context.methodString)
        line.add("route", context.route?.template ?? "(unmatched)")
        line.add("status", String(context.response.status))
        line.add("duration_ms", String(Double(Int(elapsed * 1000)) / 1000))
        line.add("request_id", String(decoding: context.requestID, as: UTF8.self))
        logger.append(line.finish())
    }
}
