import Foundation
import VeritasProtocol

/// Trains a ``WordingModel`` from labelled texts.
///
/// 1. Vocabulary: every ``WordingFeatures`` feature found in at least
///    ``minimumDocumentFrequency`` texts (a feature seen once is a site's name or a product, not
///    a way of wording).
/// 2. Dark / not: L2-regularised logistic regression, minimising `C × Σ log-loss + ½‖w‖²` (the
///    bias unpenalised) with ``LBFGS``.
/// 3. Calibration: the same model trained on ``calibrationFolds`` grouped folds scores each text
///    it did not see; Platt scaling fitted on those scores turns a score into a probability.
/// 4. Type: multinomial logistic regression over the types present, on the dark texts.
///
/// Deterministic: the same examples give the same model.
public struct WordingModelTrainer: Sendable {
    public var minimumDocumentFrequency = 2
    /// Inverse regularisation strength of the dark / not model.
    public var binaryC = 10.0
    /// Inverse regularisation strength of the type model.
    public var typeC = 10.0
    /// Grouped folds used to fit the calibration (0: no calibration, identity).
    public var calibrationFolds = 5
    /// Calibrated probability at or above which a text is called a dark pattern.
    public var threshold = 0.5

    public init() {}

    /// The hyper-parameters, as recorded in the model file.
    public var hyperparameters: [String: Double] {
        ["minimum_document_frequency": Double(minimumDocumentFrequency), "binary_c": binaryC, "type_c": typeC,
         "calibration_folds": Double(calibrationFolds), "threshold": threshold]
    }

    /// A model trained on `examples`. `dataset` and `datasetSHA256` are recorded as provenance.
    public func train(_ examples: [WordingExample], dataset: String = "", datasetSHA256: String = "") -> WordingModel {
        precondition(examples.contains(where: \.isDarkPattern) && examples.contains(where: { !$0.isDarkPattern }),
                     "training needs dark and ordinary texts")
        let design = Design(examples, minimumDocumentFrequency: minimumDocumentFrequency)
        let (binaryWeights, binaryBias) = fitBinary(design, labels: examples.map(\.isDarkPattern))

        var slope = 1.0, intercept = 0.0
        if calibrationFolds >= 2 {
            let folds = GroupedFolds.assign(groups: examples.map(\.group), folds: calibrationFolds)
            var scores = [Double](repeating: 0, count: examples.count)
            for fold in 0..<calibrationFolds {
                let inFold = examples.indices.filter { folds[$0] == fold }
                let training = examples.indices.filter { folds[$0] != fold }.map { examples[$0] }
                guard training.contains(where: \.isDarkPattern), training.contains(where: { !$0.isDarkPattern }) else { continue }
                let foldDesign = Design(training, minimumDocumentFrequency: minimumDocumentFrequency)
                let (weights, bias) = fitBinary(foldDesign, labels: training.map(\.isDarkPattern))
                for index in inFold {
                    let rows = foldDesign.rows(of: examples[index].text)
                    let scale = rows.isEmpty ? 0 : 1 / Double(rows.count).squareRoot()
                    scores[index] = bias + rows.reduce(0) { $0 + weights[Int($1)] * scale }
                }
            }
            (slope, intercept) = Self.plattScaling(scores: scores, labels: examples.map(\.isDarkPattern))
        }

        let darkIndices = examples.indices.filter { examples[$0].isDarkPattern }
        let types = DarkPatternType.allCases.filter { type in darkIndices.contains { examples[$0].type == type } }
        let (typeWeights, typeBiases) = fitTypes(
            rows: darkIndices.map { design.rows[$0] }, labels: darkIndices.map { types.firstIndex(of: examples[$0].type!)! },
            featureCount: design.names.count, typeCount: types.count)

        let provenance = WordingModel.Provenance(
            dataset: dataset, datasetSHA256: datasetSHA256, darkTexts: darkIndices.count,
            ordinaryTexts: examples.count - darkIndices.count, hyperparameters: hyperparameters)
        return WordingModel(
            featureNames: design.names, binaryWeights: binaryWeights.map(Float.init), binaryBias: binaryBias,
            calibrationSlope: slope, calibrationIntercept: intercept, types: types,
            typeWeights: typeWeights.map(Float.init), typeBiases: typeBiases, threshold: threshold, provenance: provenance)
    }

    // MARK: Design matrix

    /// The vocabulary and each example's feature rows (binary features; each row's value is
    /// 1/√(number of features), the L2 normalisation).
    struct Design {
        var names: [String]
        var index: [UInt64: Int32]
        var rows: [[Int32]]

