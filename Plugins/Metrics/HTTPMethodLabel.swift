/// The `method` label: the standard methods as they are, anything else "other", so a client
/// inventing methods cannot multiply the series.
enum HTTPMethodLabel {
    static let names = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]

    /// Index into `names`, from the request's method bytes (no String is built): the bytes
    /// packed into one integer, then one switch.
    static func index(_ method: UnsafeRawBufferPointer) -> UInt8 {
        guard method.count <= 7 else { return 7 }
        var word: UInt64 = 0
        for byte in method.reversed() { word = word << 8 | UInt64(byte) }
        switch word {
        case 0x54_45_47: return 0                   // "GET", first byte lowest
        case 0x44_41_45_48: return 1                // "HEAD"
        case 0x54_53_4F_50: return 2                // "POST"
        case 0x54_55_50: return 3                   // "PUT"
        case 0x48_43_54_41_50: return 4             // "PATCH"
        case 0x45_54_45_4C_45_44: return 5          // "DELETE"
        case 0x53_4E_4F_49_54_50_4F: return 6       // "OPTIONS"
        default: return 7
        }
    }
}
