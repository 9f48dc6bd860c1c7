import Foundation
import PluginKit

/// `/api/v1/providers`: the caller's model providers. Creating one, or changing its config,
/// lists its models first (a deferred response: no worker waits on the provider).
struct ProviderRoutes: Sendable {
    let store: ProviderStore
    let keys: ProviderKeys
    let catalog: ModelCatalog

    static let permission = "manage_model_providers"
    static let notFound = HTTPError.notFound("No model provider with this id.")

    private static let validated = "The server lists the provider's models (GET {base_url}/models) before answering: "
        + "status ok with available_models, or status error with last_error."

    func register(_ host: PluginHost) throws {
        let provider = Reply.json(Provider.self, "The provider")
        try host.route(.post, "/api/v1/providers", permission: Self.permission, summary: "Add a model provider",
                       description: Self.validated + " The first provider of a kind becomes the default of that kind "
                           + "unless set_as_default is false; set_as_default true makes it the only default. At most "
                           + "\(ProviderStore.maxPerOwner) per user (409).",
                       body: ProviderCreate.self, responds: [201: .json(Provider.self, "The new provider")],
                       errors: [409: "You have the most providers a user may have"]) { try create($0, $1) }
        try host.route(.get, "/api/v1/providers", summary: "List the caller's model providers",
                       description: "is_active filters on enabled.", query: ProviderListQuery.self,
                       responds: [200: .page(of: Provider.self, "One page of providers")]) { try list($0, $1) }
        try host.route(.get, "/api/v1/providers/{id}", summary: "Get a model provider", responds: [200: provider]) {
            try get($0)
        }
        try host.route(.patch, "/api/v1/providers/{id}", permission: Self.permission, summary: "Update a model provider",
                       description: "A config is merged into the stored one (a missing api_key keeps the stored key) "
                           + "and validated again: " + Self.validated + " set_as_default true makes it the only default "
                           + "of its kind; false leaves the kind without a default until another is set.",
                       body: ProviderInput.self, responds: [200: provider],
                       errors: [409: "The stored key cannot be opened; send config.api_key again"]) { try update($0, $1) }
        try host.route(.delete, "/api/v1/providers/{id}", permission: Self.permission, summary: "Delete a model provider",
                       description: "Deleting the default of a kind makes the oldest remaining provider of that kind the default.",
                       responds: [204: .empty("Deleted")]) { try delete($0) }
    }

    private func create(_ request: Request, _ create: ProviderCreate) throws -> Response {
        let owner = try request.callerID()
        let (kind, input) = (create.kind, create.input)
        guard let config = input.config, let apiKey = config.apiKey else {
            throw HTTPError.validation("config.api_key", "is required")
        }
        try checkRoom(owner: owner, in: store.database)
        let now = Timestamp.rfc3339(Date())
        let draft = Provider(
            id: ResourceID.make("prov"), ownerID: owner, kind: kind, name: input.name ?? kind.rawValue,
            baseURL: (config.baseURL ?? nil) ?? kind.defaultBaseURL, orgID: config.organization ?? nil, enabled: true,
            isDefault: false, validation: .init(status: "error", lastError: nil, availableModels: [], lastValidated: nil),
            createdAt: now, updatedAt: now)
        let sealed = try sealed(apiKey, id: draft.id)
        let response = try request.deferResponse()
        catalog.list(.init(kind: kind, baseURL: draft.baseURL, apiKey: apiKey, orgID: draft.orgID)) { validation in
            var provider = draft
            provider.validation = validation
            Self.finish(response) {
                try HTTPError.mapping {
                    try store.database.transaction { transaction in
                        try checkRoom(owner: owner, in: transaction)
                        let first = try !store.hasProvider(kind: kind, ownerID: owner, in: transaction)
                        provider.isDefault = input.setAsDefault ?? first
                        if provider.isDefault {
                            try store.clearDefaults(kind: kind, ownerID: owner, except: provider.id, in: transaction)
                        }
                        try store.insert(provider, sealedKey: sealed, in: transaction)
                    }
                }
                return .jsonValue(provider.json, status: 201)
            }
        }
        return .deferred
    }

    private func list(_ request: Request, _ query: ProviderListQuery) throws -> Response {
        let owner = try request.callerID()
        let (providers, total) = try HTTPError.mapping { try store.list(ownerID: owner, page: query.page) }
        return .jsonValue(query.page.envelope(providers.map(\.json), total: total))
    }

    private func get(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.providerID()
        guard let provider = try HTTPError.mapping({ try store.find(id: id, ownerID: owner, in: store.database) }) else {
            throw Self.notFound
        }
        return .jsonValue(provider.json)
    }