        init(_ examples: [WordingExample], minimumDocumentFrequency: Int) {
            let named = examples.map { WordingFeatures.named($0.text) }
            var frequency: [UInt64: Int] = [:]
            var nameOf: [UInt64: String] = [:]
            for features in named {
                for (hash, name) in features {
                    frequency[hash, default: 0] += 1
                    nameOf[hash] = name
                }
            }
            names = frequency.filter { $0.value >= minimumDocumentFrequency }.keys.map { nameOf[$0]! }.sorted()
            var index: [UInt64: Int32] = [:]
            for (position, name) in names.enumerated() { index[WordingFeatures.hash(ofName: name)] = Int32(position) }
            self.index = index
            rows = named.map { features in features.keys.compactMap { index[$0] }.sorted() }
        }

        func rows(of text: String) -> [Int32] {
            WordingFeatures.hashes(of: text).compactMap { index[$0] }.sorted()
        }
    }

    // MARK: Fitting

    private func fitBinary(_ design: Design, labels: [Bool]) -> (weights: [Double], bias: Double) {
        let featureCount = design.names.count
        let scales = design.rows.map { $0.isEmpty ? 0 : 1 / Double($0.count).squareRoot() }
        let c = binaryC
        // Parameters: the weights, then the bias.
        let solution = LBFGS().minimize(from: [Double](repeating: 0, count: featureCount + 1)) { x, gradient in
            for i in gradient.indices { gradient[i] = 0 }
            var loss = 0.0
            for (row, features) in design.rows.enumerated() {
                var z = x[featureCount]
                for feature in features { z += x[Int(feature)] * scales[row] }
                let y: Double = labels[row] ? 1 : -1
                // log(1 + exp(-y z)), computed without overflow.
                let margin = -y * z
                loss += margin > 0 ? margin + log1p(exp(-margin)) : log1p(exp(margin))
                let residual = WordingModel.sigmoid(z) - (labels[row] ? 1 : 0)
                for feature in features { gradient[Int(feature)] += c * residual * scales[row] }
                gradient[featureCount] += c * residual
            }
            var penalty = 0.0
            for i in 0..<featureCount {
                penalty += x[i] * x[i]
                gradient[i] += x[i]
            }
            return c * loss + penalty / 2
        }
        return (Array(solution[0..<featureCount]), solution[featureCount])
    }

    private func fitTypes(rows: [[Int32]], labels: [Int], featureCount: Int, typeCount: Int) -> (weights: [Double], biases: [Double]) {
        guard typeCount > 1 else {
            return ([Double](repeating: 0, count: featureCount * typeCount), [Double](repeating: 0, count: typeCount))
        }
        let scales = rows.map { $0.isEmpty ? 0 : 1 / Double($0.count).squareRoot() }
        let c = typeC
        let biasStart = featureCount * typeCount
        let solution = LBFGS().minimize(from: [Double](repeating: 0, count: biasStart + typeCount)) { x, gradient in
            for i in gradient.indices { gradient[i] = 0 }
            var loss = 0.0
            var scores = [Double](repeating: 0, count: typeCount)
            for (row, features) in rows.enumerated() {
                for k in 0..<typeCount { scores[k] = x[biasStart + k] }
                for feature in features {
                    let base = Int(feature) * typeCount
                    for k in 0..<typeCount { scores[k] += x[base + k] * scales[row] }
                }
                let top = scores.max()!
                let logSum = top + log(scores.reduce(0) { $0 + exp($1 - top) })
                loss += logSum - scores[labels[row]]
                for k in 0..<typeCount {
                    let residual = exp(scores[k] - logSum) - (k == labels[row] ? 1 : 0)
                    gradient[biasStart + k] += c * residual
                    for feature in features { gradient[Int(feature) * typeCount + k] += c * residual * scales[row] }
                }
            }
            var penalty = 0.0
            for i in 0..<biasStart {
                penalty += x[i] * x[i]
                gradient[i] += x[i]
            }
            return c * loss + penalty / 2
        }
        return (Array(solution[0..<biasStart]), Array(solution[biasStart...]))
    }

    /// Platt (1999): P = σ(a × score + b) fitted by maximum likelihood on held-out scores, with his
    /// smoothed targets so that a perfectly separated set does not give infinite slopes.
    static func plattScaling(scores: [Double], labels: [Bool]) -> (slope: Double, intercept: Double) {
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        let high = (positives + 1) / (positives + 2)
        let low = 1 / (negatives + 2)
        let solution = LBFGS().minimize(from: [1, 0]) { x, gradient in
            gradient[0] = 0; gradient[1] = 0
            var loss = 0.0
            for (score, label) in zip(scores, labels) {
                let target = label ? high : low
                let p = min(max(WordingModel.sigmoid(x[0] * score + x[1]), 1e-12), 1 - 1e-12)
                loss -= target * log(p) + (1 - target) * log(1 - p)
                gradient[0] += (p - target) * score
                gradient[1] += p - target
            }
            return loss
        }
        return (solution[0], solution[1])
    }
}
