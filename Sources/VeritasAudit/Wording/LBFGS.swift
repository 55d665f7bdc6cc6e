import Foundation

/// Limited-memory BFGS with a backtracking (Armijo) line search, for the smooth convex objectives
/// of the wording model's training (L2-regularised logistic and softmax losses).
///
/// Written here because nothing in the package set does numerical optimisation, and these
/// objectives are small (tens of thousands of parameters): a plain loop is enough.
struct LBFGS {
    /// Pairs of steps kept for the inverse-Hessian estimate.
    var memory = 10
    var maxIterations = 500
    /// Stops when the gradient's largest component falls below this, relative to max(1, |f|).
    var gradientTolerance = 1e-5

    /// Minimises `objective` (which returns the value and writes the gradient) from `start`.
    func minimize(from start: [Double], objective: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> [Double] {
        var x = start
        var gradient = [Double](repeating: 0, count: x.count)
        var value = objective(x, &gradient)
        var steps: [[Double]] = []
        var gradientChanges: [[Double]] = []
        var rhos: [Double] = []
        var newGradient = gradient

        for _ in 0..<maxIterations {
            if gradient.lazy.map(abs).max() ?? 0 <= gradientTolerance * max(1, abs(value)) { break }
            // Two-loop recursion: direction = -H × gradient.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * Self.dot(steps[i], q)
                Self.axpy(-alphas[i], gradientChanges[i], &q)
            }
            if let lastStep = steps.last, let lastChange = gradientChanges.last {
                let gamma = Self.dot(lastStep, lastChange) / max(Self.dot(lastChange, lastChange), 1e-300)
                for i in q.indices { q[i] *= gamma }
            } else {
                let norm = Self.dot(gradient, gradient).squareRoot()
                for i in q.indices { q[i] /= max(norm, 1) }
            }
            for i in steps.indices {
                let beta = rhos[i] * Self.dot(gradientChanges[i], q)
                Self.axpy(alphas[i] - beta, steps[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = Self.dot(gradient, direction)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                direction = gradient.map { -$0 }
                slope = Self.dot(gradient, direction)
                steps.removeAll(); gradientChanges.removeAll(); rhos.removeAll()
            }

            var stepLength = 1.0
            var candidate = x
            var newValue = value
            var accepted = false
            for _ in 0..<40 {
                for i in x.indices { candidate[i] = x[i] + stepLength * direction[i] }
                newValue = objective(candidate, &newGradient)
                if newValue <= value + 1e-4 * stepLength * slope { accepted = true; break }
                stepLength *= 0.5
            }
            guard accepted else { break }

            let step = zip(candidate, x).map { $0 - $1 }
            let change = zip(newGradient, gradient).map { $0 - $1 }
            let curvature = Self.dot(step, change)
            if curvature > 1e-12 {
                steps.append(step); gradientChanges.append(change); rhos.append(1 / curvature)
                if steps.count > memory { steps.removeFirst(); gradientChanges.removeFirst(); rhos.removeFirst() }
            }
            let improvement = value - newValue
            x = candidate
            gradient = newGradient
            value = newValue
            if improvement <= 1e-10 * max(1, abs(value)) { break }
        }
        return x
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += a * x[i] }
    }
}
