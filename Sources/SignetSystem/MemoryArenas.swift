import CSignetSpawn

/// Keeps a long-running process that handles large buffers (a player's frames) near the memory it
/// uses. glibc gives each allocating thread an arena of its own (up to eight per core) and does
/// not reuse memory freed in one arena for another; and after a large buffer is freed it raises
/// its threshold for mapping buffers on their own, so the next frames come from the heap and their
/// memory stays resident after they are freed. Two arenas and a fixed 1 MiB threshold: every
/// frame-sized buffer is mapped when allocated and returned when freed.
public func tuneMallocForLargeBuffers() { signet_tune_malloc(2, 1 << 20) }
