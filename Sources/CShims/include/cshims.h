/* The few libc facilities Glibc's Swift module does not expose (epoll, accept4, eventfd,
 * signal waiting, memmem), wrapped with plain types so Swift sees stable signatures. _GNU_SOURCE is
 * defined only in the .c files: in a header it clashes with Dispatch's module. */
#ifndef PATTERN_CSHIMS_H
#define PATTERN_CSHIMS_H

#include <stddef.h>
#include <stdint.h>

typedef struct shim_epoll_event {
    uint32_t events;
    uint64_t data;
} shim_epoll_event;

#define SHIM_EPOLLIN 0x001u
#define SHIM_EPOLLOUT 0x004u
#define SHIM_EPOLLERR 0x008u
#define SHIM_EPOLLHUP 0x010u
#define SHIM_EPOLLRDHUP 0x2000u
#define SHIM_EPOLLET (1u << 31)

#define SHIM_EPOLL_CTL_ADD 1
#define SHIM_EPOLL_CTL_DEL 2
#define SHIM_EPOLL_CTL_MOD 3

int shim_epoll_create(void);
int shim_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/* Fills up to `max` events; returns the count, or -1 with errno. */
int shim_epoll_wait(int epfd, shim_epoll_event *events, int max, int timeout_ms);

/* A non-blocking, close-on-exec listening TCP socket with SO_REUSEADDR and SO_REUSEPORT.
 * Returns the fd or -1 with errno. `host` is a numeric IPv4 or IPv6 address. */
int shim_listen_tcp(const char *host, int port, int backlog);
/* The port a listening socket is bound to, or -1. */
int shim_local_port(int fd);
/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; writes the peer's numeric address (up to
 * `ip_cap` bytes, NUL-terminated) into `ip`. Returns the fd or -1 with errno. */
int shim_accept(int listen_fd, char *ip, int ip_cap);
/* Sets TCP_NODELAY. */
int shim_set_nodelay(int fd);

/* A non-blocking eventfd for waking an event loop; -1 on error. */
int shim_eventfd(void);
int shim_eventfd_signal(int fd);
void shim_eventfd_drain(int fd);

/* Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread (call before spawning threads,
 * which inherit the mask). */
int shim_block_signals(void);
/* Waits for SIGTERM or SIGINT; returns the signal number. */
int shim_wait_for_termination(void);

/* Current errno (a macro in C, so not visible to Swift as a variable). */
int shim_errno(void);
/* Writes bytes to stderr, unbuffered. */
void shim_write_stderr(const char *bytes, long length);

/* glibc's memmem: the first occurrence of `needle` in `haystack`, or NULL. Linear time and no
 * allocation whatever the input (Foundation's substring search is quadratic). */
const void *shim_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
/* ----- outbound connections -------------------------------------------------------- */

/* An address of a resolved name: family AF_INET (4 bytes used) or AF_INET6 (16 bytes). */
typedef struct shim_address {
    int family;
    uint8_t bytes[16];
} shim_address;

/* getaddrinfo(host) for TCP, addresses only, in the resolver's order. Fills up to `max`;
 * returns the count, or a negative EAI_* code. Blocks: call it off the event loops. */
int shim_resolve(const char *host, shim_address *out, int max);
/* The text of a negative shim_resolve result. */
const char *shim_resolve_error(int code);
/* A non-blocking, close-on-exec TCP socket connecting to address:port (TCP_NODELAY set).
 * Returns the fd (the connection is in progress or made) or -1 with errno. */
int shim_connect_tcp(const shim_address *address, int port);
/* The pending error of a socket (SO_ERROR): 0 once a connect succeeded. */
int shim_socket_error(int fd);

#endif
