/// Database failures as the errors clients see: a database that stayed locked is a 503 worth
/// retrying; anything else is a 500 that reveals nothing (the host logged the details).
extension HTTPError {
    public static func database(_ failure: DatabaseFailure) -> HTTPError {
        switch failure.kind {
        case .busy:
            HTTPError(status: 503, type: "service_unavailable", message: "The database is busy; retry shortly.")
        default:
            HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }

    /// Runs `body`, passing `HTTPError`s through and turning every other error into one:
    /// `DatabaseFailure.conflict` into `conflict` when given, other database failures by
    /// `database(_:)`, anything else into a 500.
    public static func mapping<T>(conflict: HTTPError? = nil, _ body: () throws -> T) throws(HTTPError) -> T {
        do {
            return try body()
        } catch let error as HTTPError {
            throw error
        } catch let failure as DatabaseFailure {
            if failure.kind == .conflict, let conflict { throw conflict }
            throw database(failure)
        } catch {
            throw HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request.")
        }
    }
}
