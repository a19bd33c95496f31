import BangfuKit
import Vapor

/// A seed form as a file: .xlsx by default, UTF-8 .csv with a BOM (so Excel reads the Chinese) when asked.
struct SheetFile: Sendable {
    let data: Data
    let contentType: String
    let filename: String

    init(_ rows: [[String]], sheetName: String, filename: String, csv: Bool) throws {
        if csv {
            data = Data([0xEF, 0xBB, 0xBF]) + Data(rows.map(CSV.line).joined(separator: "\r\n").utf8)
            contentType = "text/csv; charset=utf-8"
            self.filename = filename + ".csv"
        } else {
            data = try XLSX.write(sheetName: sheetName, rows: rows)
            contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            self.filename = filename + ".xlsx"
        }
    }

    init(data: Data, contentType: String, filename: String) {
        self.data = data
        self.contentType = contentType
        self.filename = filename
    }

    func response(attachment: Bool) -> Response {
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: contentType)
        response.headers.contentDisposition = .init(attachment ? .attachment : .inline, filename: filename)
        return response
    }
}

/// A seed form as a download, as `?format=csv` asks.
enum SheetDownload {
    static func response(_ rows: [[String]], sheetName: String, filename: String, req: Request) throws -> Response {
        try SheetFile(rows, sheetName: sheetName, filename: filename, csv: req.query["format"] == "csv")
            .response(attachment: true)
    }
}
