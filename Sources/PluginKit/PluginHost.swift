import Foundation
import PluginABI

/// The host as a Swift plugin sees it during `setUp`: registration, logging, config,
/// health, the database and named services. Safe to keep and use from any thread.
public final class PluginHost: Sendable {
    let table: HostTableReference
    let handle: PluginHandle

    init(table: UnsafePointer<pattern_host_v1>, handle: OpaquePointer) {
        self.table = HostTableReference(raw: table)
        self.handle = PluginHandle(raw: handle)
    }

    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", options = "OPTIONS"
    }

    public struct RouteOptions: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The handler never blocks, so the host may run it on its network thread.
        public static let inline = RouteOptions(rawValue: UInt32(PATTERN_INLINE))
        /// No principal needed.
        public static let `public` = RouteOptions(rawValue: UInt32(PATTERN_PUBLIC))
        /// Only administrators.
        public static let admin = RouteOptions(rawValue: UInt32(PATTERN_ADMIN))
        /// The handler runs on the network thread and throws `WouldBlock` (before changing
        /// anything) when `!request.mayBlock` and it must block this time; the host then runs
        /// it again on a worker. On hosts before ABI 1.5 the route simply runs on workers.
        public static let inlineUnlessBlocking = RouteOptions(rawValue: 1 << 31)
    }

    /// Where a middleware runs.
    public enum Threading: Sendable {
        /// On a worker thread: it may block (the database, bcrypt).
        case worker
        /// On the network thread: it never blocks.
        case inline
        /// On the network thread, answering `.wouldBlock` (before changing anything) when
        /// `!request.mayBlock` and it must block this time; the host then runs it again on a
        /// worker. On hosts before ABI 1.5 it simply runs on workers.
        case inlineUnlessBlocking
    }

    /// The ABI minor of the host's table (1.5 and later know PATTERN_WOULD_BLOCK).
    public var abiMinor: UInt16 { table.raw.pointee.abi_minor }

    /// PATTERN_INLINE for `inline`, and for `inlineUnlessBlocking` on a host that can move
    /// the request to a worker.
    private func inlineFlag(_ inline: Bool, unlessBlocking: Bool) -> UInt32 {
        inline || unlessBlocking && abiMinor >= 5 ? UInt32(PATTERN_INLINE) : 0
    }

    public enum Phase: Int32, Sendable {
        case preRoute = 0, authenticate, rateLimit, authorize, handler, response, log
    }

    public enum MiddlewareOutcome: Sendable {
        case next
        /// Answer with this response and skip to the RESPONSE phase.
        case respond(Response)
        /// Answer with the standard error body (and the error's headers), then skip likewise.
        case reject(HTTPError)
        /// It must block and `request.mayBlock` is false: run it again on a worker
        /// (`Threading.inlineUnlessBlocking` only).
        case wouldBlock
    }

    public struct RegistrationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Registers a route. `openAPI` is an OpenAPI 3.1 Operation Object as JSON.
    public func route(
        _ method: Method, _ path: String, options: RouteOptions = [], permission: String? = nil,
        openAPI: String? = nil, _ handler: @escaping @Sendable (Request) throws -> Response
    ) throws {
        let box = Unmanaged.passRetained(HandlerBox(handler: handler, table: table)).toOpaque()
        var flags = options.subtracting(.inlineUnlessBlocking).subtracting(.inline).rawValue
        flags |= inlineFlag(options.contains(.inline), unlessBlocking: options.contains(.inlineUnlessBlocking))
        let status = withABIString(method.rawValue) { methodText in
            withABIString(path) { pathText in
                withABIString(permission ?? "") { permissionText in
                    withABIString(openAPI ?? "") { openAPIText in
                        var route = pattern_route(
                            struct_size: UInt32(MemoryLayout<pattern_route>.size), method: methodText, path: pathText,
                            handler: { request, userdata in HandlerBox.run(request, userdata) }, userdata: box,
                            flags: flags, permission: permissionText, openapi: openAPIText)
                        return table.raw.pointee.http.pointee.add_route(handle.raw, &route)
                    }
                }
            }
        }
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "route \(method.rawValue) \(path) refused (status \(status))")
        }
    }

    /// Registers a middleware in `phase`, run where `threading` says.
    public func middleware(
        _ phase: Phase, order: Int32 = 0, threading: Threading = .worker,
        _ body: @escaping @Sendable (Request) -> MiddlewareOutcome
    ) throws {
        let box = Unmanaged.passRetained(MiddlewareBox(body: body, table: table)).toOpaque()
        var middleware = pattern_middleware(
            struct_size: UInt32(MemoryLayout<pattern_middleware>.size), phase: phase.rawValue, order: order,
            run: { request, userdata in MiddlewareBox.run(request, userdata) }, userdata: box,
            flags: inlineFlag(threading == .inline, unlessBlocking: threading == .inlineUnlessBlocking))
        let status = table.raw.pointee.http.pointee.add_middleware(handle.raw, &middleware)
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "middleware in phase \(phase) refused (status \(status))")
        }
    }

    // MARK: Services

    public enum LogLevel: Int32, Sendable { case debug = 0, info, warn, error }

    public func log(_ level: LogLevel, _ message: String) {
        withABIString(message) { table.raw.pointee.log.pointee.write(handle.raw, level.rawValue, $0) }
    }

    public enum HealthLevel: Int32, Sendable { case ok = 0, warning, error }

    public func reportHealth(_ level: HealthLevel, _ message: String? = nil) {
        _ = withABIString(message ?? "") { table.raw.pointee.core.pointee.report_health(handle.raw, level.rawValue, $0) }
    }

    /// This plugin's config section, decoded from the JSON the host hands over.
    public func config<Config: Decodable>(_ type: Config.Type) throws -> Config {
        let json = table.raw.pointee.config.pointee.plugin_config(handle.raw).byteArray
        return try JSONDecoder().decode(Config.self, from: Data(json.isEmpty ? Array("{}".utf8) : json))
    }

    /// A shared host setting by dotted key (`server.port`), as JSON text; nil for plugin
    /// sections, which only their own plugin reads (`config(_:)`, `configJSON`).
    public func setting(_ key: String) -> String? {
        var value = pattern_str()
        let status = withABIString(key) { table.raw.pointee.config.pointee.setting($0, &value) }
        return status == PATTERN_OK ? value.string : nil
    }

    public var dataDirectory: String { table.raw.pointee.config.pointee.data_dir().string }

    public var database: DatabaseClient { DatabaseClient(table: table) }

    /// Adds a migration (versions 1, 2, 3 … in order); the host applies it at once if new.
    public func migration(_ version: Int32, _ sql: String) throws {
        let status = withABIString(sql) { table.raw.pointee.db.pointee.add_migration(handle.raw, version, $0) }
        guard status == PATTERN_OK else {
            throw RegistrationError(description: "migration \(version) failed (status \(status))")
        }
    }

    /// Publishes an event on the host bus.
    public func publish(topic: String, json: [UInt8]) {
        _ = withABIString(topic) { topicText in
            withABIBytes(json) { table.raw.pointee.events.pointee.publish(topicText, $0) }
        }
    }
}

