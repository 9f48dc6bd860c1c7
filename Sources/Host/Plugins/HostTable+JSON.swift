import PatternText
import PluginABI

/// The `json` sub-table (ABI 1.6): C plugins read the request's JSON body with the host's
/// own 415 / `json_error` / `validation_error` answers, and write JSON into the response.
extension HostTable {
    static func makeJSON() -> pattern_json_api {
        var api = pattern_json_api()
        api.struct_size = ABIStruct.size(of: pattern_json_api.self)
        api.body = { request, root in HostTable.readBody(RequestContext.from(request), root) }
        api.type = { request, node, field in
            guard case .found(let found) = HostTable.lookup(RequestContext.from(request), node, field) else {
                return PATTERN_JSON_ABSENT
            }
            return HostTable.typeCode(found.value)
        }
        api.string = { request, node, field, flags, minimum, maximum, out in
            HostTable.read(request, node, field, flags, into: out) { context, found -> Reading<pattern_str> in
                guard case .string(let text) = found.value else { return .problem("must be a string") }
                let characters = text.unicodeScalars.count
                if characters < minimum { return .problem("must be at least \(minimum) characters") }
                if maximum > 0, characters > maximum { return .problem("must be at most \(maximum) characters") }
                return .value(context.retain(Array(text.utf8)))
            }
        }
        api.integer = { request, node, field, flags, minimum, maximum, out in
            HostTable.read(request, node, field, flags, into: out) { _, found -> Reading<Int64> in
                let integer: Int64
                switch found.value {
                case .integer(let value): integer = value
                case .number(let value) where value.rounded() == value && abs(value) < 9e15: integer = Int64(value)
                default: return .problem("must be an integer")
                }
                if integer < minimum { return .problem("must be at least \(minimum)") }
                if integer > maximum { return .problem("must be at most \(maximum)") }
                return .value(integer)
            }
        }
        api.number = { request, node, field, flags, out in
            HostTable.read(request, node, field, flags, into: out) { _, found -> Reading<Double> in
                switch found.value {
                case .integer(let value): .value(Double(value))
                case .number(let value): .value(value)
                default: .problem("must be a number")
                }
            }
        }
        api.boolean = { request, node, field, flags, out in
            HostTable.read(request, node, field, flags, into: out) { _, found -> Reading<Int32> in
                guard case .bool(let flag) = found.value else { return .problem("must be a boolean") }
                return .value(flag ? 1 : 0)
            }
        }
        api.object = { request, node, field, flags, out in
            HostTable.read(request, node, field, flags, into: out) { context, found -> Reading<UInt32> in
                guard case .object = found.value else { return .problem("must be an object") }
                return .value(context.jsonBody!.add(found))
            }
        }
        api.array = { request, node, field, flags, out, count in
            HostTable.read(request, node, field, flags, into: out) { context, found -> Reading<UInt32> in
                guard case .array(let elements) = found.value else { return .problem("must be an array") }
                count?.pointee = elements.count
                return .value(context.jsonBody!.add(found))
            }
        }
        api.element = { request, array, index, out in
            guard let reader = RequestContext.from(request).jsonBody, let parent = reader.node(array),
                  case .array(let elements) = parent.value
            else { return PATTERN_INVALID }
            guard index < elements.count else { return PATTERN_NOT_FOUND }
            out?.pointee = reader.add(.init(value: elements[index], path: parent.path + "[\(index)]"))
            return PATTERN_OK
        }
        api.problem = { request, node, field, message in
            let context = RequestContext.from(request)
            guard !message.string.isEmpty else { return PATTERN_INVALID }
            switch HostTable.lookup(context, node, field, orAbsent: true) {
            case .found(let found): context.jsonBody!.record(found.path, message.string)
            case .memberOfNonObject(let path): context.jsonBody!.recordOnce(path, "must be an object")
            case .unusable(let status): return status
            case .absent: return PATTERN_INVALID  // not with orAbsent
            }
            return PATTERN_OK
        }
        api.check = { request in HostTable.answerProblems(RequestContext.from(request)) }
        api.begin_object = { request, key in HostTable.write(request, key) { $0.beginContainer(isObject: true, into: &$1) } }
        api.begin_array = { request, key in HostTable.write(request, key) { $0.beginContainer(isObject: false, into: &$1) } }
        api.end_object = { request in HostTable.end(request, isObject: true) }
        api.end_array = { request in HostTable.end(request, isObject: false) }
        api.write_string = { request, key, value in
            HostTable.write(request, key) { _, body in JSONString.append(value.string, to: &body) }
        }
        api.write_integer = { request, key, value in HostTable.write(request, key) { $1 += String(value).utf8 } }
        api.write_number = { request, key, value in
            guard value.isFinite else { return PATTERN_INVALID }
            return HostTable.write(request, key) { $1 += "\(value)".utf8 }
        }
        api.write_bool = { request, key, value in HostTable.write(request, key) { $1 += (value != 0 ? "true" : "false").utf8 } }
        api.write_null = { request, key in HostTable.write(request, key) { $1 += "null".utf8 } }
        api.write_raw = { request, key, json in
            let bytes = Array(json.bytes)
            guard PatternText.JSONText.parse(bytes, maxDepth: HostTable.maxJSONDepth) != nil else { return PATTERN_INVALID }
            return HostTable.write(request, key) { $1 += bytes }
        }
        return api
    }

