import BangfuKit
import Fluent
import Vapor

/// The shared life of an HTML form: show it, run the command, redirect where it says on success or
/// re-render with the error beside its field. The command is the same one the API calls.
enum FormFlow {
    static func show(_ req: Request, _ template: String, options: [String: [FormPage.Option]] = [:],
                     pickers: [String: Picker] = [:], values: [String: String] = [:]) async throws -> View {
        var page = FormPage(shell: Shell(req))
        try await page.pick(pickers, options: options, req: req)
        page.values = try await Pickers.names(values, pickers, on: req.db)
        return try await req.view.render(template, page)
    }

    static func submit<Input: FormInput>(
        _ req: Request, _ template: String, _ type: Input.Type,
        options: [String: [FormPage.Option]] = [:],
        command: (Input) async throws -> String
    ) async throws -> Response {
        let values = try Input.formValues(req)
        do {
            let coded = try await Pickers.codes(values, Input.pickers, req: req)
            return req.redirect(to: try await command(try Input(form: coded)))
        } catch let e as FieldError {
            return try await FormPage.rerender(template, req: req, error: e, values: values, options: options,
                                               pickers: Input.pickers)
        } catch let e as APIError where e.field != nil {
            let fe = FieldError(field: e.field!, code: e.code, message: e.message)
            return try await FormPage.rerender(template, req: req, error: fe, values: values, options: options,
                                               pickers: Input.pickers)
        }
    }
}

/// Checks shared by create commands.
enum Guard {
    /// The region must exist and lie inside the caller's scope.
    static func region(_ text: String?, field: String = "regionCode", scope: Scope, on db: any Database) async throws -> RegionCode {
        let code = try FormValue.region(text, field)
        guard try await Region.find(code.digits, on: db) != nil else {
            throw FieldError(field: field, code: "unknown_region", message: "区划代码 \(code) 不存在")
        }
        guard scope.covers(region: code.digits) else {
            throw FieldError(field: field, code: "out_of_scope", message: "该区划不在您的管辖范围内")
        }
        return code
    }
}
