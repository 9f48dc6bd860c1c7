/* Starting and reaping child processes: the parts that must run between clone and exec,
 * where only raw system calls are safe, and the siginfo_t unpacking Swift cannot do. */
#ifndef PATTERN_PROCESS_SHIM_H
#define PATTERN_PROCESS_SHIM_H

/* A started child: its pid, a pidfd (readable once it exits) and the parent's ends of its
 * stdin, stdout and stderr pipes. Every descriptor is non-blocking and close-on-exec. */
typedef struct shim_child {
    int pid;
    int pidfd;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
} shim_child;

/* Opens `path` as an O_PATH descriptor without following a final symbolic link. Returns the
 * descriptor, or -1 with errno: ELOOP for a symbolic link, EACCES for anything that is not
 * an executable regular file, or open's own error (ENOENT, ENOTDIR ...). */
int shim_open_executable(const char *path);

/* Opens the directory `path` as an O_PATH descriptor, or returns -1 with errno. */
int shim_open_directory(const char *path);

/* Runs the file `exe_fd` (from shim_open_executable; `path` is the same file, for scripts
 * whose interpreter must open it by name) with exactly `argv` and `envp` (NULL-terminated),
 * in the directory `cwd_fd` (from shim_open_directory; -1: this process's), as the leader
 * of a new process group, with default signal dispositions, an empty signal mask, stdio on
 * fresh pipes and every other descriptor closed. Returns 0 and fills `out`, or an errno
 * value: the exec's own when the program could not start (nothing is left running then).
 * Any thread. */
int shim_spawn(int exe_fd, const char *path, int cwd_fd, char *const argv[], char *const envp[],
               shim_child *out);

/* Reaps an exited child through its pidfd without blocking. Returns 1 with *exit_code set
 * (or *exit_code = -1 and *signal the signal that ended it), 0 when it has not exited, -1
 * with errno on failure. */
int shim_reap(int pidfd, int *exit_code, int *signal);

/* Sends `sig` to the process group `pid` leads, or to `pid` alone when it has left its
 * group. Returns 0 or -1 with errno. */
int shim_signal_group(int pid, int sig);

#endif