    /// `[limits] max_json_depth`: for bodies, and for raw JSON a plugin writes (the parser recurses).
    private static var maxJSONDepth: Int { runtime?.config.limits.maxJSONDepth ?? 64 }

    // MARK: Reading

    private static func readBody(_ context: RequestContext, _ root: UnsafeMutablePointer<UInt32>?) -> pattern_status {
        guard let root else { return PATTERN_INVALID }
        if let reader = context.jsonBody {
            root.pointee = reader.root
            return PATTERN_OK
        }
        guard let contentType = context.header("content-type"), JSONMediaType.matches(contentType) else {
            context.respondError(415, "Send the body as application/json.", type: "unsupported_media_type")
            return PATTERN_INVALID
        }
        let maxDepth = maxJSONDepth
        let body = context.bytes(context.bodyRange)
        guard JSONNesting.depth(of: body) <= maxDepth else {
            context.respondError(400, "JSON nests deeper than \(maxDepth) levels.", type: "json_error")
            return PATTERN_INVALID
        }
        guard let value = PatternText.JSONText.parse(Array(body), maxDepth: maxDepth) else {
            context.respondError(400, "The body is not valid JSON.", type: "json_error")
            return PATTERN_INVALID
        }
        let reader = JSONBodyReader(body: value)
        context.jsonBody = reader
        root.pointee = reader.root
        return PATTERN_OK
    }

    private enum Lookup {
        case found(JSONBodyReader.Node)
        /// The member is not there (its path, for "is required").
        case absent(path: String)
        /// A member of a node that is not an object (its path).
        case memberOfNonObject(path: String)
        /// No body read, or an unknown node.
        case unusable(pattern_status)
    }

    /// Member `field` of `node`, or the node itself for an empty field. With `orAbsent`, an
    /// absent member is still "found" (as null), for problems about fields that are missing.
    private static func lookup(_ context: RequestContext, _ handle: UInt32, _ field: pattern_str,
                               orAbsent: Bool = false) -> Lookup {
        guard let reader = context.jsonBody else { return .unusable(PATTERN_STATE) }
        guard let node = reader.node(handle) else { return .unusable(PATTERN_INVALID) }
        let key = field.string
        if key.isEmpty { return .found(node) }
        guard case .object(let members) = node.value else { return .memberOfNonObject(path: node.path) }
        let path = JSONBodyReader.memberPath(node.path, key)
        if let value = members[key] { return .found(.init(value: value, path: path)) }
        return orAbsent ? .found(.init(value: .null, path: path)) : .absent(path: path)
    }

