import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Password login with backoff (`LoginThrottle`), logout and password change. A login answers in the same time
/// and the same words whether or not the account exists, so accounts cannot be listed by trying names.
enum LoginController {
    struct LoginForm: Content { let username: String?; let password: String? }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("login", LoginPage(shell: Shell(req, form: true), error: nil, username: ""))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let username = form.username?.trimmed ?? ""
        do {
            let user = try await verify(username: username, password: form.password ?? "", req: req)
            try await Authentication.logIn(user, on: req)
            return req.redirect(to: SiteURL.home.path)
        } catch let e as APIError {
            let page = LoginPage(shell: Shell(req, form: true), error: e.message, username: username)
            // The form is re-shown, not an auth challenge: 422 keeps 401/403 for the policy's refusals.
            return try await req.render("login", page,
                status: e.status == .tooManyRequests ? e.status : .unprocessableEntity)
        }
    }

    static let wrong = APIError(status: .unauthorized, code: "bad_credentials", message: "用户名或密码错误")

    /// A hash of the same cost as real ones, checked when the account does not exist so the answer takes as long.
    static let decoyHash = (try? Bcrypt.hash("bangfu-decoy-password")) ?? ""

    /// Checks the password after any wait the throttle asks for; every outcome of a real account is audited.
    static func verify(username: String, password: String, req: Request) async throws -> User {
        let sql = req.db as! any SQLDatabase
        let keys = LoginThrottle.keys(username: username, address: req.remoteAddress?.ipAddress ?? "-")
        if let seconds = try await LoginThrottle.wait(keys, on: sql) {
            throw APIError(status: .tooManyRequests, code: "throttled", message: "登录尝试过于频繁，请 \(seconds) 秒后再试")
        }
        let user = try await User.query(on: req.db).filter(\.$username == username).first()
        let ok = try await req.password.async.verify(password, created: user?.passwordHash ?? decoyHash)
        guard let user, user.isActive, ok else {
            try await LoginThrottle.failed(keys, on: sql)
            if let user {
                try await Audit.record(req, on: req.db, action: "login.failed", entity: "user", id: user.id,
                                       region: user.regionCode, actor: user)
            }
            throw wrong
        }
        try await LoginThrottle.succeeded(keys, on: sql)
        try await Audit.record(req, on: req.db, action: "login", entity: "user", id: user.id,
            region: user.regionCode, actor: user)
        return user
    }

    @Sendable static func logout(req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await Audit.record(req, on: req.db, action: "logout", entity: "user", id: user.id,
                region: user.regionCode)
        }
        req.session.destroy()
        return req.redirect(to: SiteURL.login.path)
    }

    struct PasswordForm: Content { let current: String?; let new: String?; let confirm: String? }

    @Sendable static func showPassword(req: Request) async throws -> View {
        try await req.view.render("account/password", FormPage(shell: Shell(req)))
    }

    @Sendable static func changePassword(req: Request) async throws -> Response {
        let form = try req.content.decode(PasswordForm.self)
        let user = req.currentUser!
        do {
            guard try await req.password.async.verify(form.current ?? "", created: user.passwordHash) else {
                throw FieldError(field: "current", code: "bad_credentials", message: "当前密码不正确")
            }
            try PasswordRule.check(form.new ?? "", field: "new")
            guard form.new == form.confirm else {
                throw FieldError(field: "confirm", code: "mismatch", message: "两次输入的新密码不一致")
            }
            user.passwordHash = try await req.password.async.hash(form.new!)
            try await req.db.writeTransaction { db in
                try await user.save(on: db)
                // Whoever else holds a session of this account (a stolen cookie, a forgotten browser) is signed out.
                try await SessionStore.endSessions(of: user.id!, except: req.session.id, on: db as! any SQLDatabase)
                try await Audit.record(req, on: db, action: "password.change", entity: "user", id: user.id,
                                       region: user.regionCode, before: nil as String?, after: nil as String?)
            }
            var page = FormPage(shell: Shell(req))
            page.notice = "密码已修改"
            return try await req.view.render("account/password", page).encodeResponse(for: req)
        } catch let e as FieldError {
            return try await FormPage.rerender("account/password", req: req, error: e, values: [:])
        }
    }
}

/// At least 10 characters with letters and digits: short of a full policy, but it stops the worst.
enum PasswordRule {
    static func check(_ password: String, field: String) throws {
        guard password.count >= 10, password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw FieldError(field: field, code: "weak_password", message: "密码至少10位，且须同时包含字母和数字")
        }
    }
}
