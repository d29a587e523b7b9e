// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "data-action",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "data-action", targets: ["data-action"]),
        // The libraries, for the fuzzing package in fuzz/ (built with sanitizer flags of its own).
        .library(name: "DataAction", targets: ["DataAction"]),
        .library(name: "Actions", targets: ["Actions"]),
        .library(name: "UpstreamHTTP", targets: ["UpstreamHTTP"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "FastCGI", targets: ["FastCGI"]),
    ],
    dependencies: [
        // No traits: the default JSON trait imports all of Foundation (and ICU) for a file format
        // the service does not read.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "FastCGI",
            dependencies: [
                "CFastCGI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "JSON"),
        .target(
            name: "UpstreamHTTP",
            dependencies: ["CCurl", "JSON"]
        ),
        .target(
            name: "Actions",
            dependencies: ["CYAML", "JSON"]
        ),
        .target(
            name: "DataAction",
            dependencies: [
                "Actions",
                "UpstreamHTTP",
                "JSON",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "GenesysCloud",
            dependencies: ["Actions", "UpstreamHTTP", "JSON"]
        ),
        .executableTarget(
            name: "data-action",
            dependencies: [
                "DataAction",
                "GenesysCloud",
                "FastCGI",
                "Actions",
                "UpstreamHTTP",
                "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "DataAction",
                "Actions",
                "UpstreamHTTP",
                "JSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "FastCGITests",
            dependencies: ["FastCGI", "TestSupport"]
        ),
        .testTarget(
            name: "UpstreamHTTPTests",
            dependencies: ["UpstreamHTTP", "TestSupport"]
        ),
        .testTarget(
            name: "DataActionTests",
            dependencies: ["DataAction", "Actions", "UpstreamHTTP", "JSON", "GenesysCloud", "TestSupport"]
        ),
        .testTarget(
            name: "DataActionBinaryTests",
            dependencies: ["data-action", "JSON", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["data-action", "JSON", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
