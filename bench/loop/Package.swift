// swift-tools-version: 6.1
// The service's own work per call in one thread, without the network: a package of its own so
// that the service's build never carries it. `make bench-loop` builds and runs it.
import PackageDescription

let package = Package(
    name: "data-action-bench-loop",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "data-action", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "bench-loop",
            dependencies: [
                .product(name: "DataAction", package: "data-action"),
                .product(name: "Actions", package: "data-action"),
                .product(name: "UpstreamHTTP", package: "data-action"),
                .product(name: "FastCGI", package: "data-action"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