    private func update(_ request: Request, _ input: ProviderInput) throws -> Response {
        let owner = try request.callerID()
        let id = try request.providerID()
        guard let existing = try HTTPError.mapping({ try store.find(id: id, ownerID: owner, in: store.database) }) else {
            throw Self.notFound
        }
        guard let config = input.config else {
            return .jsonValue(try apply(input, to: id, owner: owner, validation: nil, sealedKey: nil).json)
        }
        let apiKey: String
        if let given = config.apiKey {
            apiKey = given
        } else {
            do {
                apiKey = try keys.key(of: id)
            } catch {
                throw HTTPError(status: 409, type: "conflict",
                                message: "The stored key of this provider cannot be opened; send config.api_key again.")
            }
        }
        let sealedKey = try config.apiKey.map { (key) throws(HTTPError) in try sealed(key, id: id) }
        let target = ModelCatalog.Target(
            kind: existing.kind, baseURL: config.baseURL.map { $0 ?? existing.kind.defaultBaseURL } ?? existing.baseURL,
            apiKey: apiKey, orgID: config.organization ?? existing.orgID)
        let response = try request.deferResponse()
        catalog.list(target) { validation in
            Self.finish(response) {
                .jsonValue(try apply(input, to: id, owner: owner, validation: (target, validation), sealedKey: sealedKey).json)
            }
        }
        return .deferred
    }

    /// Writes a PATCH in one transaction, re-reading the row (it may have changed or gone while
    /// the provider was being listed).
    private func apply(_ input: ProviderInput, to id: String, owner: String,
                       validation: (target: ModelCatalog.Target, result: Provider.Validation)?,
                       sealedKey: String?) throws(HTTPError) -> Provider {
        try HTTPError.mapping {
            try store.database.transaction { transaction -> Provider in
                guard var provider = try store.find(id: id, ownerID: owner, in: transaction) else { throw Self.notFound }
                if let name = input.name { provider.name = name }
                if let enabled = input.enabled { provider.enabled = enabled }
                if let validation {
                    provider.baseURL = validation.target.baseURL
                    provider.orgID = validation.target.orgID
                    provider.validation = validation.result
                }
                if let makeDefault = input.setAsDefault {
                    provider.isDefault = makeDefault
                    if makeDefault {
                        try store.clearDefaults(kind: provider.kind, ownerID: owner, except: id, in: transaction)
                    }
                }
                provider.updatedAt = Timestamp.rfc3339(Date())
                guard try store.update(provider, in: transaction) else { throw Self.notFound }
                if let sealedKey { try store.setSealedKey(sealedKey, id: id, in: transaction) }
                return provider
            }
        }
    }

    private func delete(_ request: Request) throws -> Response {
        let owner = try request.callerID()
        let id = try request.providerID()
        try HTTPError.mapping {
            try store.database.transaction { transaction in
                guard let deleted = try store.delete(id: id, ownerID: owner, in: transaction) else { throw Self.notFound }
                if deleted.isDefault { try store.promoteOldest(kind: deleted.kind, ownerID: owner, in: transaction) }
            }
        }
        return .noContent
    }

    private func checkRoom(owner: String, in executor: any SQLExecutor) throws(HTTPError) {
        let count = try HTTPError.mapping { try store.count(ownerID: owner, in: executor) }
        guard count < ProviderStore.maxPerOwner else {
            throw .conflict("You already have \(ProviderStore.maxPerOwner) model providers; delete one first.")
        }
    }

    private func sealed(_ apiKey: String, id: String) throws(HTTPError) -> String {
        do {
            return try keys.seal(apiKey, id: id)
        } catch {
            throw HTTPError(status: 500, type: "internal_error", message: "The key could not be stored.")
        }
    }

    /// Finishes a deferred response with what `body` returns or throws.
    private static func finish(_ response: DeferredResponse, _ body: () throws -> Response) {
        do {
            response.finish(try body())
        } catch let error as HTTPError {
            response.finish(error)
        } catch {
            response.finish(HTTPError(status: 500, type: "internal_error", message: "The server failed to handle this request."))
        }
    }
}

extension Request {
    /// The `{id}` of a provider route.
    func providerID() throws(HTTPError) -> String {
        try resourceID(prefix: "prov", missing: "No model provider with this id.")
    }
}

/// The query of `GET /providers`: a page (`is_active` filters on enabled).
struct ProviderListQuery: JSONObject {
    var page = PageRequest(sortBy: "created_at")
    static let fields: [JSONField<Self>] = PageRequest.fields(\.page, sortFields: ProviderStore.sortFields)
}