// @unchecked: the host table is immutable and lives as long as the process.
struct HostTableReference: @unchecked Sendable {
    let raw: UnsafePointer<pattern_host_v1>
    var http: UnsafePointer<pattern_http_api> { raw.pointee.http }

    /// A sub-table a later minor added, or nil when this host's table is too old to have it.
    func added<Table>(_ field: KeyPath<pattern_host_v1, UnsafePointer<Table>?>) -> UnsafePointer<Table>? {
        abiHasField(raw.pointee.struct_size, field) ? raw.pointee[keyPath: field] : nil
    }
}

// @unchecked: an opaque handle the host keeps valid for the life of the process.
struct PluginHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// Keeps a route's closure alive for the process and bridges the C call into it.
final class HandlerBox: Sendable {
    let handler: @Sendable (Request) throws -> Response
    let table: HostTableReference

    init(handler: @escaping @Sendable (Request) throws -> Response, table: HostTableReference) {
        self.handler = handler
        self.table = table
    }

    static func run(_ request: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?) -> pattern_status {
        guard let request, let userdata else { return PATTERN_INVALID }
        let box = Unmanaged<HandlerBox>.fromOpaque(userdata).takeUnretainedValue()
        let wrapped = Request(handle: request, http: box.table.http, responses: box.table.added(\.responses))
        do {
            let response = try box.handler(wrapped)
            if !response.isDeferred { response.write(to: wrapped) }
        } catch is WouldBlock {
            return PATTERN_WOULD_BLOCK
        } catch let error as HTTPError {
            error.write(to: wrapped)
        } catch {
            HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
                .write(to: wrapped)
        }
        return PATTERN_OK
    }
}

final class MiddlewareBox: Sendable {
    let body: @Sendable (Request) -> PluginHost.MiddlewareOutcome
    let table: HostTableReference

    init(body: @escaping @Sendable (Request) -> PluginHost.MiddlewareOutcome, table: HostTableReference) {
        self.body = body
        self.table = table
    }

    static func run(_ request: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?) -> Int32 {
        guard let request, let userdata else { return PATTERN_CONTINUE }
        let box = Unmanaged<MiddlewareBox>.fromOpaque(userdata).takeUnretainedValue()
        let wrapped = Request(handle: request, http: box.table.http)
        switch box.body(wrapped) {
        case .next:
            return PATTERN_CONTINUE
        case .respond(let response):
            response.write(to: wrapped)
            return PATTERN_STOP
        case .reject(let error):
            error.write(to: wrapped)
            return PATTERN_STOP
        case .wouldBlock:
            return PATTERN_WOULD_BLOCK
        }
    }
}
