import Testing
@testable import PluginKit

@Suite struct JSONValueTests {
    @Test func parsesEveryKindExactly() throws {
        let value = try #require(JSONValue(parsing: #"{"n":null,"b":true,"i":12345678901234567,"d":1.5,"s":"x","a":[1,"y"],"o":{}}"#))
        #expect(value == ["n": .null, "b": true, "i": .integer(12_345_678_901_234_567), "d": 1.5, "s": "x", "a": [1, "y"], "o": [:]])
        #expect(JSONValue(parsing: "0") == .integer(0))
        #expect(JSONValue(parsing: "false") == .bool(false))
        #expect(JSONValue(parsing: "{") == nil)
    }

    @Test func textIsCompactSortedAndRoundTrips() throws {
        let value: JSONValue = ["z": 1, "a": ["b": "/x\"y"], "m": [true, .null]]
        #expect(value.jsonText == #"{"a":{"b":"/x\"y"},"m":[true,null],"z":1}"#)
        #expect(JSONValue(parsing: value.jsonText) == value)
    }

    @Test func accessors() {
        let value: JSONValue = ["k": "v", "list": [1]]
        #expect(value["k"]?.stringValue == "v")
        #expect(value["list"]?.arrayValue == [1])
        #expect(value["missing"] == nil)
        #expect(JSONValue.string("x")["k"] == nil)
        #expect(JSONValue.null.isNull && JSONValue.integer(1).typeDescription == "a number")
    }
}

@Suite struct JSONFieldsTests {
    private func fields(_ text: String) throws -> JSONFields {
        try JSONFields(try #require(JSONValue(parsing: text)))
    }

    private func field(of body: () throws -> Void) -> String? {
        do { try body() } catch let error as HTTPError { return error.fields.first?.field } catch { return "?" }
        return nil
    }

    @Test func absentAndNullAreTold() throws {
        let object = try fields(#"{"a":null,"b":"x"}"#)
        #expect(object.has("a") && !object.hasValue("a") && !object.has("c"))
        #expect(try object.string("a") == nil && object.string("b") == "x" && object.string("c") == nil)
        #expect(field { _ = try object.requiredString("a") } == "a")
        #expect(field { _ = try object.requiredString("c") } == "c")
    }

    @Test func typeMismatchesNameTheFullPath() throws {
        let object = try fields(#"{"o":{"n":"1","list":["a",2],"i":1.5,"f":2.0}}"#)
        let inner = try object.requiredObject("o")
        #expect(inner.field("n") == "o.n")
        #expect(field { _ = try inner.integer("n") } == "o.n")
        #expect(field { _ = try inner.stringArray("list") } == "o.list[1]")
        #expect(field { _ = try inner.integer("i") } == "o.i")
        #expect(try inner.integer("f") == 2)
        #expect(field { _ = try inner.bool("n") } == "o.n")
        #expect(field { _ = try object.requiredArray("o") } == "o")
        #expect(field { _ = try JSONFields(.array([]), path: "") } == "body")
    }
}
