// swift-tools-version: 6.1
// The libFuzzer targets, in a package of their own so that the sanitizer flags they need
// (`-sanitize=fuzzer,address -parse-as-library`) never touch the service's build.
// `make fuzz` builds and runs them; see the README's "Fuzzing".
import PackageDescription

let package = Package(
    name: "data-action-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "data-action", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "LibFuzzerDriver"),
        .executableTarget(
            name: "FuzzRequestPath",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "DataAction", package: "data-action"),
                .product(name: "Actions", package: "data-action"),
                .product(name: "UpstreamHTTP", package: "data-action"),
                .product(name: "JSON", package: "data-action"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "FuzzFastCGIStream",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "FastCGI", package: "data-action"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
