import Foundation

/// The features the wording model reads from a text: word unigrams and bigrams, and character
/// 2- to 5-grams inside each word (padded with a space on both sides, so word starts and ends are
/// features of their own), over a normalised text: lower-cased, every decimal digit written `0`
/// ("Only 3 left" and "Only 7 left" are one feature), typographic apostrophes made plain.
///
/// Features are identified by a 64-bit FNV-1a hash of their text, so extracting them allocates no
/// string per n-gram (an audit classifies every block of a page). The model file keeps the feature
/// texts for people to read; the hashes are computed from them when it loads.
public enum WordingFeatures {
    /// Word n-gram lengths.
    static let wordGrams = 1...2
    /// Character n-gram lengths, within padded words.
    static let characterGrams = 2...5
    /// Texts are cut to this many characters before extraction: a wording is a message, and a
    /// long block is classified sentence by sentence by the detectors anyway.
    public static let maxTextLength = 1_000

    /// The normalised text: what the model actually reads.
    public static func normalized(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(maxTextLength) {
            if scalar.properties.numericType == .decimal {
                result.append("0")
            } else if scalar == "\u{2019}" || scalar == "\u{2018}" {
                result.append("'")
            } else if scalar.properties.isWhitespace {
                result.append(" ")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// The distinct feature hashes of `text` (binary features: presence, not counts).
    public static func hashes(of text: String) -> Set<UInt64> {
        var result: Set<UInt64> = []
        visit(normalized(text)) { hash, _ in result.insert(hash) }
        return result
    }

    /// The distinct features of `text` with their readable names (for training and explanations).
    public static func named(_ text: String) -> [UInt64: String] {
        var result: [UInt64: String] = [:]
        visit(normalized(text)) { hash, name in
            if result[hash] == nil { result[hash] = name() }
        }
        return result
    }

    /// The hash of a feature name as written by ``named(_:)`` (`w:only 0` or `c: onl`).
    public static func hash(ofName name: String) -> UInt64 {
        var hash = FNV1a()
        for scalar in name.unicodeScalars { hash.add(scalar) }
        return hash.value
    }

    /// Calls `body` for every feature of an already normalised text, with its hash and a closure
    /// that builds its name only when asked.
    private static func visit(_ text: String, _ body: (UInt64, () -> String) -> Void) {
        let words = words(in: text)
        // Word n-grams: "w:" then the words joined by single spaces.
        for n in wordGrams where words.count >= n {
            for start in 0...(words.count - n) {
                var hash = FNV1a()
                hash.add("w"); hash.add(":")
                for (offset, word) in words[start..<(start + n)].enumerated() {
                    if offset > 0 { hash.add(" ") }
                    for scalar in word { hash.add(scalar) }
                }
                body(hash.value) {
                    "w:" + words[start..<(start + n)].map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
                }
            }
        }
        // Character n-grams within each whitespace-separated token, padded with spaces: "c:" then
        // the n-gram. A padded token shorter than n gives itself once, as scikit-learn's
        // `char_wb` analyser does (the model was designed against its published baselines).
        for token in text.split(separator: " ", omittingEmptySubsequences: true) {
            let padded: [Unicode.Scalar] = [" "] + Array(token.unicodeScalars) + [" "]
            for n in characterGrams {
                if padded.count < n {
                    if n == characterGrams.lowerBound { emit(padded[...], body) }
                    continue
                }
                for start in 0...(padded.count - n) { emit(padded[start..<(start + n)], body) }
            }
        }
    }

    private static func emit(_ gram: ArraySlice<Unicode.Scalar>, _ body: (UInt64, () -> String) -> Void) {
        var hash = FNV1a()
        hash.add("c"); hash.add(":")
        for scalar in gram { hash.add(scalar) }
        body(hash.value) { "c:" + String(String.UnicodeScalarView(gram)) }
    }

    /// Runs of letters, digits and underscores (what `\w+` matches), as scalar arrays.
    private static func words(in text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil || scalar == "_" || properties.generalCategory == .nonspacingMark {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// 64-bit FNV-1a over Unicode scalar values (each scalar's UTF-32 value, 4 bytes little-endian):
/// stable across runs and platforms, unlike `Hasher`, which is seeded per process.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ scalar: Unicode.Scalar) {
        var code = scalar.value
        for _ in 0..<4 {
            value ^= UInt64(code & 0xff)
            value &*= 0x0000_0100_0000_01b3
            code >>= 8
        }
    }
}
