import Crypto
import Foundation
import Testing
@testable import VeritasAudit
import VeritasHTML
import VeritasProtocol

/// The wording model: its features, its training, its file, the bundled model, and how the
/// detectors combine it with the page's structure.
@Suite("wording model: features, training, file, bundled model, use on pages")
struct WordingModelTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("features: lower-cased, digits folded to 0, typographic apostrophes plain; names hash as extracted")
    func features() {
        #expect(WordingFeatures.normalized("Only 12 LEFT – don’t wait") == "only 00 left – don't wait")
        let named = WordingFeatures.named("Only 3 left")
        #expect(named.values.contains("w:only 0"))
        #expect(named.values.contains("w:0 left"))
        #expect(named.values.contains("c: on"))
        for (hash, name) in named { #expect(WordingFeatures.hash(ofName: name) == hash, "\(name)") }
        #expect(WordingFeatures.hashes(of: "Only 3 left") == WordingFeatures.hashes(of: "ONLY 7 LEFT"))
        #expect(WordingFeatures.hashes(of: "").isEmpty)
    }

    @Test("grouped folds never split a page, and balance the folds")
    func groupedFolds() {
        let groups = (0..<200).map { "page\($0 % 37)" }
        let folds = GroupedFolds.assign(groups: groups, folds: 5)
        var foldOfGroup: [String: Int] = [:]
        for (group, fold) in zip(groups, folds) {
            #expect(foldOfGroup[group, default: fold] == fold, "group \(group) split across folds")
            foldOfGroup[group] = fold
        }
        let sizes = (0..<5).map { fold in folds.filter { $0 == fold }.count }
        #expect(sizes.max()! - sizes.min()! <= 6, "\(sizes)")
    }

    static let toyExamples: [WordingExample] = {
        let dark = ["Only 2 left in stock", "Only 5 left, order soon", "Hurry, only 3 left", "Just 4 left in stock",
                    "12 people are viewing this", "8 people are viewing this now", "Anna from Leeds just bought this",
                    "Tom from Bath just bought this"]
        let ordinary = ["Contact us", "Free returns within 30 days", "Our story", "Size guide", "Privacy policy",
                        "Sign in to your account", "Delivery information", "Gift cards"]
        return dark.enumerated().map { WordingExample(text: $1, type: $0 < 4 ? .lowStock : .activityNotification, group: "d\($0 % 4)") }
            + ordinary.enumerated().map { WordingExample(text: $1, type: nil, group: "o\($0 % 4)") }
    }()

    @Test("training learns the wording and its type, deterministically; the file round-trips")
    func training() throws {
        var trainer = WordingModelTrainer()
        trainer.minimumDocumentFrequency = 1
        trainer.calibrationFolds = 4
        let model = trainer.train(Self.toyExamples)
        let stock = model.predict("Only 9 left in stock")
        #expect(stock.isDarkPattern && stock.type == .lowStock, "\(stock)")
        let viewing = model.predict("30 people are viewing this")
        #expect(viewing.isDarkPattern && viewing.type == .activityNotification, "\(viewing)")
        #expect(!model.predict("Privacy policy and contact").isDarkPattern)

        let bytes = try model.fileData()
        #expect(try trainer.train(Self.toyExamples).fileData() == bytes, "the same examples give the same file")
        let reloaded = try WordingModel(fileData: bytes)
        for text in ["Only 9 left in stock", "Contact us", "something unseen entirely"] {
            #expect(abs(reloaded.predict(text).probability - model.predict(text).probability) < 1e-3)
        }
    }

    @Test("Platt scaling maps higher scores to higher probabilities")
    func calibration() {
        let scores = [-3.0, -2, -1, -0.5, 0.5, 1, 2, 3]
        let labels = [false, false, false, true, false, true, true, true]
        let (slope, intercept) = WordingModelTrainer.plattScaling(scores: scores, labels: labels)
        #expect(slope > 0)
        #expect(WordingModel.sigmoid(slope * 3 + intercept) > 0.8)
        #expect(WordingModel.sigmoid(slope * -3 + intercept) < 0.2)
    }

    @Test("a damaged model file is a clear error, not a crash")
    func badFiles() {
        for bytes in [Data(), Data("{}".utf8), Data("[1,2]".utf8),
                      Data(#"{"format":"other","version":1}"#.utf8)] {
            #expect(throws: WordingModel.FileError.self) { try WordingModel(fileData: bytes) }
        }
    }

    @Test("the bundled model: trained on the committed data, small, and right on plain real-world wordings")
    func bundled() throws {
        let model = WordingModel.bundled
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("Models/wording/dark-pattern-texts.tsv"))
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        #expect(model.provenance.datasetSHA256 == digest, "the model was not trained on the committed data: run make model")
        let size = try FileManager.default.attributesOfItem(atPath: WordingModel.bundledURL.path)[.size] as? Int ?? 0
        #expect(size > 0 && size < 5_000_000)
        let cases: [(String, DarkPatternType?)] = [
            ("Hurry! Only 2 left in stock", .lowStock),
            ("4 people are looking at this right now.", .activityNotification),
            ("No Thanks, I'd Rather Pay Full Price", .confirmshaming),
            ("Contact us", nil), ("Privacy policy", nil), ("New arrivals", nil),
        ]
        for (text, type) in cases {
            let prediction = model.predict(text)
            #expect(prediction.type == type, "\(text): \(prediction)")
            #expect(prediction.confidence >= 0.5 && prediction.confidence <= 1)
        }
    }

    // MARK: On pages: wording and structure together

    static func types(_ body: String, later: String? = nil) throws -> Set<DarkPatternType> {
        func document(_ body: String) throws -> HTMLDocument { try HTMLDocument(parsing: "<html><body>\(body)</body></html>") }
        let page = AuditedPage(url: nil, document: try document(later ?? body), earlierDocument: try later.map { _ in try document(body) }, isRendered: true)
        return Set(DarkPatternDetector.findings(on: page).map(\.patternType))
    }

    static let shop = "<h1>Camouflage Jumpsuit</h1><p>$89.00</p><button>Add to bag</button>"

    @Test("real-world wordings the hand-written patterns miss are found on a page that sells")
    func realWorldWordings() throws {
        #expect(try Self.types(Self.shop + #"<div class="toast">GRACE from ORLANDO, United States bought Camouflage Jumpsuit 31 minutes ago</div>"#)
                == [.activityNotification])
        #expect(try Self.types(Self.shop + "<p class=badge>Less than 6 items left</p>") == [.lowStock])
    }

    @Test("the same words outside a sale, in a table or beside a date are not pressure")
    func structureDecides() throws {
        // A recipe sells nothing.
        #expect(try Self.types("<h1>Banana bread</h1><p>Only 2 left in the bowl? Add 3 cups of flour.</p>").isEmpty)
        // A stock table states facts.
        #expect(try Self.types(Self.shop + "<table><tr><td>Warehouse B</td><td>Only 3 left in stock</td></tr></table>").isEmpty)
        // A purchase limit is not scarcity.
        #expect(try Self.types(Self.shop + "<p>Limit 1 pair per customer.</p>").isEmpty)
    }

    @Test("countdowns: a timer in nested spans counts; a session timeout does not")
    func countdowns() throws {
        let timer = { (m: String, s: String) in
            Self.shop + #"<div id="deal">Offer ends in <span class="h">00</span>:<span class="m">\#(m)</span>:<span class="s">\#(s)</span></div>"#
        }
        #expect(try Self.types(timer("14", "59"), later: timer("14", "58")) == [.countdownTimer])
        let session = { (clock: String) in Self.shop + #"<p id="session">You will be signed out in <span>\#(clock)</span> due to inactivity</p>"# }
        #expect(try Self.types(session("04:59"), later: session("04:58")).isEmpty)
        // Nothing for sale: a ticking clock is not a sales countdown.
        let kitchen = { (clock: String) in #"<p id="egg">Egg timer: <span>\#(clock)</span></p>"# }
        #expect(try Self.types(kitchen("02:59"), later: kitchen("02:58")).isEmpty)
        // A clock counting to a time the page announces for everyone is a real deadline.
        let league = { (clock: String) in
            Self.shop + #"<section><p id="league">League week ends in <span>\#(clock)</span></p><p>Leagues close at 00:00 UTC every Monday for everyone.</p></section>"#
        }
        #expect(try Self.types(league("3d 13:05:12"), later: league("3d 13:05:11")).isEmpty)
        // The same clock with nothing announced is a countdown.
        let unannounced = { (clock: String) in Self.shop + #"<section><p id="league">Deal ends in <span>\#(clock)</span></p></section>"# }
        #expect(try Self.types(unannounced("3d 13:05:12"), later: unannounced("3d 13:05:11")) == [.countdownTimer])
    }

    @Test("confirmshaming: the model's reading counts when the decline names a loss, not for a neutral refusal")
    func confirmshaming() throws {
        let modal = { (decline: String) in Self.shop + #"<div role="dialog"><p>Get 10% off</p><button>Claim</button><a href="/">\#(decline)</a></div>"# }
        #expect(try Self.types(modal("I WANT TO PAY MORE LATER ;)")) == [.confirmshaming])
        #expect(try Self.types(modal("No thanks, I don't want an overdraft")).isEmpty)
        #expect(try Self.types(modal("No thanks")).isEmpty)
    }
}
