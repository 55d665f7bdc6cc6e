import Foundation
import VeritasProtocol

/// The model file: one JSON document, readable and diffable, small enough to commit.
///
/// ```json
/// {"format": "veritas-wording-model", "version": 1, "threshold": 0.5,
///  "provenance": {...}, "calibration": {"slope": 1.2, "intercept": -0.3},
///  "binary_bias": -0.4, "types": ["low_stock", ...], "type_biases": [...],
///  "features": [["w:only 0", 1.93, [0.8, -0.1, ...]], ...]}
/// ```
/// Each feature row is its name (see ``WordingFeatures``), its weight toward "dark", and its
/// weight for each type, in the order of `types`. Weights are rounded to 5 significant digits.
extension WordingModel {
    /// The `format` value of a model file.
    public static let fileFormat = "veritas-wording-model"
    /// The file version this build reads and writes.
    public static let fileVersion = 1

    /// An error reading a model file.
    public struct FileError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The model committed with Veritas (`Sources/VeritasAudit/Resources/wording-model.json`),
    /// loaded once. A missing or unreadable bundled model is a build defect, so it stops the
    /// process with a message rather than letting audits run without their wording model.
    public static let bundled: WordingModel = {
        do {
            return try WordingModel(contentsOf: bundledURL)
        } catch {
            fatalError("the bundled wording model cannot be read (\(bundledURL.path)): \(error)")
        }
    }()

    /// Where the bundled model file is.
    public static var bundledURL: URL {
        Bundle.module.url(forResource: "wording-model", withExtension: "json")
            ?? Bundle.module.bundleURL.appendingPathComponent("wording-model.json")
    }

    /// Reads a model file.
    public init(contentsOf url: URL) throws {
        try self.init(fileData: try Data(contentsOf: url))
    }

    /// Reads a model file's bytes.
    public init(fileData: Data) throws {
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: fileData)
        } catch {
            throw FileError(description: "not a wording model file: \(error)")
        }
        guard file.format == Self.fileFormat, file.version == Self.fileVersion else {
            throw FileError(description: "unsupported model file \(file.format) version \(file.version)")
        }
        var types: [DarkPatternType] = []
        for name in file.types {
            guard let type = DarkPatternType(rawValue: name) else { throw FileError(description: "unknown type \(name)") }
            types.append(type)
        }
        guard !types.isEmpty, file.typeBiases.count == types.count else {
            throw FileError(description: "the model has \(types.count) types and \(file.typeBiases.count) type biases")
        }
        var names: [String] = []
        var binary: [Float] = []
        var typeWeights: [Float] = []
        names.reserveCapacity(file.features.count)
        for row in file.features {
            guard row.typeWeights.count == types.count else {
                throw FileError(description: "feature \(row.name) has \(row.typeWeights.count) type weights, expected \(types.count)")
            }
            names.append(row.name)
            binary.append(row.weight)
            typeWeights.append(contentsOf: row.typeWeights)
        }
        self.init(featureNames: names, binaryWeights: binary, binaryBias: file.binaryBias,
                  calibrationSlope: file.calibration.slope, calibrationIntercept: file.calibration.intercept,
                  types: types, typeWeights: typeWeights, typeBiases: file.typeBiases,
                  threshold: file.threshold, provenance: file.provenance)
    }

    /// The model as a file's bytes (keys sorted, so the same model gives the same bytes).
    public func fileData() throws -> Data {
        let rows = featureNames.indices.map { row in
            FeatureRow(name: featureNames[row], weight: Self.rounded(binaryWeights[row]),
                       typeWeights: types.indices.map { Self.rounded(typeWeights[row * types.count + $0]) })
        }
        let file = ModelFile(
            format: Self.fileFormat, version: Self.fileVersion, threshold: threshold, provenance: provenance,
            calibration: .init(slope: calibrationSlope, intercept: calibrationIntercept), binaryBias: binaryBias,
            types: types.map(\.rawValue), typeBiases: typeBiases, features: rows)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(file)
    }

    /// Five significant digits: the file stays small and the predictions do not move.
    private static func rounded(_ value: Float) -> Float {
        guard value != 0 else { return 0 }
        return Float(String(format: "%.5g", value)) ?? value
    }
}

private struct ModelFile: Codable {
    struct Calibration: Codable {
        var slope: Double
        var intercept: Double
    }

    var format: String
    var version: Int
    var threshold: Double
    var provenance: WordingModel.Provenance
    var calibration: Calibration
    var binaryBias: Double
    var types: [String]
    var typeBiases: [Double]
    var features: [FeatureRow]

    enum CodingKeys: String, CodingKey {
        case format, version, threshold, provenance, calibration, types, features
        case binaryBias = "binary_bias"
        case typeBiases = "type_biases"
    }
}

/// `[name, weight, [type weights...]]`: an array, so the file is not mostly repeated keys.
private struct FeatureRow: Codable {
    var name: String
    var weight: Float
    var typeWeights: [Float]

    init(name: String, weight: Float, typeWeights: [Float]) {
        self.name = name
        self.weight = weight
        self.typeWeights = typeWeights
    }

    init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        name = try container.decode(String.self)
        weight = try container.decode(Float.self)
        typeWeights = try container.decode([Float].self)
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(name)
        try container.encode(weight)
        try container.encode(typeWeights)
    }
}
