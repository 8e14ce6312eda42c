#ifndef SIGNET_SPAWN_H
#define SIGNET_SPAWN_H

#include <spawn.h>

/// Adds a file action that closes every descriptor from `lowest` up in the child, so that it
/// inherits nothing of ours but what the other actions give it (glibc's addclosefrom_np).
int signet_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// A pipe whose two ends are close-on-exec from birth (pipe2 with O_CLOEXEC).
int signet_pipe_cloexec(int fds[2]);

/// Makes standard output line-buffered even when it is not a terminal, so that its lines stay
/// in order with those on (unbuffered) standard error in a log.
void signet_line_buffer_stdout(void);

/// glibc's malloc: at most `arenas` arenas (M_ARENA_MAX), and blocks of `mmap_threshold` bytes or
/// more always mapped on their own (M_MMAP_THRESHOLD); nothing elsewhere.
void signet_tune_malloc(int arenas, int mmap_threshold);

#endif
