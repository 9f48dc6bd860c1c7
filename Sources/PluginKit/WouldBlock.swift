/// Thrown by a handler registered `.inlineUnlessBlocking` when it runs on the network thread
/// (`!request.mayBlock`) and must block this time: the host runs it again on a worker. Throw it
/// before changing anything (the response, the database).
public struct WouldBlock: Error {
    public init() {}
}
