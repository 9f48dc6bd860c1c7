import Testing
@testable import PluginKit

/// A body declared once: its decoding, the errors naming each field, and its schema.
private struct Pet: JSONObject {
    var name = ""
    var age: Int64 = 0
    var kind = "cat"
    var nickname: String??
    var tags: [String]?
    var owner: Person?

    static let schemaName: String? = "Pet"
    static let fields: [JSONField<Self>] = [
        JSONField("name", \.name, required: true) { $0.length(1...8).printable().nonBlank() },
        JSONField("age", \.age) { $0.range(0...30) },
        JSONField("kind", \.kind) { $0.oneOf(["cat", "dog"]) },
        JSONField("nickname", \.nickname) { $0.maxLength(4) },
        JSONField("tags", \.tags) { $0.maxItems(2).items { $0.nonEmpty() } },
        JSONField("owner", \.owner),
    ]
}

private struct Person: JSONObject, Equatable {
    var email = ""
    static let allowsOtherMembers = false
    static let fields: [JSONField<Self>] = [JSONField("email", \.email, required: true)]
}

/// A body with a rule beyond its schema (as agent metadata's size, or distinct group members).
private struct Pair: JSONObject {
    var left = ""
    var right = ""
    static let fields: [JSONField<Self>] = [JSONField("left", \.left), JSONField("right", \.right)]
    func normalized(at path: String) throws(HTTPError) -> Pair {
        guard left != right else { throw .validation(JSONSchema.member("right", of: path), "must differ from left") }
        return self
    }
}

/// How a typed route decodes its body: generically, knowing only `SchemaValue`.
private func decodeGenerically<Body: SchemaValue>(_ type: Body.Type, _ json: JSONValue) throws(HTTPError) -> Body {
    try Body(json: json, at: "")
}

@Suite struct JSONObjectTests {
    @Test func genericDecodingRunsAnObjectsOwnChecks() {
        #expect(throws: HTTPError.validation("right", "must differ from left")) {
            try decodeGenerically(Pair.self, ["left": "a", "right": "a"])
        }
        #expect((try? decodeGenerically(Pair.self, ["left": "a", "right": "b"]))?.right == "b")
    }

    private func problem(_ body: JSONValue) -> (field: String, message: String)? {
        do {
            _ = try Pet(json: body)
            return nil
        } catch {
            return error.fields.first.map { ($0.field, $0.message) }
        }
    }

    @Test func decodesEveryMemberIntoItsProperty() throws {
        let pet = try Pet(json: ["name": "Tom", "age": 3, "kind": "dog", "nickname": "T", "tags": ["a"],
                                 "owner": ["email": "a@b"]])
        #expect(pet.name == "Tom" && pet.age == 3 && pet.kind == "dog")
        #expect(pet.nickname == .some("T") && pet.tags == ["a"] && pet.owner == Person(email: "a@b"))
    }

    @Test func absentKeepsTheDefaultAndNullClearsADoubleOptional() throws {
        let absent = try Pet(json: ["name": "Tom"])
        #expect(absent.kind == "cat" && absent.nickname == nil && absent.tags == nil)
        let cleared = try Pet(json: ["name": "Tom", "nickname": .null])
        #expect(cleared.nickname == .some(nil))
    }

    static let problems: [(JSONValue, String, String)] = [
        (["age": 1], "name", "is required"),
        (["name": .null], "name", "must not be null"),
        (["name": 5], "name", "must be a string"),
        (["name": ""], "name", "must not be empty"),
        (["name": "   "], "name", "must not be empty"),
        (["name": "abcdefghi"], "name", "must be 1 to 8 characters"),
        (["name": "a\u{7}b"], "name", "must not contain control characters"),
        (["name": "a", "age": 31], "age", "must be an integer from 0 to 30"),
        (["name": "a", "age": 1.5], "age", "must be an integer from 0 to 30"),
        (["name": "a", "kind": "cow"], "kind", "must be one of cat, dog"),
        (["name": "a", "nickname": "toolong"], "nickname", "must be at most 4 characters"),
        (["name": "a", "tags": .null], "tags", "must not be null"),
        (["name": "a", "tags": ["a", "b", "c"]], "tags", "must have at most 2 entries"),
        (["name": "a", "tags": ["a", ""]], "tags[1]", "must not be empty"),
        (["name": "a", "owner": [:]], "owner.email", "is required"),
        (["name": "a", "owner": ["email": "x", "phone": "1"]], "owner.phone", "is not allowed"),
        (["name": "a", "owner": "x"], "owner", "must be an object"),
        ([1], "body", "must be an object"),
    ]

    @Test(arguments: problems)
    func eachConstraintNamesTheField(body: JSONValue, field: String, message: String) {
        let found = problem(body)
        #expect(found?.field == field)
        #expect(found?.message == message)
    }

    @Test func lengthsCountUnicodeScalars() throws {
        #expect(try Pet(json: ["name": "éééééééé"]).name.unicodeScalars.count == 8)
        #expect(problem(["name": "ééééééééé"])?.message == "must be 1 to 8 characters")
        #expect(try Pet(json: ["name": "😀😀😀😀😀😀😀😀"]).name.unicodeScalars.count == 8)
        #expect(problem(["name": "a", "nickname": "😀😀😀😀😀"])?.message == "must be at most 4 characters")
    }

    @Test func scalarCountSkipsStringsTheirByteCountAlreadyPlacesWithinTheBounds() {
        #expect(JSONSchema.scalarCount("abcd", within: 1, 8) == nil)
        #expect(JSONSchema.scalarCount("", within: 1, 8) == 0)
        #expect(JSONSchema.scalarCount("😀😀😀", within: 1, 8) == 3)  // 12 bytes: over 8, so counted
        #expect(JSONSchema.scalarCount("😀", within: 2, nil) == 1)    // 4 bytes may be one scalar
    }

    @Test func queryTextBecomesTheTypeTheSchemaWants() throws {
        let query: [String: String] = ["name": "Tom", "age": "7"]
        let pet = try Pet(query: { query[$0] })
        #expect(pet.age == 7)
        #expect(throws: HTTPError.validation("age", "must be an integer from 0 to 30")) {
            try Pet(query: { ["name": "Tom", "age": "seven"][$0] })
        }
    }

    @Test func encodesEveryMemberBackLeavingOutOptionalOnesThatAreNil() throws {
        let pet = try Pet(json: ["name": "Tom", "owner": ["email": "a@b"]])
        #expect(pet.json == ["name": "Tom", "age": 0, "kind": "cat", "owner": ["email": "a@b"]])
    }

    @Test func aTaggedUnionIsCheckedByItsTag() {
        let union = JSONSchema.oneOf([
            .tagged("type", "a", [.property("x", .string)]), .tagged("type", "b", [.property("y", .integer)]),
        ])
        #expect(throws: HTTPError.validation("op.type", "must be one of a, b")) { try union.check(["type": "c"], at: "op") }
        #expect(throws: HTTPError.validation("op.y", "is required")) { try union.check(["type": "b"], at: "op") }
        #expect(throws: Never.self) { try union.check(["type": "a", "x": "1"], at: "op") }
    }
}