    private enum Reading<Value> {
        case value(Value)
        case problem(String)
    }

    /// The steps every typed reader shares: find the value, apply PATTERN_JSON_REQUIRED, convert
    /// it or record why not.
    private static func read<Value>(
        _ request: OpaquePointer?, _ handle: UInt32, _ field: pattern_str, _ flags: UInt32,
        into out: UnsafeMutablePointer<Value>?,
        _ convert: (RequestContext, JSONBodyReader.Node) -> Reading<Value>
    ) -> pattern_status {
        let context = RequestContext.from(request)
        let required = flags & UInt32(PATTERN_JSON_REQUIRED) != 0
        switch lookup(context, handle, field) {
        case .unusable(let status):
            return status
        case .memberOfNonObject(let path):
            context.jsonBody!.recordOnce(path, "must be an object")
            return PATTERN_INVALID
        case .absent(let path):
            guard required else { return PATTERN_NOT_FOUND }
            context.jsonBody!.record(path, "is required")
            return PATTERN_INVALID
        case .found(let found) where found.value == .null:
            guard required else { return PATTERN_NOT_FOUND }
            context.jsonBody!.record(found.path, "must not be null")
            return PATTERN_INVALID
        case .found(let found):
            switch convert(context, found) {
            case .value(let value):
                out?.pointee = value
                return PATTERN_OK
            case .problem(let message):
                context.jsonBody!.record(found.path, message)
                return PATTERN_INVALID
            }
        }
    }

    private static func typeCode(_ value: JSONValue) -> Int32 {
        switch value {
        case .null: PATTERN_JSON_NULL
        case .bool: PATTERN_JSON_BOOL
        case .integer: PATTERN_JSON_INTEGER
        case .number: PATTERN_JSON_NUMBER
        case .string: PATTERN_JSON_STRING
        case .array: PATTERN_JSON_ARRAY
        case .object: PATTERN_JSON_OBJECT
        }
    }

    /// `json->check`: every recorded problem in one `validation_error`.
    private static func answerProblems(_ context: RequestContext) -> pattern_status {
        guard let problems = context.jsonBody?.problems, let first = problems.first else { return PATTERN_OK }
        var fields: [UInt8] = [UInt8(ascii: "[")]
        for (index, problem) in problems.enumerated() {
            if index > 0 { fields.append(UInt8(ascii: ",")) }
            fields += #"{"field":"#.utf8
            JSONString.append(problem.field, to: &fields)
            fields += #","message":"#.utf8
            JSONString.append(problem.message, to: &fields)
            fields.append(UInt8(ascii: "}"))
        }
        fields.append(UInt8(ascii: "]"))
        context.respondError(400, "\(first.field): \(first.message)", type: "validation_error",
                             fieldsJSON: String(decoding: fields, as: UTF8.self))
        return PATTERN_INVALID
    }

    // MARK: Writing

    /// Places one value (after its comma and key) at the end of the response body; the first
    /// value of a response also sets its Content-Type unless the plugin added one.
    private static func write(_ request: OpaquePointer?, _ key: pattern_str,
                              _ value: (inout JSONResponseWriter, inout [UInt8]) -> Void) -> pattern_status {
        let context = RequestContext.from(request)
        let isFirst = !context.jsonWriter.hasBegun
        guard context.jsonWriter.beginValue(key: key.string, into: &context.response.body) else { return PATTERN_INVALID }
        if isFirst && !context.response.hasHeader(named: ResponseDraft.contentType) {
            context.response.addHeader("Content-Type", "application/json")
        }
        value(&context.jsonWriter, &context.response.body)
        return PATTERN_OK
    }

    private static func end(_ request: OpaquePointer?, isObject: Bool) -> pattern_status {
        let context = RequestContext.from(request)
        return context.jsonWriter.endContainer(isObject: isObject, into: &context.response.body) ? PATTERN_OK : PATTERN_STATE
    }
}
