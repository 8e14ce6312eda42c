/// What an account may do. Roles are not ranked: each endpoint lists the roles it admits (see
/// `AccessRules`), so that, for example, an admin manages accounts but does not approve releases.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Sees screens, schedules and the audit trail.
    case viewer
    /// Edits content and proposes releases.
    case editor
    /// Reviews proposals; signs them with their own key, outside the server.
    case approver
    /// Operates screens: blank, safe slide, restore, brightness.
    case `operator`
    /// Manages accounts and settings.
    case admin
}
