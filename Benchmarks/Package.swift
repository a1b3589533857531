// swift-tools-version:6.1
// Benchmarks are their own package (as in swift-nio) so the main build never pulls benchmark tooling.
// Run from this directory: swift package benchmark
import PackageDescription

let package = Package(
    name: "RhetorBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Rhetor", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RhetorBenchmarks",
            dependencies: [
                .product(name: "Rhetor", package: "Rhetor"),
                .product(name: "_RhetorKernels", package: "Rhetor"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RhetorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
