import Foundation

// The host's keys, section by section, in the field language of `ConfigField`.
extension ServerConfig {
    static var fields: [ConfigField] {
        typealias F = ConfigField
        let port = 0...65_535
        return [
            .string("server", "host", \.server.host, environment: "HOST", check: Check.noWhitespace),
            .integer("server", "port", \.server.port, min: port.lowerBound, max: port.upperBound, environment: "PORT"),
            .integer("server", "event_loops", \.server.eventLoops, min: 1),
            .integer("server", "workers", \.server.workers, min: 1),
            .string("server", "data_dir", \.server.dataDir, environment: "PATTERN_DATA_DIR"),

            F(section: "database", key: "url", environment: "DATABASE_URL",
              apply: { config, value, shown in
                  guard case .string(let url) = value else { return "expected a string, got \(shown)" }
                  if let problem = databaseURLProblem(url) { return problem }
                  config.database.url = url
                  return nil
              },
              render: { config in .string(config.database.url.isEmpty ? "sqlite://" + config.databasePath : config.database.url) }),
            .integer("database", "readers", \.database.readers, min: 1),
            .integer("database", "busy_timeout_ms", \.database.busyTimeoutMs, min: 0),

            .optionalString("plugins", "dir", \.plugins.dir, environment: "PATTERN_PLUGIN_DIR"),
            .strings("plugins", "extra_dirs", \.plugins.extraDirs, check: Check.nonEmpty),
            .optionalStrings("plugins", "enabled", \.plugins.enabled),

            .strings("cors", "allowed_origins", \.cors.allowedOrigins, check: Check.origin),
            .boolean("cors", "allow_credentials", \.cors.allowCredentials),
            .integer("cors", "max_age", \.cors.maxAgeSeconds, min: 0),
            .strings("cors", "allowed_headers", \.cors.allowedHeaders, check: Check.token),
            .strings("cors", "allowed_methods", \.cors.allowedMethods, check: Check.token),

            .integer("limits", "max_body_bytes", \.limits.maxBodyBytes, min: 1),
            .integer("limits", "max_header_bytes", \.limits.maxHeaderBytes, min: 1),
            .integer("limits", "max_connections", \.limits.maxConnections, min: 1),
            .integer("limits", "header_timeout_seconds", \.limits.headerTimeoutSeconds, min: 1),
            .integer("limits", "body_timeout_seconds", \.limits.bodyTimeoutSeconds, min: 1),
            .integer("limits", "pending_timeout_seconds", \.limits.pendingTimeoutSeconds, min: 1),
            .integer("limits", "stream_queue_bytes", \.limits.streamQueueBytes, min: 1024),
            .integer("limits", "max_connections_per_ip", \.limits.maxConnectionsPerIP, min: 1),
            .strings("limits", "connection_cap_exempt", \.limits.connectionCapExempt, check: Check.ipAddress),
            .integer("limits", "idle_timeout_seconds", \.limits.idleTimeoutSeconds, min: 1),
            .integer("limits", "shutdown_grace_seconds", \.limits.shutdownGraceSeconds, min: 1),
            .integer("limits", "max_json_depth", \.limits.maxJSONDepth, min: 1),
            .integer("limits", "ws_max_message_bytes", \.limits.webSocketMaxMessageBytes, min: 125),
            .integer("limits", "ws_send_queue_bytes", \.limits.webSocketSendQueueBytes, min: 1024),
            .integer("limits", "ws_ping_interval_seconds", \.limits.webSocketPingIntervalSeconds, min: 1),
            .integer("limits", "max_processes", \.limits.maxProcesses, min: 1),

            .boolean("outbound", "allow_private_networks", \.outbound.allowPrivateNetworks),
            .strings("outbound", "allow", \.outbound.allow, check: Check.network),
            .boolean("outbound", "deny_all", \.outbound.denyAll),
            F(section: "outbound", key: "ca_file",
              apply: { config, value, shown in
                  guard case .string(let path) = value, !path.isEmpty else { return "expected a file path, got \(shown)" }
                  guard FileManager.default.isReadableFile(atPath: path) else {
                      return "expected a readable PEM file, got \(shown) (no such file or not readable)"
                  }
                  config.outbound.caFile = path
                  return nil
              },
              render: { config in config.outbound.caFile.map { .string($0) } }),
            .integer("outbound", "max_connections_per_origin", \.outbound.maxConnectionsPerOrigin, min: 1, max: 65_536),

            .choice("log", "level", \.log.level, environment: "PATTERN_LOG_LEVEL"),
            .choice("log", "format", \.log.format),
        ]
    }
}

/// Element and string checks: nil when fine, else what was expected.
private enum Check {
    /// A literal IPv4 or IPv6 address, as the socket reports peers.
    static func ipAddress(_ text: String) -> String? {
        ClientAddress.normalized(text) == nil ? "expected an IP address like \"127.0.0.1\" or \"::1\"" : nil
    }

    /// An address range in CIDR notation, or one address.
    static func network(_ text: String) -> String? {
        IPNetwork(text) == nil ? "expected CIDR ranges like \"127.0.0.1/32\" or \"fd00::/8\"" : nil
    }

    static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? "expected folder paths, not an empty string" : nil
    }

    static func noWhitespace(_ text: String) -> String? {
        text.contains(where: \.isWhitespace) ? "expected a host name or address without spaces" : nil
    }

    /// `*` or `scheme://host[:port]`, as browsers send the Origin header.
    static func origin(_ text: String) -> String? {
        let expected = "expected \"*\" or origins like \"https://app.example.com\" (scheme://host[:port], no path)"
        if text == "*" { return nil }
        guard let separator = text.range(of: "://"), ServerConfig.urlScheme(of: text) != nil else { return expected }
        let authority = text[separator.upperBound...]
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains(where: \.isWhitespace) else { return expected }
        return nil
    }

    /// An HTTP token (header names, methods).
    static func token(_ text: String) -> String? {
        let allowed = "!#$%&'*+-.^_`|~"
        let valid = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) }
        return valid ? nil : "expected HTTP tokens (letters, digits and !#$%&'*+-.^_`|~)"
    }
}
