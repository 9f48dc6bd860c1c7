import CShims
import Glibc

/// What one non-blocking read or write on an outbound connection did.
enum StreamIO: Equatable {
    case bytes(Int)
    /// Try again once the socket is readable (TLS may want this for a write too).
    case wantRead
    /// Try again once the socket is writable (TLS may want this for a read too).
    case wantWrite
    /// The peer closed its side.
    case closed
    case failed(String)
}

/// A connected socket as plain bytes or through TLS.
protocol ByteStream: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamIO
    func write(_ bytes: UnsafeRawBufferPointer) -> StreamIO
}

/// Plain TCP on a non-blocking socket it does not own.
final class PlainStream: ByteStream {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamIO {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            switch shim_errno() {
            case EINTR: continue
            case EAGAIN: return .wantRead
            case let error: return .failed(String(cString: strerror(error)))
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StreamIO {
        while true {
            let count = Glibc.write(fd, bytes.baseAddress, bytes.count)
            if count >= 0 { return .bytes(count) }
            switch shim_errno() {
            case EINTR: continue
            case EAGAIN: return .wantWrite
            case let error: return .failed(String(cString: strerror(error)))
            }
        }
    }
}
