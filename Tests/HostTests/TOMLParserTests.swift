import Foundation
import Testing

@testable import Host

@Suite struct TOMLParserTests {
    func parse(_ text: String) throws -> TOMLTable {
        try TOMLParser.parse(text).root
    }

    /// The error a document produces; fails the test if it parses.
    func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
        do {
            let document = try TOMLParser.parse(text)
            Issue.record("expected an error, parsed \(document.root.json)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Comments, keys, tables

    @Test func emptyAndCommentOnlyDocuments() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("# just a comment\n\n   # another\r\n").isEmpty)
        #expect(try parse("\u{FEFF}a = 1") == ["a": 1])
    }

    @Test func bareQuotedAndDottedKeys() throws {
        let table = try parse(
            """
            bare_key-1 = 1
            1234 = 2
            "quoted key" = 3
            'literal "key"' = 4
            "" = 5
            site."google.com" = true
            a . b . c = 6   # whitespace around dots
            """)
        #expect(table["bare_key-1"] == 1)
        #expect(table["1234"] == 2)
        #expect(table["quoted key"] == 3)
        #expect(table["literal \"key\""] == 4)
        #expect(table[""] == 5)
        #expect(table["site"] == ["google.com": true])
        #expect(table["a"] == ["b": ["c": 6]])
    }

    @Test func dottedKeysExtendTheirOwnTables() throws {
        let table = try parse(
            """
            fruit.apple.color = "red"
            fruit.apple.taste.sweet = true
            fruit.orange = 2
            """)
        #expect(table == ["fruit": ["apple": ["color": "red", "taste": ["sweet": true]], "orange": 2]])
    }

    @Test func tableHeadersAndKeyOrder() throws {
        let table = try parse(
            """
            top = 0
            [server]
            port = 3000
            host = "::1"
            [ a . "b c" .d ]   # spaces inside the brackets
            e = 1
            [a]
            z = 2
            """)
        #expect(table.keys == ["top", "server", "a"])
        #expect(table["server"]?.tableValue?.keys == ["port", "host"])
        #expect(table["a"] == ["b c": ["d": ["e": 1]], "z": 2])
        #expect(table.json == #"{"top":0,"server":{"port":3000,"host":"::1"},"a":{"b c":{"d":{"e":1}},"z":2}}"#)
    }

    @Test func subTablesOfDottedTablesMayHaveHeaders() throws {
        let table = try parse(
            """
            [fruit]
            apple.color = "red"
            [fruit.apple.texture]
            smooth = true
            """)
        #expect(table == ["fruit": ["apple": ["color": "red", "texture": ["smooth": true]]]])
    }

