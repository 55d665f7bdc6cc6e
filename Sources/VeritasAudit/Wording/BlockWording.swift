import Foundation

/// What the ``WordingModel`` says about one block of a page: the block's own text when it is short
/// enough to be a message, else its sentence that reads most like a dark pattern.
struct BlockWording: Sendable {
    /// The text that was classified (the block, or one of its sentences).
    var text: String
    var prediction: WordingModel.Prediction

    /// Blocks up to this long are classified whole; longer ones sentence by sentence (a dark
    /// pattern is a line, a badge or a button, rarely a paragraph).
    static let wholeBlockLength = 300
    /// Blocks longer than this are articles; they are not classified.
    static let maxBlockLength = 4_000

    /// The wording of every block of a page, by block position (`nil`: not classified, as quoted
    /// text, text without letters and very long blocks are not).
    ///
    /// A block that shares its line with others (a toast whose name, product link and time are
    /// three elements: "GRACE from ORLANDO bought", "Camouflage Jumpsuit", "31 minutes ago") is
    /// also read as the whole line, and the likelier reading is kept.
    static func classify(_ blocks: [TextBlock], model: WordingModel) -> [BlockWording?] {
        var lines: [Int: String] = [:]
        for block in blocks where !block.isQuotation {
            lines[block.first.blockIndex, default: ""] += (lines[block.first.blockIndex] == nil ? "" : " ") + block.text
        }
        // A line is classified once, however many of its blocks ask.
        var lineReadings: [Int: BlockWording] = [:]
        return blocks.map { block in
            let text = block.unquotedText
            guard !block.isQuotation, text.count <= maxBlockLength, text.contains(where: \.isLetter) else { return nil }
            if text.count <= wholeBlockLength {
                let own = BlockWording(text: block.text, prediction: model.predict(text))
                guard let line = lines[block.first.blockIndex], line != block.text, line.count <= wholeBlockLength else { return own }
                let whole = lineReadings[block.first.blockIndex] ?? BlockWording(text: line, prediction: model.predict(line))
                lineReadings[block.first.blockIndex] = whole
                return whole.prediction.probability > own.prediction.probability ? whole : own
            }
            return text.sentences.lazy.filter { $0.count <= wholeBlockLength && $0.contains(where: \.isLetter) }
                .map { BlockWording(text: $0, prediction: model.predict($0)) }
                .max { $0.prediction.probability < $1.prediction.probability }
        }
    }
}
