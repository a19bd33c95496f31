import BangfuKit
import Fluent
import Vapor

/// Password login with lockout, logout and password change.
enum LoginController {
    static let maxFailures = 5
    static let lockMinutes = 15

    struct LoginForm: Content { let username: String?; let password: String? }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("login", LoginPage(shell: Shell(req), error: nil, username: ""))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let username = form.username?.trimmed ?? ""
        do {
            let user = try await verify(username: username, password: form.password ?? "", req: req)
            try await Authentication.logIn(user, on: req)
            return req.redirect(to: SiteURL.home.path)
        } catch let e as APIError {
            let page = LoginPage(shell: Shell(req), error: e.message, username: username)
            // The form is re-shown, not an auth challenge: 422 keeps 401/403 for the policy's refusals.
            return try await req.render("login", page, status: .unprocessableEntity)
        }
    }

    /// Checks the password and keeps the failure count; five failures lock the account for 15 minutes.
    static func verify(username: String, password: String, req: Request) async throws -> User {
        let wrong = APIError(status: .unauthorized, code: "bad_credentials", message: "用户名或密码错误")
        guard let user = try await User.query(on: req.db).filter(\.$username == username).first(), user.isActive else {
            throw wrong
        }
        if let until = user.lockedUntil, until > Date() {
            throw APIError(status: .forbidden, code: "locked",
                           message: "连续登录失败次数过多，账号已锁定至 \(ShanghaiCalendar.format(until))")
        }
        let ok = try await req.password.async.verify(password, created: user.passwordHash)
        try await req.db.transaction { db in
            let before = user.failedLogins
            user.failedLogins = ok ? 0 : user.failedLogins + 1
            if user.failedLogins >= maxFailures {
                user.lockedUntil = Date().addingTimeInterval(Double(lockMinutes * 60))
                user.failedLogins = 0
            }
            try await user.save(on: db)
            let action = ok ? "login" : (user.lockedUntil.map { $0 > Date() } == true ? "login.locked" : "login.failed")
            try await Audit.record(req, on: db, action: action, entity: "user", id: user.id, region: user.regionCode,
                                   actor: user, before: ["failedLogins": before], after: ["failedLogins": user.failedLogins])
        }
        guard ok else { throw wrong }
        return user
    }

    @Sendable static func logout(req: Request) async throws -> Response {
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
            try await req.db.transaction { db in
                try await user.save(on: db)
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
