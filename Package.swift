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
            ]
        ),
        .executableTarget(name: "bangfu", dependencies: ["App"]),
        .testTarget(name: "BangfuKitTests", dependencies: ["BangfuKit"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
    ]
)
