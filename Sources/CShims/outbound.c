#define _GNU_SOURCE
#include "cshims.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int shim_resolve(const char *host, shim_address *out, int max) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* No AI_ADDRCONFIG: it hides loopback names on hosts that only have loopback. */
    struct addrinfo *list = NULL;
    int status = getaddrinfo(host, NULL, &hints, &list);
    if (status != 0) return status < 0 ? status : -status;
    int count = 0;
    for (struct addrinfo *entry = list; entry && count < max; entry = entry->ai_next) {
        if (entry->ai_family == AF_INET) {
            out[count].family = AF_INET;
            memset(out[count].bytes, 0, 16);
            memcpy(out[count].bytes, &((struct sockaddr_in *)entry->ai_addr)->sin_addr, 4);
        } else if (entry->ai_family == AF_INET6) {
            out[count].family = AF_INET6;
            memcpy(out[count].bytes, &((struct sockaddr_in6 *)entry->ai_addr)->sin6_addr, 16);
        } else {
            continue;
        }
        int duplicate = 0;
        for (int i = 0; i < count && !duplicate; i++)
            duplicate = out[i].family == out[count].family && memcmp(out[i].bytes, out[count].bytes, 16) == 0;
        if (!duplicate) count++;
    }
    freeaddrinfo(list);
    return count;
}

const char *shim_resolve_error(int code) { return gai_strerror(code < 0 ? code : -code); }

int shim_connect_tcp(const shim_address *address, int port) {
    struct sockaddr_storage storage;
    socklen_t length;
    memset(&storage, 0, sizeof storage);
    if (address->family == AF_INET) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        memcpy(&v4->sin_addr, address->bytes, 4);
        length = sizeof *v4;
    } else if (address->family == AF_INET6) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        memcpy(&v6->sin6_addr, address->bytes, 16);
        length = sizeof *v6;
    } else {
        errno = EAFNOSUPPORT;
        return -1;
    }
    int fd = socket(address->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&storage, length) < 0 && errno != EINPROGRESS) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int shim_socket_error(int fd) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return errno;
    return error;
}