    @Test func arraysOfTables() throws {
        let table = try parse(
            """
            [[products]]
            name = "Hammer"
            sku = 738594937

            [[products]]  # empty element

            [[products]]
            name = "Nail"
            [products.size]
            mm = 3

            [[fruits]]
            name = "apple"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"
            [[fruits]]
            name = "banana"
            [[fruits.varieties]]
            name = "plantain"
            """)
        #expect(
            table["products"] == [["name": "Hammer", "sku": 738_594_937], [:], ["name": "Nail", "size": ["mm": 3]]])
        #expect(
            table["fruits"] == [
                ["name": "apple", "varieties": [["name": "red delicious"], ["name": "granny smith"]]],
                ["name": "banana", "varieties": [["name": "plantain"]]],
            ])
    }

    // MARK: Strings

    @Test func basicStringEscapes() throws {
        let table = try parse(#"s = "tab\t nl\n quote\" backslash\\ cr\r bs\b ff\f é\u00E9 \U0001F600 end""#)
        #expect(table["s"] == .string("tab\t nl\n quote\" backslash\\ cr\r bs\u{08} ff\u{0C} é\u{E9} \u{1F600} end"))
        #expect(try parse("s = \"ünïcødé ✓\"")["s"] == "ünïcødé ✓")
    }

    @Test func literalStrings() throws {
        let table = try parse(#"path = 'C:\Users\nodejs\templates'"# + "\n" + #"regex = '<\i\c*\s*>'"#)
        #expect(table["path"] == #"C:\Users\nodejs\templates"#)
        #expect(table["regex"] == #"<\i\c*\s*>"#)
    }

    @Test func multilineBasicStrings() throws {
        let table = try parse(
            "a = \"\"\"\nRoses are red\r\nViolets are blue\"\"\"\n"
                + "b = \"\"\"\\\n    The quick brown \\\n\n\n      fox.\\\n    \"\"\"\n"
                + "c = \"\"\"Here are two quotes: \"\". Simple enough.\"\"\"\n"
                + "d = \"\"\"Here are fifteen quotation marks: \"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\".\"\"\"\n"
                + "e = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n"
                + "f = \"\"\"tab\\tand \\u00E9\"\"\"\n")
        #expect(table["a"] == "Roses are red\nViolets are blue")
        #expect(table["b"] == "The quick brown fox.")
        #expect(table["c"] == "Here are two quotes: \"\". Simple enough.")
        #expect(table["d"] == "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\".")
        #expect(table["e"] == "\"This,\" she said, \"is just a pointless statement.\"")
        #expect(table["f"] == "tab\tand é")
    }

    @Test func multilineLiteralStrings() throws {
        let table = try parse(
            "a = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved. \\n\n'''\n"
                + "b = ''''That,' she said, 'is still pointless.''''\n"
                + "c = '''Here are two apostrophes: '''''\n")
        #expect(table["a"] == "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved. \\n\n")
        #expect(table["b"] == "'That,' she said, 'is still pointless.'")
        #expect(table["c"] == "Here are two apostrophes: ''")
    }

    @Test func stringErrors() {
        #expect(error("s = \"abc\n")?.message.contains("unterminated string") == true)
        #expect(error("s = 'abc")?.message.contains("unterminated literal string") == true)
        #expect(error("a = 1\ns = \"\"\"abc\n\nx")?.message == "unterminated multi-line string (opened on line 2)")
        #expect(error(#"s = "\x""#)?.message == "invalid escape sequence \\x in a string")
        #expect(error(#"s = "\uD800""#)?.message == "\\uD800 is not a Unicode scalar value")
        #expect(error(#"s = "\u12""#)?.message == "\\u must be followed by 4 hexadecimal digits")
        #expect(error("s = \"a\u{01}b\"")?.message == "control character U+0001 must be escaped in a string")
        #expect(error("\"\"\"key\"\"\" = 1")?.message == "a multi-line string cannot be a key")
    }

    // MARK: Numbers, booleans, dates

    @Test func integers() throws {
        let table = try parse(
            """
            a = +99
            b = 42
            c = 0
            d = -17
            e = 1_000_000
            f = 5_349_221
            g = 0xDEAD_beef
            h = 0o755
            i = 0b1101_0110
            j = 9_223_372_036_854_775_807
            k = -9223372036854775808
            l = -0
            """)
        #expect(table["a"] == 99)
        #expect(table["b"] == 42)
        #expect(table["c"] == 0)
        #expect(table["d"] == -17)
        #expect(table["e"] == 1_000_000)
        #expect(table["f"] == 5_349_221)
        #expect(table["g"] == .integer(0xDEAD_BEEF))
        #expect(table["h"] == 0o755)
        #expect(table["i"] == 0b1101_0110)
        #expect(table["j"] == .integer(.max))
        #expect(table["k"] == .integer(.min))
        #expect(table["l"] == 0)
    }

    @Test(arguments: [
        ("a = 01", "invalid number '01': leading zeros are not allowed"),
        ("a = 1__0", "invalid number '1__0': an underscore must be between two digits"),
        ("a = 1_", "invalid number '1_': an underscore must be between two digits"),
        ("a = _1", "invalid value '_1' (strings must be quoted)"),
        ("a = 9223372036854775808", "integer '9223372036854775808' does not fit in 64 bits"),
        ("a = +0x10", "invalid integer '+0x10': a hexadecimal, octal or binary integer cannot have a sign"),
        ("a = 0xG", "invalid integer '0xG'"),
        ("a = 0b102", "invalid integer '0b102'"),
        ("a = 1.", "invalid value '1.'"),
        ("a = .5", "expected a value, found '.'"),
        ("a = 1e", "invalid value '1e'"),
        ("a = 1e400", "float '1e400' is out of range"),
        ("a = 1 2", "expected a newline after the value, found '2'"),
        ("a = yes", "invalid value 'yes' (strings must be quoted)"),
        ("a = truee", "invalid value 'truee' (strings must be quoted)"),
        ("a = 2023-13-01", "invalid date-time '2023-13-01'"),
        ("a = 2023-02-29", "invalid date-time '2023-02-29'"),
        ("a = 25:00:00", "invalid date-time '25:00:00'"),
        ("a =", "expected a value, found end of file"),
    ])
    func invalidValues(text: String, message: String) {
        #expect(error(text) == TOMLError(line: 1, message: message))
    }

    @Test func floats() throws {
        let table = try parse(
            """
            a = +1.0
            b = 3.1415
            c = -0.01
            d = 5e+22
            e = 1e06
            f = -2E-2
            g = 6.626e-34
            h = 224_617.445_991_228
            i = inf
            j = -inf
            k = nan
            l = +nan
            m = 0.0
            """)
        #expect(table["a"] == 1.0)
        #expect(table["b"] == 3.1415)
        #expect(table["c"] == -0.01)
        #expect(table["d"] == 5e22)
        #expect(table["e"] == 1e6)
        #expect(table["f"] == -0.02)
        #expect(table["g"] == 6.626e-34)
        #expect(table["h"] == 224_617.445_991_228)
        #expect(table["i"] == .float(.infinity))
        #expect(table["j"] == .float(-.infinity))
        #expect(table["k"]?.floatValue?.isNaN == true)
        #expect(table["l"]?.floatValue?.isNaN == true)
        #expect(table["m"] == 0.0)
    }

    @Test func booleansAndDates() throws {
        let table = try parse(
            """
            t = true
            f = false
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27T00:32:00.999999+07:00
            odt4 = 1979-05-27 07:32:00Z
            ldt = 1979-05-27T07:32:00
            ld = 2024-02-29
            lt = 00:32:00.999999
            """)
        #expect(table["t"] == true)
        #expect(table["f"] == false)
        #expect(table["odt1"] == .dateTime("1979-05-27T07:32:00Z"))
        #expect(table["odt2"] == .dateTime("1979-05-27T00:32:00-07:00"))
        #expect(table["odt3"] == .dateTime("1979-05-27T00:32:00.999999+07:00"))
        #expect(table["odt4"] == .dateTime("1979-05-27 07:32:00Z"))
        #expect(table["ldt"] == .dateTime("1979-05-27T07:32:00"))
        #expect(table["ld"] == .dateTime("2024-02-29"))
        #expect(table["lt"] == .dateTime("00:32:00.999999"))
    }

    // MARK: Arrays and inline tables

    @Test func arrays() throws {
        let table = try parse(
            """
            integers = [ 1, 2, 3 ]
            colors = [ "red", 'yellow', \"\"\"green\"\"\" ]
            nested = [ [ 1, 2 ], [3, 4, 5], [[[]]] ]
            mixed = [ 0.1, 0.2, 1, "x", { a = 1 }, [true] ]
            empty = []
            multi = [
              1,   # comment after an element
              # a comment line
              2,
            ]
            trailing = [1,2,]
            """)
        #expect(table["integers"] == [1, 2, 3])
        #expect(table["colors"] == ["red", "yellow", "green"])
        #expect(table["nested"] == [[1, 2], [3, 4, 5], [[[]]]])
        #expect(table["mixed"] == [0.1, 0.2, 1, "x", ["a": 1], [true]])
        #expect(table["empty"] == [])
        #expect(table["multi"] == [1, 2])
        #expect(table["trailing"] == [1, 2])
    }

    @Test func nestingIsBounded() throws {
        #expect(try parse("a = " + String(repeating: "[", count: 128) + String(repeating: "]", count: 128))["a"] != nil)
        #expect(error("a = " + String(repeating: "[", count: 100_000))?.message == "arrays and inline tables are nested more than 128 deep")
        #expect(error("a = " + String(repeating: "{b = ", count: 200))?.message == "arrays and inline tables are nested more than 128 deep")
    }

    @Test func arrayErrors() {
        #expect(error("a = [1 2]") == TOMLError(line: 1, message: "expected ',' or ']' in the array, found '2'"))
        #expect(error("a = [,]") == TOMLError(line: 1, message: "expected a value, found ','"))
        #expect(error("a = [\n1,\n2") == TOMLError(line: 3, message: "unterminated array (opened on line 1)"))
    }

    @Test func inlineTables() throws {
        let table = try parse(
            """
            name = { first = "Tom", last = "Preston-Werner" }
            point = {x=1,y=2}
            animal = { type.name = "pug", type.size = "small" }
            nested = { a = { b = [1, { c = 2 }] } }
            empty = {}
            """)
        #expect(table["name"] == ["first": "Tom", "last": "Preston-Werner"])
        #expect(table["name"]?.tableValue?.keys == ["first", "last"])
        #expect(table["point"] == ["x": 1, "y": 2])
        #expect(table["animal"] == ["type": ["name": "pug", "size": "small"]])
        #expect(table["nested"] == ["a": ["b": [1, ["c": 2]]]])
        #expect(table["empty"] == [:])
    }

    @Test func inlineTableErrors() {
        #expect(error("a = { b = 1, }")?.message == "trailing comma is not allowed in an inline table")
        #expect(error("a = { b = 1,\n c = 2 }")?.message == "an inline table must be on one line")
        #expect(error("a = { b = 1, b = 2 }")?.message == "key b is defined twice (first on line 1)")
        #expect(error("a = [{ b = 1, b = 2 }]")?.message == "key b is defined twice (first on line 1)")
        #expect(error("a = { b = 1 } \na.c = 2") == TOMLError(line: 2, message: "cannot add a.c: a is already an inline table, which cannot be extended (line 1)"))
        #expect(error("a = { b = 1 }\n[a.c]")?.message == "cannot define [a.c]: a is already an inline table, which cannot be extended (line 1)")
        #expect(error("a = { b = 1 }\n[a]")?.message == "cannot define table [a]: a is already an inline table, which cannot be extended (line 1)")
    }

    // MARK: Redefinition

    @Test(arguments: [
        ("a = 1\na = 2", 2, "key a is defined twice (first on line 1)"),
        ("a = 1\n\"a\" = 2", 2, "key a is defined twice (first on line 1)"),
        ("[t]\nx = 1\n[t]\ny = 2", 3, "table [t] is defined twice (first on line 1)"),
        ("[t.u]\n[t]\n[t]", 3, "table [t] is defined twice (first on line 2)"),
        ("a.b = 1\n[a]", 2, "table [a] was already defined by dotted keys on line 1"),
        ("[fruit]\napple.color = 'red'\n[fruit.apple]", 3, "table [fruit.apple] was already defined by dotted keys on line 2"),
        ("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, "cannot add b.c.t with a dotted key: table [a.b.c] is already defined on line 1"),
        ("a = 1\n[a]", 2, "cannot define table [a]: a is already an integer (line 1)"),
        ("a = 1\na.b = 2", 2, "cannot add a.b: a is already an integer (line 1)"),
        ("a = [1]\n[[a]]", 2, "cannot define array of tables [[a]]: a is already an array (line 1)"),
        ("[[a]]\n[a]", 2, "cannot define table [a]: it is already an array of tables ([[a]])"),
        ("[a]\n[[a]]", 2, "cannot define array of tables [[a]]: a is already a table (line 1)"),
        ("[[a]]\nb = 1\nb = 2", 3, "key b is defined twice (first on line 2)"),
        ("[a]\nb = 1\n[a.b]", 3, "cannot define table [a.b]: a.b is already an integer (line 2)"),
    ])
    func redefinitionIsAnError(text: String, line: Int, message: String) {
        #expect(error(text) == TOMLError(line: line, message: message))
    }

    @Test func syntaxErrorsCarryTheirLine() {
        #expect(error("a = 1\n\n[t\nb = 2") == TOMLError(line: 3, message: "expected ']' to close the table header, found end of line"))
        #expect(error("a = 1\n= 2") == TOMLError(line: 2, message: "expected a key, found '='"))
        #expect(error("a = 1\nb 2") == TOMLError(line: 2, message: "expected '=' after the key b, found '2'"))
        #expect(error("[[a]\n") == TOMLError(line: 1, message: "expected ']]' to close the array of tables header, found ']'"))
        #expect(error("[a] b = 1") == TOMLError(line: 1, message: "expected a newline after the table header, found 'b'"))
        #expect(error("a = 1 # ok\r\nb = 2 \r c") == TOMLError(line: 2, message: "carriage return must be followed by a newline"))
        #expect(error("# bad \u{7F} comment") == TOMLError(line: 1, message: "control character U+007F is not allowed in a comment"))
        #expect(error("a = \"\"\"\none\ntwo\"\"\"\nb = ?") == TOMLError(line: 4, message: "expected a value, found '?'"))
        #expect(error("a = 1\nb = 2\nc = é") == TOMLError(line: 3, message: "expected a value, found 'é'"))
    }

    // MARK: Lines

    @Test func keyLines() throws {
        let document = try TOMLParser.parse(
            """
            # header comment
            title = "x"

            [server]
            port = 3000
            tls.cert = "a"
            "odd key" = 1
            point = { x = 1, y = { z = 2 } }
            list = [{ hidden = 1 }]

            [[hooks]]
            name = "a"
            [[hooks]]
            name = '''
            multi'''
            after = 1
            """)
        #expect(document.line(of: "title") == 2)
        #expect(document.line(of: "server") == 4)
        #expect(document.line(of: "server.port") == 5)
        #expect(document.line(of: "server.tls") == 6)
        #expect(document.line(of: "server.tls.cert") == 6)
        #expect(document.line(of: #"server."odd key""#) == 7)
        #expect(document.line(of: TOMLDocument.keyPath(["server", "odd key"])) == 7)
        #expect(document.line(of: "server.point.x") == 8)
        #expect(document.line(of: "server.point.y.z") == 8)
        #expect(document.line(of: "server.list") == 9)
        #expect(document.line(of: "hidden") == nil)
        #expect(document.line(of: "hooks") == 11)
        #expect(document.line(of: "hooks[0].name") == 12)
        #expect(document.line(of: "hooks[1]") == 13)
        #expect(document.line(of: "hooks[1].name") == 14)
        #expect(document.line(of: "hooks[1].after") == 16)
        #expect(document.line(of: "missing") == nil)
    }

    // MARK: JSON

    @Test func jsonRendering() throws {
        let table = try parse(
            #"""
            s = "quote \" backslash \\ newline \n tab \t bell \u0007 del \u007F é 😀"
            i = -42
            f = 1.5
            big = 1e300
            inf = inf
            nan = nan
            b = false
            d = 1979-05-27T07:32:00Z
            a = [1, "two", [3.0], {}]
            t = { k = "v", "needs \"quote\"" = [] }
            """#)
        #expect(
            table.json
                == #"{"s":"quote \" backslash \\ newline \n tab \t bell \u0007 del "# + "\u{7F}" // RFC 8259 leaves DEL as it is
                + #" é 😀","i":-42,"f":1.5,"big":1e+300,"#
                + #""inf":null,"nan":null,"b":false,"d":"1979-05-27T07:32:00Z","a":[1,"two",[3.0],{}],"#
                + #""t":{"k":"v","needs \"quote\"":[]}}"#)
        let decoded = try JSONSerialization.jsonObject(with: Data(table.json.utf8)) as? [String: Any]
        #expect(decoded?["s"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} del \u{7F} é 😀")
        #expect(decoded?["inf"] is NSNull)
        #expect(TOMLValue.string("\u{08}\u{0C}\r\u{1F}").json == #""\u0008\u000c\r\u001f""#)
    }

    @Test func tableEditingKeepsOrder() {
        var table: TOMLTable = ["b": 1, "a": 2]
        table["c"] = 3
        table["b"] = 4
        #expect(table.keys == ["b", "a", "c"])
        table["a"] = nil
        #expect(table.keys == ["b", "c"])
        #expect(table == ["c": 3, "b": 4])
        #expect(table.value(at: ["b"]) == 4)
        #expect((["x": ["y": ["z": 1]]] as TOMLTable).value(at: ["x", "y", "z"]) == 1)
    }
}
