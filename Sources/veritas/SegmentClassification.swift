import Foundation
import VeritasAudit
import VeritasProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `veritas analyze --segments FILE`: the wording model on text segments, one JSON line in, one
/// JSON line out, in the same order, each written as soon as it is ready.
///
/// In: `{"id": "a1", "text": "Hurry! Only 2 left in stock"}`; `id` is a string or a number (or
/// missing/null) and is echoed back as given; other fields are ignored.
///
/// Out, keys in this order:
/// `{"id":"a1","dark_pattern":true,"category":"scarcity","type":"low_stock","confidence":0.97,"probability":0.97}`.
/// `probability` is the calibrated probability that the text is a dark pattern; `confidence` that
/// of the stated verdict (`probability` when dark, else `1 - probability`); `category` and `type`
/// are `null` when the text is not a dark pattern.
///
/// A line that is not such an object (not JSON, no `text` string, an `id` of another kind, an
/// empty line) is answered `{"id":<its id or null>,"error":"..."}` and the next line is read.
enum SegmentClassification {
    /// Answers every line of `path` (`-`: standard input) on standard output; returns how many
    /// lines were errors. Throws ``CommandFailure`` when the input cannot be opened or read.
    static func run(path: String, model: WordingModel = .bundled) throws -> Int {
        let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(STDIN_FILENO, "r") : fopen(path, "r")
        guard let file else {
            throw CommandFailure(.analysisFailed, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { if path != "-" { fclose(file) } }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        var errors = 0
        while true {
            let length = getline(&buffer, &capacity, file)
            guard length >= 0, let buffer else { break }
            var count = length
            while count > 0, buffer[count - 1] == 0x0A || buffer[count - 1] == 0x0D { count -= 1 }
            let (answer, ok) = self.answer(Data(bytes: buffer, count: count), model: model)
            if !ok { errors += 1 }
            FileHandle.standardOutput.write(Data((answer + "\n").utf8))
        }
        if ferror(file) != 0 {
            throw CommandFailure(.analysisFailed, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return errors
    }

    /// The answer line (without its newline) to one input line, and whether it was classified.
    static func answer(_ line: Data, model: WordingModel) -> (line: String, ok: Bool) {
        guard line.contains(where: { !($0 == 0x20 || $0 == 0x09) }) else { return (failure(id: .null, "empty line"), false) }
        let value: JSONValue
        do {
            value = try JSONValue.decode(line)
        } catch {
            return (failure(id: .null, "not JSON: \(error.message)"), false)
        }
        guard case .object = value else { return (failure(id: .null, "not a JSON object"), false) }
        let id = value["id"] ?? .null
        switch id {
        case .null, .string, .number: break
        default: return (failure(id: .null, "\"id\" must be a string or a number"), false)
        }
        guard let text = value["text"]?.stringValue else { return (failure(id: id, "no \"text\" string"), false) }
        let prediction = model.predict(text)
        return (object([
            ("id", id),
            ("dark_pattern", .bool(prediction.isDarkPattern)),
            ("category", prediction.type.map { .string($0.category.rawValue) } ?? .null),
            ("type", prediction.type.map { .string($0.rawValue) } ?? .null),
            ("confidence", .number(prediction.confidence)),
            ("probability", .number(prediction.probability)),
        ]), true)
    }

    private static func failure(id: JSONValue, _ message: String) -> String {
        object([("id", id), ("error", .string(message))])
    }

    /// A JSON object with its keys in the order given (``JSONValue/encoded()`` sorts them).
    private static func object(_ fields: [(String, JSONValue)]) -> String {
        "{" + fields.map { key, value in
            String(decoding: JSONValue.string(key).encoded(), as: UTF8.self) + ":" + String(decoding: value.encoded(), as: UTF8.self)
        }.joined(separator: ",") + "}"
    }
}
