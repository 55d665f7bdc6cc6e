import Foundation
import VeritasProtocol

/// Grouped k-fold cross-validation of the ``WordingModelTrainer``, and the figures `make eval`
/// prints: every text is scored by a model that never saw its page.
public struct WordingEvaluation: Sendable {
    /// One text's out-of-fold prediction.
    public struct Outcome: Sendable {
        public var example: WordingExample
        public var prediction: WordingModel.Prediction
    }

    public let results: [Outcome]
    public let folds: Int

    /// Trains `folds` models, each on all pages but one fold's (whole vocabulary, calibration and
    /// type model rebuilt from the training part only), and predicts the held-out fold.
    public init(examples: [WordingExample], folds: Int = 5, trainer: WordingModelTrainer = WordingModelTrainer()) {
        let assignment = GroupedFolds.assign(groups: examples.map(\.group), folds: folds)
        var predictions = [WordingModel.Prediction?](repeating: nil, count: examples.count)
        for fold in 0..<folds {
            let training = examples.indices.filter { assignment[$0] != fold }.map { examples[$0] }
            let model = trainer.train(training)
            for index in examples.indices where assignment[index] == fold {
                predictions[index] = model.predict(examples[index].text)
            }
        }
        results = zip(examples, predictions).map { Outcome(example: $0, prediction: $1!) }
        self.folds = folds
    }

    // MARK: Figures

    public var truePositives: Int { results.filter { $0.example.isDarkPattern && $0.prediction.isDarkPattern }.count }
    public var falsePositives: Int { results.filter { !$0.example.isDarkPattern && $0.prediction.isDarkPattern }.count }
    public var falseNegatives: Int { results.filter { $0.example.isDarkPattern && !$0.prediction.isDarkPattern }.count }

    public var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { Self.ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    /// Share of the dark texts detected, per true type.
    public var recallByType: [(type: DarkPatternType, recall: Double, count: Int)] {
        let dark = results.filter { $0.example.isDarkPattern }
        return DarkPatternType.allCases.compactMap { type in
            let ofType = dark.filter { $0.example.type == type }
            guard !ofType.isEmpty else { return nil }
            return (type, Self.ratio(ofType.filter(\.prediction.isDarkPattern).count, ofType.count), ofType.count)
        }.sorted { $0.count > $1.count }
    }

    /// Among dark texts the model detected, the share given their true type.
    public var typeAccuracy: Double {
        let detected = results.filter { $0.example.isDarkPattern && $0.prediction.isDarkPattern }
        return Self.ratio(detected.filter { $0.prediction.type == $0.example.type }.count, detected.count)
    }

    /// Mean squared error of the calibrated probability (lower is better; 0.25 is a coin).
    public var brierScore: Double {
        results.reduce(0) { sum, outcome in
            let target: Double = outcome.example.isDarkPattern ? 1 : 0
            return sum + (outcome.prediction.probability - target) * (outcome.prediction.probability - target)
        } / Double(max(results.count, 1))
    }

    /// Expected calibration error over ten equal-width probability bins: how far, on average, the
    /// stated probability is from the observed share of dark texts.
    public var expectedCalibrationError: Double {
        var bins = [(count: Int, probability: Double, dark: Int)](repeating: (0, 0, 0), count: 10)
        for outcome in results {
            let bin = min(Int(outcome.prediction.probability * 10), 9)
            bins[bin].count += 1
            bins[bin].probability += outcome.prediction.probability
            bins[bin].dark += outcome.example.isDarkPattern ? 1 : 0
        }
        return bins.reduce(0) { sum, bin in
            guard bin.count > 0 else { return sum }
            return sum + Double(bin.count) / Double(results.count) * abs(bin.probability / Double(bin.count) - Double(bin.dark) / Double(bin.count))
        }
    }

    /// Area under the ROC curve of the probability (ties count half).
    public var rocAUC: Double {
        Self.rocAUC(scores: results.map(\.prediction.probability), labels: results.map(\.example.isDarkPattern))
    }

    /// The area under the ROC curve of `scores` for `labels`: the chance that a random positive
    /// scores above a random negative, ties counting half.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double {
        let positives = zip(scores, labels).filter { $0.1 }.map(\.0)
        let negatives = zip(scores, labels).filter { !$0.1 }.map(\.0)
        guard !positives.isEmpty, !negatives.isEmpty else { return .nan }
        var wins = 0.0
        for p in positives {
            for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
        }
        return wins / Double(positives.count * negatives.count)
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
