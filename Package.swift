// swift-tools-version:6.0
import PackageDescription

// OpenCV 4.6 from Debian (libopencv-dev). Only the modules we use are linked.
let openCVLibraries = ["opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_videoio",
                       "opencv_video", "opencv_dnn", "opencv_objdetect"]

let package = Package(
    name: "GateWatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gatewatch", targets: ["gatewatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        // SHA-256 of clips, models and the binary named in signed acceptance reports.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C++17 over OpenCV behind a small C ABI (include/CVision.h).
        .target(
            name: "CVision",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"])],
            linkerSettings: openCVLibraries.map { .linkedLibrary($0) }
        ),
        .systemLibrary(name: "CCurses", path: "Sources/CCurses"),
        // The console's signal flag and emergency terminal restore, in one C file (one copy of the state).
        .target(name: "CTerminal", linkerSettings: [.linkedLibrary("ncursesw")]),
        // Pure Swift: config model, geometry, tracker, line crossing, occupancy, alert rules.
        .target(name: "GateCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Production vision: cameras, streams, files, detectors, the feed pipeline.
        .target(name: "GateVision", dependencies: ["GateCore", "CVision"]),
        // The synthetic toolkit: scene specs, planned walkers and their truth, the sprite bank,
        // the renderer. Written and checked with GateVision's writer and detectors.
        .target(name: "GateSynth", dependencies: ["GateCore", "GateVision", "CVision"]),
        .target(name: "GateStore", dependencies: ["GateCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "GateConsole", dependencies: ["GateCore", "GateStore", "CCurses", "CTerminal",
                                                  .product(name: "GRDB", package: "GRDB.swift")]),
        // Wires a site together: feed workers -> counts and alerts -> store. Used by run, demo, test, bench.
        .target(name: "GateRuntime", dependencies: ["GateCore", "GateVision", "GateSynth", "GateStore",
                                                  .product(name: "Yams", package: "Yams"),
                                                  .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "gatewatch",
            dependencies: ["GateCore", "GateVision", "GateSynth", "GateStore", "GateConsole", "GateRuntime",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "GateCoreTests", dependencies: ["GateCore"]),
        // Also the synthetic toolkit's tests: scenes are these tests' footage, and they share its helpers.
        .testTarget(name: "GateVisionTests", dependencies: ["GateVision", "GateSynth"]),
        .testTarget(name: "GateStoreTests", dependencies: ["GateStore"]),
        .testTarget(name: "GateConsoleTests", dependencies: ["GateConsole"]),
        .testTarget(name: "GateRuntimeTests", dependencies: ["GateRuntime", "GateSynth"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GateCore", "GateStore"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
