/// A rejected input: which field, a stable code for machines and a Chinese message for people.
public struct FieldError: Error, Equatable, Sendable, Codable {
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field; self.code = code; self.message = message
    }

    public static func required(_ field: String, _ label: String) -> FieldError {
        FieldError(field: field, code: "required", message: "请填写\(label)")
    }

    public static func invalid(_ field: String, _ label: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, code: "invalid", message: "\(label)格式不正确\(detail.isEmpty ? "" : "：\(detail)")")
    }
}

/// Small readers that turn raw form text into domain values or a FieldError naming the field.
public enum FormValue {
    public static func text(_ value: String?, _ field: String, _ label: String, max: Int = 100) throws -> String {
        let v = value?.trimmed ?? ""
        guard !v.isEmpty else { throw FieldError.required(field, label) }
        guard v.count <= max else {
            throw FieldError(field: field, code: "too_long", message: "\(label)不能超过\(max)个字")
        }
        return v
    }

    public static func optionalText(_ value: String?, _ field: String, _ label: String, max: Int = 200) throws -> String? {
        guard let v = value?.trimmed, !v.isEmpty else { return nil }
        return try text(v, field, label, max: max)
    }

    /// A count that may be left out (带动户数): when given, 1 through `max`.
    public static func optionalCount(_ value: Int?, _ field: String, _ label: String, max: Int) throws -> Int? {
        guard let value else { return nil }
        guard (1...max).contains(value) else {
            throw FieldError(field: field, code: "out_of_range", message: "\(label)应在1到\(max)之间")
        }
        return value
    }

    public static func region(_ value: String?, _ field: String = "regionCode") throws -> RegionCode {
        let v = try text(value, field, "区划代码", max: 12)
        guard let code = RegionCode(v) else { throw FieldError.invalid(field, "区划代码", "应为12位统计用区划代码") }
        return code
    }

    public static func creditCode(_ value: String?, _ field: String = "creditCode") throws -> CreditCode? {
        guard let v = try optionalText(value, field, "统一社会信用代码", max: 18) else { return nil }
        guard let code = CreditCode(v) else { throw FieldError.invalid(field, "统一社会信用代码", "校验位不符") }
        return code
    }

    public static func residentID(_ value: String?, _ field: String = "idNumber") throws -> ResidentID {
        let v = try text(value, field, "身份证号", max: 18)
        guard let id = ResidentID(v) else { throw FieldError.invalid(field, "身份证号", "校验位或出生日期不符") }
        return id
    }

    public static func phone(_ value: String?, _ field: String = "phone") throws -> String? {
        guard let v = try optionalText(value, field, "联系电话", max: 20) else { return nil }
        guard v.count >= 7, v.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else {
            throw FieldError.invalid(field, "联系电话")
        }
        return v
    }

    public static func date(_ value: String?, _ field: String, _ label: String) throws -> LocalDate {
        let v = try text(value, field, label, max: 20)
        guard let d = LocalDate(v) else { throw FieldError.invalid(field, label, "如 2026-01-31") }
        return d
    }

    public static func choice<T: RawRepresentable>(_ value: String?, _ field: String, _ label: String) throws -> T
    where T.RawValue == String {
        let v = try text(value, field, label)
        // A vocabulary's Chinese name too ("食堂" for canteen): the API takes the words a sheet takes.
        let named = (T.self as? any ChineseNamed.Type).flatMap { byName($0, v) as? T }
        guard let c = T(rawValue: v) ?? named else { throw FieldError.invalid(field, label, "不在可选范围内") }
        return c
    }

    private static func byName<N: ChineseNamed>(_ type: N.Type, _ text: String) -> N? { N(codeOrName: text) }
}
