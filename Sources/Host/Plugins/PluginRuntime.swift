import Foundation
import PluginABI
import Synchronization

/// Everything the C host table reaches: registrations collected during plugins' init,
/// then the shared services (database, events, named services, config) while serving.
///
/// C function pointers cannot capture context, so the host table finds this object through
/// `PluginRuntime.installed()`, set once at start.
final class PluginRuntime: Sendable {
    struct Registrations {
        var router = Router()
        var middleware: [Middleware] = []
        /// Run only by `secrets rotate-key`, in registration order.
        var rotations: [SecretRotation] = []
        /// Run only by `pattern-server <plugin> <command>` (ABI 1.6), in registration order.
        var commands: [PluginCommand] = []
        var frozen = false
    }

    /// Every host-table call from every thread reads this: an atomic pointer, not a lock (a
    /// Mutex here was a third of the relay's CPU, contended on every ABI call). A replaced
    /// runtime stays retained, since another thread may still be inside a call through it; a
    /// process boots once, so at most one is ever kept beyond its use.
    /// (The address as an integer: an Atomic of a pointer is not Sendable.)
    private static let current = Atomic<UInt>(0)

    let logger: Logger
    let config: ServerConfig
    let database: Database
    /// The keys `secrets.seal` and `secrets.open` use; loaded before any plugin starts.
    let keyring: SecretKeyring
    let events = EventBus()
    let services = ServiceDirectory()
    let webSockets = WebSocketDirectory()
    /// The event loops, for timers, outbound connections and child processes.
    let loops = LoopGroup()
    /// Responses handlers deferred (ABI 1.4).
    let responses = DeferredResponses()
    let timers: PluginTimers
    let processes: ChildProcesses
    /// Outbound HTTP requests of plugins, on the event loops once the server listens.
    let outbound: OutboundClient
    let transportCounters = TransportCounters()
    let eventSocket: EventSocket
    let registrations = Mutex(Registrations())
    /// Plugins in load order, appended as each one starts.
    let plugins = Mutex<[LoadedPlugin]>([])
    let hostVersion: PinnedBytes
    let dataDirectory: PinnedBytes
    private let settingCache = Mutex<[String: PinnedBytes]>([:])

    init(logger: Logger, config: ServerConfig, database: Database, keyring: SecretKeyring, hostVersion: String,
         dataDirectory: String) {
        self.logger = logger
        self.config = config
        self.database = database
        self.keyring = keyring
        self.hostVersion = PinnedBytes(hostVersion)
        self.dataDirectory = PinnedBytes(dataDirectory)
        timers = PluginTimers(loops: loops)
        processes = ChildProcesses(maxProcesses: config.limits.maxProcesses, loops: loops)
        outbound = OutboundClient(config: config.outbound, environment: ProcessInfo.processInfo.environment, logger: logger)
        eventSocket = EventSocket(directory: webSockets, events: events, maxJSONDepth: config.limits.maxJSONDepth)
    }

    static func installed() -> PluginRuntime? {
        UnsafeRawPointer(bitPattern: current.load(ordering: .acquiring)).map {
            Unmanaged<PluginRuntime>.fromOpaque($0).takeUnretainedValue()
        }
    }

    static func install(_ runtime: PluginRuntime) {
        current.store(UInt(bitPattern: Unmanaged.passRetained(runtime).toOpaque()), ordering: .releasing)
    }

    /// Runs `body` with the registrations unless they are frozen (registration after init).
    func register(_ body: (inout Registrations) -> pattern_status) -> pattern_status {
        registrations.withLock { registrations in
            registrations.frozen ? PATTERN_STATE : body(&registrations)
        }
    }

    /// Ends the registration window and returns what was registered.
    func freeze() -> (Router, [Middleware]) {
        registrations.withLock { registrations in
            registrations.frozen = true
            return (registrations.router, registrations.middleware)
        }
    }

    /// A host setting as JSON, pinned so plugins may keep the pointer.
    func setting(_ key: String) -> pattern_str? {
        settingCache.withLock { cache in
            if let cached = cache[key] { return cached.str }
            guard let json = config.setting(key) else { return nil }
            let pinned = PinnedBytes(json)
            cache[key] = pinned
            return pinned.str
        }
    }
}
