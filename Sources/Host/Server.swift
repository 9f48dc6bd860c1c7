import CShims
import Foundation
import Glibc
import PluginABI

/// Boots the host: config → logger → database → plugins (init, migrations) → pipeline →
/// event loops; then waits for SIGTERM/SIGINT and drains.
public enum Server {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs until a termination signal; returns the process exit code.
    public static func run(_ options: CommandLineOptions) -> Int32 {
        _ = shim_block_signals()
        let config: ServerConfig
        do {
            config = try effectiveConfig(options)
        } catch {
            printError(error.description)
            return 1
        }
        let logger = Logger(level: LogLevel(config.log.level), format: LogFormat(rawValue: config.log.format.rawValue) ?? .logfmt)
        do {
            let server = try start(config: config, logger: logger)
            let signal = shim_wait_for_termination()
            logger.log(.info, "shutting down", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
            server.drain(graceSeconds: config.limits.shutdownGraceSeconds)
            logger.log(.info, "stopped")
            logger.flush()
            return 0
        } catch {
            logger.flush()
            printError(String(describing: error))
            return 1
        }
    }

    /// The config file and environment, then the command line's overrides.
    static func effectiveConfig(_ options: CommandLineOptions) throws(StartError) -> ServerConfig {
        var config: ServerConfig
        do {
            config = try ServerConfig.load(file: options.configFile, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw StartError(description: error.description)
        }
        if let host = options.host { config.server.host = host }
        if let port = options.port { config.server.port = port }
        if let dataDirectory = options.dataDirectory { config.server.dataDir = dataDirectory }
        if let pluginDirectory = options.pluginDirectory { config.plugins.dir = pluginDirectory }
        return config
    }

    /// A running server: its loops, plugins and what draining needs.
    final class Running: Sendable {
        let loops: [EventLoop]
        let transport: TransportContext
        let plugins: [LoadedPlugin]
        let runtime: PluginRuntime

        init(loops: [EventLoop], transport: TransportContext, plugins: [LoadedPlugin], runtime: PluginRuntime) {
            self.loops = loops
            self.transport = transport
            self.plugins = plugins
            self.runtime = runtime
        }

        /// Stops accepting and terminates child processes, lets in-flight requests finish within
        /// the grace period, cancels the responses and ends the outbound calls still open
        /// (PATTERN_CLIENT_SHUTDOWN), then runs the plugins' shutdown callbacks in reverse load order.
        func drain(graceSeconds: Int) {
            for loop in loops { loop.post(.drain) }
            let grace = UInt64(graceSeconds) * 1000
            // SIGKILL lands by two thirds of the grace, leaving time for the exit callbacks.
            runtime.processes.stop(graceMilliseconds: min(grace / 3, HostTable.defaultTerminateGraceMilliseconds))
            let deadline = MonotonicClock.milliseconds() + grace
            while transport.counters.openConnections.load(ordering: .relaxed) > 0 || runtime.processes.unfinished > 0,
                  MonotonicClock.milliseconds() < deadline {
                usleep(10_000)
            }
            let left = transport.counters.openConnections.load(ordering: .relaxed)
            if left > 0 { transport.logger.log(.warn, "grace period over; closing connections", ["open": String(left)]) }
            let children = runtime.processes.unfinished
            if children > 0 { transport.logger.log(.warn, "grace period over; child processes left", ["left": String(children)]) }
            cancelStreams()
            runtime.timers.stop()
            runtime.outbound.shutdown(timeoutMilliseconds: 2000)
            Server.shutDown(plugins)
        }

        /// Responses still deferred or streaming after the grace period are cancelled, so their
        /// plugins hear of it (on_cancel) before they shut down.
        private func cancelStreams() {
            guard runtime.responses.count > 0 else { return }
            let done = DispatchSemaphore(value: 0)
            for loop in loops {
                loop.post(.run { loop in
                    loop.cancelStreams()
                    done.signal()
                })
            }
            for _ in loops { done.wait() }
            transport.workers.waitUntilIdle(timeoutMilliseconds: 1000)
        }
    }

    /// The plugins' shutdown callbacks, in reverse load order.
    static func shutDown(_ plugins: [LoadedPlugin]) {
        for plugin in plugins.reversed() {
            if let shutdown = plugin.file.descriptor.field(\.shutdown) ?? nil { shutdown() }
        }
    }

    /// The plugins started and their registrations frozen: what serving (or a one-off command
    /// such as `create-admin`) runs on.
    struct Booted {
        let runtime: PluginRuntime
        let plugins: [LoadedPlugin]
        let router: Router
        let middleware: [Middleware]
        let secrets: SecretKeys
    }

    /// Opens the database and the secrets' keys, loads and initialises the plugins, and freezes
    /// their registrations. `secrets: .rotate` is `secrets rotate-key`: it alone holds the data
    /// directory, and seals with a next key.
    static func boot(config: ServerConfig, logger: Logger, secrets purpose: SecretKeys.Purpose = .serve) throws -> Booted {
        let dataDirectory = try prepareDataDirectory(config.server.dataDir, logger: logger)
        try DataDirectoryLock.acquire(dataDirectory, exclusive: purpose == .rotate)
        let database: Database
        do {
            database = try Database(path: config.databasePath, readers: config.database.readers,
                                    busyTimeoutMilliseconds: config.database.busyTimeoutMs)
        } catch {
            throw StartError(description: "database \(config.databasePath): \(error.message)")
        }
        let secrets = try SecretKeys.load(for: purpose, environment: ProcessInfo.processInfo.environment,
                                          dataDirectory: dataDirectory, database: database, logger: logger)
        let runtime = PluginRuntime(logger: logger, config: config, database: database, keyring: secrets.keyring,
                                    hostVersion: HostInfo.version, dataDirectory: dataDirectory)
        PluginRuntime.install(runtime)

        let source = PluginSource(config.plugins)
        let files = try PluginLoader.select(source.discover(), enabled: config.plugins.enabled)
        var plugins: [LoadedPlugin] = []
        for file in files {
            let plugin = LoadedPlugin(file: file, configJSON: config.pluginSection(file.name))
            plugins.append(plugin)
            runtime.plugins.withLock { $0.append(plugin) }
            try initialize(plugin)
            logger.log(.info, "plugin loaded", ["name": file.name, "version": file.version, "file": file.fileName])
        }

        let (router, middleware) = runtime.freeze()
        return Booted(runtime: runtime, plugins: plugins, router: router, middleware: middleware, secrets: secrets)
    }

    static func start(config: ServerConfig, logger: Logger) throws -> Running {
        let booted = try boot(config: config, logger: logger)
        let plugins = booted.plugins
        var router = booted.router
        let health = HealthEndpoint(plugins: plugins, version: HostInfo.version, database: booted.runtime.database)
        for route in health.routes() { try router.add(route) }
        try router.add(booted.runtime.eventSocket.route())
        try router.add(OpenAPIDocument.route(serving: router.routes, version: HostInfo.version, logger: logger))

        let cors = CORSPolicy(origins: config.cors.allowedOrigins, allowCredentials: config.cors.allowCredentials,
                              methods: config.cors.allowedMethods, headers: config.cors.allowedHeaders,
                              maxAge: config.cors.maxAgeSeconds)
        let pipeline = Pipeline(router: router, middleware: booted.middleware, cors: cors, logger: logger)
        booted.runtime.eventSocket.attach(pipeline)
        logger.log(.info, "middleware chain", ["chain": pipeline.chainDescription])

        var settings = TransportSettings()
        settings.limits.maxBodyBytes = config.limits.maxBodyBytes
        settings.limits.maxHeadBytes = config.limits.maxHeaderBytes
        settings.headerTimeoutMilliseconds = UInt64(config.limits.headerTimeoutSeconds) * 1000
        settings.bodyTimeoutMilliseconds = UInt64(config.limits.bodyTimeoutSeconds) * 1000
        settings.pendingTimeoutMilliseconds = UInt64(config.limits.pendingTimeoutSeconds) * 1000
        settings.streamQueueBytes = config.limits.streamQueueBytes
        settings.idleTimeoutMilliseconds = UInt64(config.limits.idleTimeoutSeconds) * 1000
        settings.maxConnections = config.limits.maxConnections
        settings.maxConnectionsPerAddress = config.limits.maxConnectionsPerIP
        settings.connectionCapExempt = config.limits.connectionCapExempt
        settings.webSocketMaxMessageBytes = config.limits.webSocketMaxMessageBytes
        settings.webSocketSendQueueBytes = config.limits.webSocketSendQueueBytes
        settings.webSocketPingIntervalMilliseconds = UInt64(config.limits.webSocketPingIntervalSeconds) * 1000
        let transport = TransportContext(settings: settings, pipeline: pipeline,
                                         workers: WorkerPool(threads: config.server.workers), logger: logger,
                                         webSockets: booted.runtime.webSockets,
                                         counters: booted.runtime.transportCounters)
        let loops = try listen(config: config, transport: transport)
        booted.runtime.webSockets.attach(loops)
        booted.runtime.loops.attach(loops)
        booted.runtime.timers.loopsStarted()
        do {
            try booted.runtime.outbound.attach(loops)
        } catch {
            throw StartError(description: error.description)
        }
        run(loops)
        return Running(loops: loops, transport: transport, plugins: plugins, runtime: booted.runtime)
    }

    /// Calls the plugin's init with the host table; any failure it reports stops the start.
    private static func initialize(_ plugin: LoadedPlugin) throws(PluginLoadError) {
        guard let initialize = plugin.file.descriptor.field(\.`init`) ?? nil else {
            throw PluginLoadError("plugin \(plugin.file.label): descriptor has no init callback")
        }
        var error = pattern_error.blank()
        let status = initialize(HostTable.shared.raw, plugin.handle, &error)
        if status != PATTERN_OK {
            let message = error.text
            throw PluginLoadError(
                "plugin \(plugin.file.label): init failed (status \(status)): \(message.isEmpty ? "no message" : message)")
        }
        if let failure = plugin.registrationFailures.withLock({ $0.first }) {
            throw PluginLoadError("plugin \(plugin.file.label): \(failure)")
        }
        do {
            try HostTable.runtime?.database.checkNotNewer(plugin: plugin.name,
                                                          registered: plugin.migrations.withLock { $0.count })
        } catch {
            throw PluginLoadError("plugin \(plugin.file.label): \(error.message)")
        }
    }

    /// One SO_REUSEPORT listening socket and one event loop (not yet running) per configured loop.
    private static func listen(config: ServerConfig, transport: TransportContext) throws(StartError) -> [EventLoop] {
        var port = config.server.port
        var loops: [EventLoop] = []
        for index in 0..<config.server.eventLoops {
            let fd = shim_listen_tcp(config.server.host, Int32(port), 1024)
            guard fd >= 0 else {
                throw StartError(description:
                    "cannot listen on \(config.server.host):\(port): \(String(cString: strerror(shim_errno())))")
            }
            if index == 0 { port = Int(shim_local_port(fd)) }
            loops.append(EventLoop(index: index, listenFD: fd, context: transport))
        }
        transport.logger.log(.info, "listening", ["address": "\(config.server.host):\(port)"])
        return loops
    }

    /// Runs each loop on its own thread: only once everything they serve is attached, since a
    /// request may arrive the moment a loop runs.
    private static func run(_ loops: [EventLoop]) {
        for (index, loop) in loops.enumerated() {
            let thread = Thread { loop.run() }
            thread.name = "event-loop-\(index)"
            thread.start()
        }
    }

    /// Creates the data directory (mode 0700), or tightens an existing one that others could
    /// read (it holds the database, the JWT secret and the key-encryption key), and returns its
    /// absolute path.
    private static func prepareDataDirectory(_ path: String, logger: Logger) throws(StartError) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        do {
            try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StartError(description: "data directory \(absolute) cannot be created: \(error.localizedDescription)")
        }
        var status = stat()
        guard stat(absolute, &status) == 0 else {
            throw StartError(description: "data directory \(absolute) cannot be read: \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o777
        if mode & 0o077 != 0 {
            guard chmod(absolute, 0o700) == 0 else {
                throw StartError(description: "data directory \(absolute) has mode \(String(mode, radix: 8)) and cannot be "
                                 + "made private (\(String(cString: strerror(errno)))): run `chmod 700 \(absolute)` as its owner")
            }
            logger.log(.warn, "data directory was readable by others; its mode is now 700",
                       ["path": absolute, "was": String(mode, radix: 8)])
        }
        return (absolute as NSString).standardizingPath
    }

    static func printError(_ message: String) {
        let line = "error: \(message)\n"
        shim_write_stderr(line, line.utf8.count)
    }
}

extension LogLevel {
    init(_ level: ServerConfig.Log.Level) {
        switch level {
        case .debug: self = .debug
        case .info: self = .info
        case .warn: self = .warn
        case .error: self = .error
        }
    }
}

extension Server {
    /// The text of `plugins` / `plugins inspect FILE`.
    public static func pluginReport(_ options: CommandLineOptions) throws -> String {
        if case .inspectPlugin(let path) = options.command { return try PluginCommands.inspect(path: path) }
        return try PluginCommands.list(PluginSource(effectiveConfig(options).plugins))
    }
}
