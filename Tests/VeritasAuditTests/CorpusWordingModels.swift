import Foundation
import VeritasAudit

/// Wording models for the corpus evaluation that never saw the texts a page quotes.
///
/// Most corpus pages carry real strings from the development texts, the very file the bundled
/// model is trained on: audited with it, a page's wording would be recognised from memory, and the
/// figures would say little about sites whose wording is new. So the corpus is split into
/// ``folds`` folds (by its position in `labels.json`, the same whichever part is run), and each
/// fold's pages are audited with a model trained without every source page (`page_id`) that any
/// page of the fold draws on: named in its notes, or holding one of its evidence strings.
///
/// Used with `VERITAS_CORPUS_MODEL=held-out` (`make eval` sets it): the figures to read. Without it
/// the corpus is audited with the bundled model, as the product audits sites; `make test` checks its
/// bar that way, on fitted figures (docs/AUDIT.md §8.2 gives both).
enum CorpusWordingModels {
    static let folds = 5
    static let dataset = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Models/wording/dark-pattern-texts.tsv")

    /// Whether the environment asks for the held-out models rather than the bundled one.
    static var usesHeldOutModels: Bool { ProcessInfo.processInfo.environment["VERITAS_CORPUS_MODEL"] == "held-out" }

    /// Source pages of the development texts that `page` draws on: those its notes name
    /// ("page_id 975") and those with a text that holds one of its evidence strings or that one of
    /// them holds (texts shorter than ``minimumHeldText`` letters, such as "*", are too short to
    /// be quoted).
    static func sources(of page: Corpus.Page, in examples: [WordingExample]) -> Set<String> {
        var groups = Set((page.notes ?? "").matches(of: /page_id\W{0,3}(\d+)/).map { String($0.output.1) })
        let evidence = page.expected.map { CorpusScore.fold($0.evidence) }.filter { !$0.isEmpty }
        for example in examples {
            let text = CorpusScore.fold(example.text)
            if evidence.contains(where: { text.contains($0) || (text.count >= minimumHeldText && $0.contains(text)) }) {
                groups.insert(example.group)
            }
        }
        return groups
    }

    static let minimumHeldText = 6

    /// Each page's fold of `all` (by position).
    static func fold(of page: Corpus.Page, in all: [Corpus.Page]) -> Int {
        (all.firstIndex { $0.page == page.page } ?? 0) % folds
    }

    /// A model for each of `pages` (by file name), trained without the sources of its fold of
    /// `all`, and a line saying what was left out.
    static func models(for pages: [Corpus.Page], all: [Corpus.Page]) async throws -> (byPage: [String: WordingModel], summary: String) {
        let examples = try WordingExample.load(tsv: Data(contentsOf: dataset))
        let needed = Set(pages.map { fold(of: $0, in: all) })
        var leftOut: [Int: Set<String>] = [:]
        for page in all where needed.contains(fold(of: page, in: all)) {
            leftOut[fold(of: page, in: all), default: []].formUnion(sources(of: page, in: examples))
        }
        let trained = try await withThrowingTaskGroup(of: (Int, WordingModel, Int).self) { group in
            for fold in needed {
                let excluded = leftOut[fold] ?? []
                group.addTask {
                    let training = examples.filter { !excluded.contains($0.group) }
                    return (fold, WordingModelTrainer().train(training), training.count)
                }
            }
            var models: [Int: (WordingModel, Int)] = [:]
            for try await (fold, model, count) in group { models[fold] = (model, count) }
            return models
        }
        var byPage: [String: WordingModel] = [:]
        for page in pages { byPage[page.page] = trained[fold(of: page, in: all)]?.0 }
        let groups = Set(examples.map(\.group)).count
        let summary = trained.keys.sorted().map { fold in
            "fold \(fold + 1): \(leftOut[fold]?.count ?? 0) of \(groups) source pages left out, \(trained[fold]?.1 ?? 0) of \(examples.count) texts"
        }.joined(separator: "; ")
        return (byPage, summary)
    }
}
