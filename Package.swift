// swift-tools-version:5.9
// The Swift package of garmin-sso. It sits at the repository root because SwiftPM reads a package
// that apps add by git URL from there.
//
// GarminSSO: the uniffi-generated Swift (bindings/swift/Sources/GarminSSO, committed, checked current
// by CI). GarminSSOFFI: libgarmin_sso_uniffi as an xcframework with the C headers and module map,
// built on macOS by scripts/build-xcframework.sh into bindings/swift/GarminSSOFFI.xcframework (not
// committed). A release publishes that xcframework zipped (ZIP=1 scripts/build-xcframework.sh) and
// switches the binary target to .binaryTarget(name:url:checksum:).
import PackageDescription

let package = Package(
    name: "GarminSSO",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "GarminSSO", targets: ["GarminSSO"]),
    ],
    targets: [
        .binaryTarget(name: "GarminSSOFFI", path: "bindings/swift/GarminSSOFFI.xcframework"),
        .target(
            name: "GarminSSO",
            dependencies: ["GarminSSOFFI"],
            path: "bindings/swift/Sources/GarminSSO"
        ),
    ]
)
