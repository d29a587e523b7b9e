// The whole C surface this project uses: libfcgi's reentrant application API, and the two
// system calls the server needs that Swift's Glibc module does not declare (or, being variadic,
// cannot import).
#ifndef DATA_ACTION_CFASTCGI_SHIM_H
#define DATA_ACTION_CFASTCGI_SHIM_H
#include <fcgiapp.h>
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
#endif
