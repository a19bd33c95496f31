// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "bangfu",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bangfu", targets: ["bangfu"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.19"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
    ],
    targets: [
        // Domain: rules, money, codes, periods. No web framework here.
        .target(name: "BangfuKit", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // HTTP, database, views.
        .target(
            name: "App",
            dependencies: [
                "BangfuKit",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "bangfu", dependencies: ["App"]),
        .testTarget(
            name: "BangfuKitTests",
            dependencies: ["BangfuKit", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
    ]
)

// libFuzzer targets (Fuzz/, run by scripts/fuzz), only when BANGFU_FUZZ is set: they need sanitizer flags that a
// normal build must not see. BangfuKit gets the same flags so that its own code is instrumented for coverage and
// ASan, not just the harnesses. -parse-as-library: the harnesses have no top-level code; libFuzzer drives them.
if Context.environment["BANGFU_FUZZ"] != nil {
    let sanitize = ["-sanitize=fuzzer,address"]
    for target in package.targets where target.name == "BangfuKit" {
        target.swiftSettings = [.unsafeFlags(sanitize)]
    }
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support", swiftSettings: [.unsafeFlags(sanitize)]))
    for name in ["FuzzSheets", "FuzzForms", "FuzzValues"] {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["BangfuKit", "FuzzSupport"], path: "Fuzz/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"] + sanitize)],
            linkerSettings: [.unsafeFlags(sanitize)]
        ))
        package.products.append(.executable(name: name, targets: [name]))
    }
}
