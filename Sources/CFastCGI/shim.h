// The whole C surface this project uses: libfcgi's reentrant application API, and the system
// calls the server needs that Swift's Glibc module does not declare (or, being variadic or
// taking a packed struct, cannot import as they are).
#ifndef DATA_ACTION_CFASTCGI_SHIM_H
#define DATA_ACTION_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

// glibc has accept4 (Linux 2.6.28) but declares it only under _GNU_SOURCE: accepting with
// SOCK_CLOEXEC saves an fcntl per connection.
int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);

// The bytes waiting unread on a socket (FIONREAD), or -1 when it cannot tell: ioctl is variadic.
static inline int data_action_unread_bytes(int socket) {
    int count = 0;
    return ioctl(socket, FIONREAD, &count) == 0 ? count : -1;
}

// Adds `fd` to the epoll instance `poller`, watched for reading: every time it is readable, or
// (`_once`) once until watched again with `again` set. 0, or -1 with errno.
static inline int data_action_epoll_watch(int poller, int fd) {
    struct epoll_event event = { .events = EPOLLIN, .data = { .fd = fd } };
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

static inline int data_action_epoll_watch_once(int poller, int fd, int again) {
    struct epoll_event event = { .events = EPOLLIN | EPOLLONESHOT, .data = { .fd = fd } };
    return epoll_ctl(poller, again ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
}

// Waits on `poller` without a time limit: the descriptor of one that is readable, or -1 with
// errno. (struct epoll_event is packed on x86-64.)
static inline int data_action_epoll_wait_one(int poller) {
    struct epoll_event event;
    int ready = epoll_wait(poller, &event, 1, -1);
    return ready == 1 ? event.data.fd : -1;
}
#endif
