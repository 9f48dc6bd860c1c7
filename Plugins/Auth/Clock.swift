import AuthTokens
import Foundation

/// Wall-clock time in the units the plugin stores: Unix milliseconds (database) and seconds (JWT).
enum Clock {
    static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
    static func seconds() -> Int64 { milliseconds() / 1000 }
}
