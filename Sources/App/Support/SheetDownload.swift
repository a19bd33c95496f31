import BangfuKit
import Vapor

/// A seed form as a download: .xlsx by default, UTF-8 .csv with a BOM (so Excel reads the Chinese) on `?format=csv`.
enum SheetDownload {
    static func response(_ rows: [[String]], sheetName: String, filename: String, req: Request) throws -> Response {
        let response = Response(status: .ok)
        if req.query["format"] == "csv" {
            response.body = .init(data: Data([0xEF, 0xBB, 0xBF]) + Data(rows.map(CSV.line).joined(separator: "\r\n").utf8))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: filename + ".csv")
        } else {
            response.body = .init(data: try XLSX.write(sheetName: sheetName, rows: rows))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response.headers.contentDisposition = .init(.attachment, filename: filename + ".xlsx")
        }
        return response
    }
}
