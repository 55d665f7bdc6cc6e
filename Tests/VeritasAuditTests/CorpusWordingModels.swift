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
        sources(of: page, inFolded: folded(examples))
    }

    /// The examples' texts folded as ``CorpusScore`` compares evidence, with their source pages:
    /// once per run, not once per corpus page.
    private static func folded(_ examples: [WordingExample]) -> [(text: String, group: String)] {
        examples.map { (CorpusScore.fold($0.text), $0.group) }
    }

    private static func sources(of page: Corpus.Page, inFolded texts: [(text: String, group: String)]) -> Set<String> {
        var groups = Set(namedSources(in: page.notes ?? ""))
        let evidence = page.expected.map { CorpusScore.fold($0.evidence) }.filter { !$0.isEmpty }
        for (text, group) in texts
        where evidence.contains(where: { text.contains($0) || (text.count >= minimumHeldText && $0.contains(text)) }) {
            groups.insert(group)
        }
        return groups
    }

    /// The source pages a page's notes name: "from dev.tsv page_id 975".
    static func namedSources(in notes: String) -> [String] {
        notes.matches(of: /page_id\W{0,3}(\d+)/).map { String($0.output.1) }
    }

    static let minimumHeldText = 6

    /// The fold of the page at `index` in `labels.json`.
    static func fold(at index: Int) -> Int { index % folds }

    /// A model for each of `pages` (by file name), trained without the sources of its fold of
    /// `all`, and a line saying what was left out.
    static func models(for pages: [Corpus.Page], all: [Corpus.Page]) async throws -> (byPage: [String: WordingModel], summary: String) {
        let examples = try WordingExample.load(tsv: Data(contentsOf: dataset))
        let texts = folded(examples)
        let foldOf = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.page, fold(at: $0)) })
        let needed = Set(pages.compactMap { foldOf[$0.page] })
        var leftOut: [Int: Set<String>] = [:]
        for (index, page) in all.enumerated() where needed.contains(fold(at: index)) {
            leftOut[fold(at: index), default: []].formUnion(sources(of: page, inFolded: texts))
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
        for page in pages { byPage[page.page] = foldOf[page.page].flatMap { trained[$0]?.0 } }
        let groups = Set(examples.map(\.group)).count
        let summary = trained.keys.sorted().map { fold in
            "fold \(fold + 1): \(leftOut[fold]?.count ?? 0) of \(groups) source pages left out, \(trained[fold]?.1 ?? 0) of \(examples.count) texts"
        }.joined(separator: "; ")
        return (byPage, summary)
    }
}
