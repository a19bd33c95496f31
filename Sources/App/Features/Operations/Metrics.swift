import Foundation
import Prometheus
import Vapor

/// The process's Prometheus figures. One registry per process, as Prometheus scrapes a process: tests that
/// read a counter compare it before and after.
enum Metrics {
    static let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000]
        .map { .milliseconds($0) }

    /// One request: counted by method, route pattern (never the raw path: ids and queries stay out) and status.
    static func request(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(name: "bangfu_http_requests_total",
                             labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests answered, by method, route and status")
            .increment()
        registry.makeDurationHistogram(name: "bangfu_http_request_duration_seconds",
                                       labels: [("method", method), ("route", route)],
                                       buckets: latencyBuckets,
                                       help: "Time from request to response head, by method and route")
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Rows an import read, by what it imported.
    static func imported(rows: Int, into kind: String) {
        registry.makeCounter(name: "bangfu_import_rows_total", labels: [("kind", kind)],
                             help: "Rows read by imports that committed, by kind")
            .increment(by: Int64(rows))
    }

    static func gauge(_ name: String, _ help: String, labels: [(String, String)] = [], _ value: Double) {
        registry.makeGauge(name: name, labels: labels, help: help).set(value)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Times every request for `/metrics`, and gives every answer the request's id (`X-Request-Id`: the proxy's when
/// it sends one, which is also in every log line of the request).
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let route = req.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        do {
            let response = try await next.respond(to: req)
            Metrics.request(method: req.method.rawValue, route: route, status: response.status.code,
                            duration: ContinuousClock.now - start)
            response.headers.replaceOrAdd(name: "X-Request-Id", value: req.id)
            return response
        } catch {
            let status = (error as? any AbortError)?.status.code ?? 500
            Metrics.request(method: req.method.rawValue, route: route, status: status,
                            duration: ContinuousClock.now - start)
            throw error
        }
    }
}
