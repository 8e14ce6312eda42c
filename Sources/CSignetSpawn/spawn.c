// glibc declares pipe2 and posix_spawn_file_actions_addclosefrom_np only under _GNU_SOURCE, which
// Swift's Glibc module does not define: these wrappers make them callable.
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "signet_spawn.h"
#include <malloc.h>
#include <stdio.h>

int signet_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int signet_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

void signet_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

void signet_tune_malloc(int arenas, int mmap_threshold) {
#if defined(M_ARENA_MAX) && defined(M_MMAP_THRESHOLD)
    mallopt(M_ARENA_MAX, arenas);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
#endif
}
