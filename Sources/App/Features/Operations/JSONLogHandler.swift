import Foundation
import Logging
import NIOConcurrencyHelpers

/// Log lines as JSON objects, one a line (`BANGFU_LOG_FORMAT=json`), for a log shipper: time, level, logger,
/// message and metadata — a request's lines carry its `request-id`. What is logged is unchanged: no bodies,
/// queries or personal data.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private static let output = NIOLockedValueBox(FileHandle.standardError)
    private static let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        fields["ts"] = Date().ISO8601Format(Self.time)
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["msg"] = "\(event.message)"
        fields["source"] = event.source
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: options) else { return }
        line.append(0x0A)
        Self.output.withLockedValue { $0.write(line) }
    }
}
