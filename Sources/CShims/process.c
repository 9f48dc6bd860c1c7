#define _GNU_SOURCE
#include "process_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int shim_open_executable(const char *path) {
    /* With O_PATH, O_NOFOLLOW opens a final symbolic link itself instead of failing. */
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    int error = 0;
    if (fstat(fd, &st) < 0)
        error = errno;
    else if (S_ISLNK(st.st_mode))
        error = ELOOP;
    else if (!S_ISREG(st.st_mode) || faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
        error = EACCES;
    if (error == 0) return fd;
    close(fd);
    errno = error;
    return -1;
}

int shim_open_directory(const char *path) { return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC); }

/* Shared between the parent and the child, which runs in the parent's memory until exec. */
struct spawn_args {
    int exe_fd;
    const char *path;
    int cwd_fd;
    char *const *argv;
    char *const *envp;
    int stdio[3];
    volatile int error;
};

/* Runs in the child on its own stack, with every signal blocked, sharing the parent's memory
 * (CLONE_VM): only system calls from here to exec. */
static int child_main(void *raw) {
    struct spawn_args *args = raw;
    /* Handlers belong to the parent's code; ignored signals would stay ignored across exec. */
    struct sigaction fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &fresh, NULL);
    }
    if (setpgid(0, 0) < 0) goto fail;
    if (args->cwd_fd >= 0 && fchdir(args->cwd_fd) < 0) goto fail;
    for (int target = 0; target < 3; target++) {
        if (dup2(args->stdio[target], target) < 0) goto fail;
    }
    /* Whatever the host or a plugin opened without O_CLOEXEC stays out of the child. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) goto fail;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execveat(args->exe_fd, "", args->argv, args->envp, AT_EMPTY_PATH);
    /* A script: its interpreter must open it by name, which a close-on-exec descriptor
     * cannot give it (ENOENT). Run it by its path, still refusing a symbolic link. */
    if (errno == ENOENT) execveat(AT_FDCWD, args->path, args->argv, args->envp, AT_SYMLINK_NOFOLLOW);
fail:
    args->error = errno;
    _exit(127);
}

/* Moves a new descriptor above stdio, so the child's dup2 onto 0-2 never overwrites a pipe
 * end it still has to move (possible when the host runs with stdio closed). */
static int above_stdio(int fd) {
    if (fd >= 3) return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

static int make_pipe(int ends[2], int parent_end) {
    if (pipe2(ends, O_CLOEXEC) < 0) return -1;
    ends[0] = above_stdio(ends[0]);
    ends[1] = above_stdio(ends[1]);
    if (ends[0] < 0 || ends[1] < 0 || fcntl(ends[parent_end], F_SETFL, O_NONBLOCK) < 0) {
        int error = errno;
        if (ends[0] >= 0) close(ends[0]);
        if (ends[1] >= 0) close(ends[1]);
        errno = error;
        return -1;
    }
    return 0;
}

#define CHILD_STACK_BYTES (256 * 1024)

int shim_spawn(int exe_fd, const char *path, int cwd_fd, char *const argv[], char *const envp[],
               shim_child *out) {
    /* pipes[i][child_end[i]] is the child's stdin, stdout, stderr; the other end the parent's. */
    int pipes[3][2];
    const int child_end[3] = {0, 1, 1};
    int made = 0, error = 0;
    for (; made < 3; made++) {
        if (make_pipe(pipes[made], 1 - child_end[made]) < 0) {
            error = errno;
            break;
        }
    }
    void *stack = MAP_FAILED;
    if (error == 0) {
        stack = mmap(NULL, CHILD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) error = errno;
    }
    int pid = -1, pidfd = -1;
    struct spawn_args args = {
        .exe_fd = exe_fd, .path = path, .cwd_fd = cwd_fd, .argv = argv, .envp = envp, .error = 0,
    };
    if (error == 0) {
        for (int i = 0; i < 3; i++) args.stdio[i] = pipes[i][child_end[i]];
        /* Blocked until exec: a host handler must never run in the child, which shares memory. */
        sigset_t all, previous;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &previous);
        /* CLONE_VFORK: this thread resumes once the child has exec'd or exited, so args.error
         * is final; CLONE_PIDFD: the pidfd names this very child, whatever happens to pids. */
        pid = clone(child_main, (char *)stack + CHILD_STACK_BYTES, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                    &args, &pidfd);
        if (pid < 0) error = errno;
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        munmap(stack, CHILD_STACK_BYTES);
    }
    for (int i = 0; i < made; i++) close(pipes[i][child_end[i]]);
    if (error == 0 && args.error != 0) {
        error = args.error;
        siginfo_t info;
        while (waitid(P_PIDFD, pidfd, &info, WEXITED) < 0 && errno == EINTR) {
        }
    }
    if (error != 0) {
        for (int i = 0; i < made; i++) close(pipes[i][1 - child_end[i]]);
        if (pidfd >= 0) close(pidfd);
        return error;
    }
    out->pid = pid;
    out->pidfd = pidfd;
    out->stdin_fd = pipes[0][1];
    out->stdout_fd = pipes[1][0];
    out->stderr_fd = pipes[2][0];
    return 0;
}

int shim_reap(int pidfd, int *exit_code, int *signal) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PIDFD, pidfd, &info, WEXITED | WNOHANG) < 0) return -1;
    if (info.si_pid == 0) return 0;
    if (info.si_code == CLD_EXITED) {
        *exit_code = info.si_status;
        *signal = 0;
    } else {
        *exit_code = -1;
        *signal = info.si_status;
    }
    return 1;
}

int shim_signal_group(int pid, int sig) {
    if (kill(-pid, sig) == 0) return 0;
    if (errno != ESRCH) return -1;
    return kill(pid, sig);
}
