import App
import Foundation
import Logging
import Vapor

var env = try Environment.detect()
if ProcessInfo.processInfo.environment["BANGFU_LOG_FORMAT"] == "json" {
    try LoggingSystem.bootstrap(from: &env) { level in { JSONLogHandler(label: $0, level: level) } }
} else {
    try LoggingSystem.bootstrap(from: &env)
}
let app = try await Application.make(env)
do {
    var config = try AppConfig.load(env)
    config.limit(to: env.arguments)
    try await configure(app, config: config)
    try await app.execute()
} catch {
    app.logger.critical("\(error)")
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
