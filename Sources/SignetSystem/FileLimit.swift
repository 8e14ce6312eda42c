#if canImport(Glibc)
import Glibc
#endif

/// The open-file limit: a server holds a socket per screen, and Linux's usual soft limit (1,024,
/// or 20,000 on these machines) is below a large fleet's.
public enum FileLimit {
    /// Raises this process's limit to at least `wanted` open files (children inherit it): the
    /// soft limit up to the hard one, and the hard one too where the process may (root). Returns
    /// the limit now in force.
    @discardableResult
    public static func raise(to wanted: Int) -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        let target = rlim_t(wanted)
        guard limit.rlim_cur < target else { return Int(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = target
        raised.rlim_max = max(limit.rlim_max, target)
        if setrlimit(resource, &raised) != 0 {
            raised = limit
            raised.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &raised)
        }
        return getrlimit(resource, &limit) == 0 ? Int(limit.rlim_cur) : 0
    }
}
