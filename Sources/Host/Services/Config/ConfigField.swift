import PatternText

/// One host key: where it lives, how the environment overrides it, how a value is checked and
/// stored, and how its effective value reads back.
struct ConfigField {
    let section: String
    let key: String
    var environment: String?
    var integerFromEnvironment = false
    /// Checks and stores a value; returns the problem, if any. `shown` is the value as a message
    /// shows it (TOML values as JSON; environment variables as the quoted text that was set).
    let apply: (_ config: inout ServerConfig, _ value: TOMLValue, _ shown: String) -> String?
    let render: (ServerConfig) -> TOMLValue?
}

extension ConfigField {
    static func integer(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Int>, min: Int, max: Int? = nil,
        environment: String? = nil
    ) -> ConfigField {
        let expected = max.map { "an integer from \(min) to \($0)" } ?? "an integer of at least \(min)"
        return ConfigField(
            section: section, key: key, environment: environment, integerFromEnvironment: true,
            apply: { config, value, shown in
                guard case .integer(let number) = value, number >= min, number <= max.map(Int64.init) ?? Int64.max else {
                    return "expected \(expected), got \(shown)"
                }
                config[keyPath: path] = Int(number)
                return nil
            },
            render: { config in .integer(Int64(config[keyPath: path])) })
    }

    static func string(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, String>, environment: String? = nil,
        check: @escaping (String) -> String? = { _ in nil }
    ) -> ConfigField {
        ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, !text.isEmpty else {
                    return "expected a non-empty string, got \(shown)"
                }
                if let problem = check(text) { return "\(problem), got \(shown)" }
                config[keyPath: path] = text
                return nil
            },
            render: { config in .string(config[keyPath: path]) })
    }

    static func optionalString(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, String?>, environment: String? = nil
    ) -> ConfigField {
        ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, !text.isEmpty else {
                    return "expected a non-empty string, got \(shown)"
                }
                config[keyPath: path] = text
                return nil
            },
            render: { config in config[keyPath: path].map { .string($0) } })
    }

    static func boolean(_ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Bool>) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                guard case .boolean(let flag) = value else { return "expected true or false, got \(shown)" }
                config[keyPath: path] = flag
                return nil
            },
            render: { config in .boolean(config[keyPath: path]) })
    }

    /// An array of strings, each non-empty and passing `check`.
    private static func stringArray(_ value: TOMLValue, shown: String, check: (String) -> String?) -> Result<[String], ConfigProblem> {
        guard case .array(let elements) = value else {
            return .failure(ConfigProblem("expected an array of strings, got \(shown)"))
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element, !text.isEmpty else {
                return .failure(ConfigProblem("expected an array of non-empty strings, got \(ServerConfig.describe(element))"))
            }
            if let problem = check(text) { return .failure(ConfigProblem("\(problem), got \(ServerConfig.describe(element))")) }
            strings.append(text)
        }
        return .success(strings)
    }

    static func strings(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, [String]>,
        check: @escaping (String) -> String? = { _ in nil }
    ) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                switch stringArray(value, shown: shown, check: check) {
                case .success(let strings): config[keyPath: path] = strings; return nil
                case .failure(let problem): return problem.message
                }
            },
            render: { config in .array(config[keyPath: path].map { .string($0) }) })
    }

    static func optionalStrings(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, [String]?>
    ) -> ConfigField {
        ConfigField(
            section: section, key: key,
            apply: { config, value, shown in
                switch stringArray(value, shown: shown, check: { _ in nil }) {
                case .success(let strings): config[keyPath: path] = strings; return nil
                case .failure(let problem): return problem.message
                }
            },
            render: { config in config[keyPath: path].map { .array($0.map { .string($0) }) } })
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ section: String, _ key: String, _ path: WritableKeyPath<ServerConfig, Choice>, environment: String? = nil
    ) -> ConfigField where Choice.RawValue == String {
        let names = Choice.allCases.map { JSONString.quoted($0.rawValue) }.joined(separator: ", ")
        return ConfigField(
            section: section, key: key, environment: environment,
            apply: { config, value, shown in
                guard case .string(let text) = value, let choice = Choice(rawValue: text) else {
                    return "expected one of \(names), got \(shown)"
                }
                config[keyPath: path] = choice
                return nil
            },
            render: { config in .string(config[keyPath: path].rawValue) })
    }
}

private struct ConfigProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
