import BangfuKit
import Fluent
import Vapor

/// Whom a piece of work runs for: read off a request, or — for a job any server may run later — rebuilt from the
/// user who started it, with the scope the policy grants that user for the job's action at the time it runs.
struct Caller: Sendable {
    let user: User?
    let scope: Scope
    let today: LocalDate
    let cipher: FieldCipher
    let origin: Audit.Origin

    init(_ req: Request) {
        user = req.currentUser
        scope = req.scope
        today = req.today
        cipher = req.fieldCipher
        origin = .request(req)
    }

    /// Refuses when the user is gone, deactivated, or no longer allowed the action.
    init(job: JobRecord, action: Action, app: Application) async throws {
        guard let id = job.ownerID,
              let user = try await User.find(id, on: app.db), user.isActive,
              let scope = AccessPolicy.scope(of: user.actor, for: action)
        else { throw APIError.forbidden }
        self.user = user
        self.scope = scope
        today = app.today
        cipher = app.fieldCipher
        origin = job.origin
    }
}

extension Caller {
    /// The region an office's scope stops at: where its runs (reconciliation, scans, warnings) reach.
    func jurisdiction() throws -> RegionCode {
        guard case .region(let r) = scope else { throw APIError.forbidden }
        return r
    }
}
