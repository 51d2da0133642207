/// Reading a `JSONValue` without a `switch` at every step: each accessor gives nil (or empty) when the value is of
/// another kind, so paths chain: `reply["error"]?["field"]?.string`.
extension JSONValue {
    /// The member `key` of an object; nil for anything else or an absent key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array; nil for anything else or an index out of range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let values) = self, values.indices.contains(index) { return values[index] }
        return nil
    }

    /// The value of a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of an integer.
    public var int: Int? {
        if case .integer(let value) = self { return Int(value) }
        return nil
    }

    /// The value of a boolean.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array; empty for anything else.
    public var array: [JSONValue] {
        if case .array(let values) = self { return values }
        return []
    }

    /// The member names of an object; empty for anything else.
    public var keys: Set<String> {
        if case .object(let members) = self { return Set(members.keys) }
        return []
    }
}
