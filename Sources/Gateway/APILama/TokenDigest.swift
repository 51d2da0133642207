import Crypto

/// How secrets are kept: only their SHA-256 is stored, and digests are compared in constant time.
///
/// Tokens are 256-bit random strings (`Secret.token`), so a plain SHA-256 is enough: there is nothing to
/// brute-force that a slow password hash would protect.
enum TokenDigest {
    /// SHA-256 of the secret's UTF-8 bytes, as 64 lowercase hex digits.
    static func hex(of secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    /// Whether two digests are equal, looking at every byte whatever the first difference (no early exit).
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
