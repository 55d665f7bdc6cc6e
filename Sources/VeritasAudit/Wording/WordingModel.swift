import Foundation
import VeritasProtocol

/// A learned classifier for dark-pattern wording: is a short text (a line, a badge, a button, a
/// toast) worded as a dark pattern, of which type, and how sure is it.
///
/// Two linear models over ``WordingFeatures`` (binary word and character n-grams, L2-normalised):
/// a logistic regression for dark / not dark, its score calibrated by Platt scaling fitted on
/// cross-validated scores, and a multinomial logistic regression over the types, trained on the
/// dark texts only. Inference is a sparse dot product: no dependency, no network.
///
/// The bundled model (``bundled``) is trained by `make model` (`veritas-model train`) from
/// `Models/wording/dark-pattern-texts.tsv`; `docs/AUDIT.md` §4 gives its data, figures and limits.
///
/// ```swift
/// let prediction = WordingModel.bundled.predict("Hurry! Only 2 left in stock")
/// // prediction.isDarkPattern == true, prediction.type == .lowStock
/// ```
public struct WordingModel: Sendable {
    /// What the model says about one text.
    public struct Prediction: Sendable, Equatable {
        /// Calibrated probability that the text is a dark pattern.
        public var probability: Double
        /// Whether ``probability`` reaches the model's threshold.
        public var isDarkPattern: Bool
        /// The most likely type when ``isDarkPattern`` (`nil` otherwise).
        public var type: DarkPatternType?
        /// The most likely type whatever the verdict: what the text would be, were it a pattern.
        public var likeliestType: DarkPatternType
        /// The type model's probability for ``likeliestType``, among the dark-pattern types.
        public var typeProbability: Double
        /// Calibrated probability of the stated verdict: ``probability`` when dark, else its
        /// complement.
        public var confidence: Double { isDarkPattern ? probability : 1 - probability }
    }

    /// Where the weights came from, for people reading the model file.
    public struct Provenance: Sendable, Codable, Equatable {
        /// The training file, relative to the repository.
        public var dataset: String
        /// SHA-256 of the training file's bytes.
        public var datasetSHA256: String
        /// Texts trained on (dark / not).
        public var darkTexts: Int
        public var ordinaryTexts: Int
        /// Hyper-parameters, as set in ``WordingModelTrainer``.
        public var hyperparameters: [String: Double]

        enum CodingKeys: String, CodingKey {
            case dataset, hyperparameters
            case datasetSHA256 = "dataset_sha256"
            case darkTexts = "dark_texts"
            case ordinaryTexts = "ordinary_texts"
        }
    }

    /// The types the type model can answer, in weight-column order.
    public let types: [DarkPatternType]
    /// Probability at or above which a text is called a dark pattern.
    public let threshold: Double
    public let provenance: Provenance

    let featureIndex: [UInt64: Int32]
    /// Feature names, in weight-row order (only for the model file and explanations).
    let featureNames: [String]
    let binaryWeights: [Float]
    let binaryBias: Double
    /// Platt scaling: P(dark) = σ(slope × score + intercept).
    let calibrationSlope: Double
    let calibrationIntercept: Double
    /// Row-major: feature × type.
    let typeWeights: [Float]
    let typeBiases: [Double]

    init(featureNames: [String], binaryWeights: [Float], binaryBias: Double, calibrationSlope: Double,
         calibrationIntercept: Double, types: [DarkPatternType], typeWeights: [Float], typeBiases: [Double],
         threshold: Double, provenance: Provenance) {
        precondition(binaryWeights.count == featureNames.count && typeWeights.count == featureNames.count * types.count)
        self.featureNames = featureNames
        var index: [UInt64: Int32] = [:]
        index.reserveCapacity(featureNames.count)
        for (position, name) in featureNames.enumerated() { index[WordingFeatures.hash(ofName: name)] = Int32(position) }
        featureIndex = index
        self.binaryWeights = binaryWeights
        self.binaryBias = binaryBias
        self.calibrationSlope = calibrationSlope
        self.calibrationIntercept = calibrationIntercept
        self.types = types
        self.typeWeights = typeWeights
        self.typeBiases = typeBiases
        self.threshold = threshold
        self.provenance = provenance
    }

    /// The classification of `text`.
    public func predict(_ text: String) -> Prediction {
        // Sorted, so the sums (and the probabilities, to the last bit) do not depend on set order.
        let known = WordingFeatures.hashes(of: text).compactMap { featureIndex[$0] }.sorted()
        return predict(knownFeatures: known)
    }

    /// Classifies a text given the rows of its known features (the trainer evaluates this way).
    func predict(knownFeatures known: [Int32]) -> Prediction {
        // Binary features, L2-normalised over the features the model knows.
        let scale = known.isEmpty ? 0 : 1 / Double(known.count).squareRoot()
        var score = binaryBias
        for row in known { score += Double(binaryWeights[Int(row)]) * scale }
        let probability = Self.sigmoid(calibrationSlope * score + calibrationIntercept)

        var typeScores = typeBiases
        for row in known {
            let base = Int(row) * types.count
            for column in types.indices { typeScores[column] += Double(typeWeights[base + column]) * scale }
        }
        let probabilities = Self.softmax(typeScores)
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let isDark = probability >= threshold
        return Prediction(probability: probability, isDarkPattern: isDark, type: isDark ? types[best] : nil,
                          likeliestType: types[best], typeProbability: probabilities[best])
    }

    /// The features of `text` that pushed the verdict most, strongest first, with their weight
    /// toward "dark" (positive) or "not dark" (negative). For explanations and debugging.
    public func explain(_ text: String, limit: Int = 5) -> [(feature: String, weight: Double)] {
        let known = WordingFeatures.hashes(of: text).compactMap { featureIndex[$0] }
        return known.map { (featureNames[Int($0)], Double(binaryWeights[Int($0)])) }
            .sorted { abs($0.1) > abs($1.1) }
            .prefix(limit).map { (feature: $0.0, weight: $0.1) }
    }

    /// Number of features the model knows.
    public var featureCount: Int { featureNames.count }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    static func softmax(_ scores: [Double]) -> [Double] {
        guard let top = scores.max() else { return [] }
        let exps = scores.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}
