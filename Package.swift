// swift-tools-version:6.1
import PackageDescription

import Foundation

/// The x86-64 level the package's Swift and C code is compiled for (`-target-cpu`, `-march`).
///
/// `haswell` (AVX2, BMI1/2, FMA, LZCNT, MOVBE, F16C: every x86-64 CPU sold since ~2015) when
/// the building machine has all of these, so the hot loops use BMI2's flag-free shifts and
/// bit-field extracts (`shlx`, `bzhi`) and three-operand SSE; otherwise the compiler's portable
/// default. Measured on `rhetor score` of the 106,254 Reuters sentences: 5 % fewer instructions,
/// output bytes unchanged (Benchmarks/results/2026-12-02-session20.md). The binary then runs
/// only on such CPUs: `RHETOR_TARGET_CPU=x86-64 swift build -c release` builds one for any
/// x86-64 machine (any other value is passed to the compiler as the CPU name).
func targetCPU() -> String? {
    #if arch(x86_64) && os(Linux)
    if let cpu = ProcessInfo.processInfo.environment["RHETOR_TARGET_CPU"], !cpu.isEmpty {
        return cpu == "x86-64" ? nil : cpu
    }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
    let haswell: Set<String> = ["avx2", "bmi1", "bmi2", "fma", "abm", "movbe", "f16c", "popcnt", "sse4_2"]
    return haswell.isSubset(of: flags) ? "haswell" : nil
    #else
    return nil
    #endif
}

let cpu = targetCPU()
// The C headers Swift imports (CRhetorSIMD's inline kernels) are compiled by the Swift compiler's
// clang: it gets the level too.
let swiftCPU: [SwiftSetting] = cpu.map { [.unsafeFlags(["-target-cpu", $0, "-Xcc", "-march=\($0)"])] } ?? []
let cCPU: [CSetting] = cpu.map { [.unsafeFlags(["-march=\($0)"])] } ?? []

let package = Package(
    name: "Rhetor",
    platforms: [.macOS(.v13)],
    products: [
        // MARK: - Public API
        .library(name: "Rhetor", targets: ["Rhetor"]),
        // Underscored: no stable API; exported so the benchmark package can compare SIMD and scalar twins.
        .library(name: "_RhetorKernels", targets: ["_RhetorKernels"]),
        .executable(name: "rhetor", targets: ["rhetor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "Rhetor", dependencies: ["RhetorText", "RhetorScoring", "RhetorQuotes", "RhetorTimeline", "_RhetorKernels"], swiftSettings: swiftCPU),
        .executableTarget(
            name: "rhetor",
            dependencies: ["Rhetor", "CRhetorSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftCPU
        ),

        // MARK: - Implementation details
        .systemLibrary(name: "CBLAS", pkgConfig: "blas", providers: [.apt(["libblas-dev"])]),
        .target(name: "CRhetorSIMD", cSettings: cCPU),
        .target(name: "CRhetorSystem", cSettings: cCPU),
        .target(name: "_RhetorKernels", dependencies: ["CRhetorSIMD"], swiftSettings: swiftCPU),
        .target(name: "RhetorText", dependencies: ["_RhetorKernels"], swiftSettings: swiftCPU),
        .target(name: "RhetorScoring", dependencies: ["RhetorText", "_RhetorKernels", "CBLAS"], swiftSettings: swiftCPU),
        .target(name: "RhetorQuotes", dependencies: ["RhetorText", "RhetorScoring", "_RhetorKernels"], swiftSettings: swiftCPU),
        .target(name: "RhetorTimeline", dependencies: ["RhetorText", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftCPU),

        // MARK: - Tests
        .testTarget(name: "RhetorKernelsTests", dependencies: ["_RhetorKernels"]),
        .testTarget(name: "RhetorTextTests", dependencies: ["RhetorText"]),
        .testTarget(name: "RhetorScoringTests", dependencies: ["RhetorScoring", "RhetorText"]),
        .testTarget(name: "RhetorQuotesTests", dependencies: ["RhetorQuotes", "RhetorText", "Rhetor"]),
        .testTarget(name: "RhetorTimelineTests", dependencies: ["RhetorTimeline", "RhetorText"]),
        .testTarget(name: "RhetorCLITests", dependencies: ["Rhetor"]),
    ]
)
