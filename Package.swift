// swift-tools-version:6.1
import PackageDescription

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
        .target(name: "Rhetor", dependencies: ["RhetorText", "RhetorScoring", "RhetorQuotes", "RhetorTimeline", "_RhetorKernels"]),
        .executableTarget(
            name: "rhetor",
            dependencies: ["Rhetor", "CRhetorSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Implementation details
        .systemLibrary(name: "CBLAS", pkgConfig: "blas", providers: [.apt(["libblas-dev"])]),
        .target(name: "CRhetorSIMD"),
        .target(name: "CRhetorSystem"),
        .target(name: "_RhetorKernels", dependencies: ["CRhetorSIMD"]),
        .target(name: "RhetorText", dependencies: ["_RhetorKernels"]),
        .target(name: "RhetorScoring", dependencies: ["RhetorText", "_RhetorKernels", "CBLAS"]),
        .target(name: "RhetorQuotes", dependencies: ["RhetorText", "RhetorScoring", "_RhetorKernels"]),
        .target(name: "RhetorTimeline", dependencies: ["RhetorText", .product(name: "GRDB", package: "GRDB.swift")]),

        // MARK: - Tests
        .testTarget(name: "RhetorKernelsTests", dependencies: ["_RhetorKernels"]),
        .testTarget(name: "RhetorTextTests", dependencies: ["RhetorText"]),
        .testTarget(name: "RhetorScoringTests", dependencies: ["RhetorScoring", "RhetorText"]),
        .testTarget(name: "RhetorQuotesTests", dependencies: ["RhetorQuotes", "RhetorText", "Rhetor"]),
        .testTarget(name: "RhetorTimelineTests", dependencies: ["RhetorTimeline", "RhetorText"]),
        .testTarget(name: "RhetorCLITests", dependencies: ["Rhetor"]),
    ]
)
