// The whole C surface this project uses: libfcgi's reentrant application API, and the one
// system call the server needs that Swift's Glibc module does not declare.
#ifndef DATA_ACTION_CFASTCGI_SHIM_H
#define DATA_ACTION_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/socket.h>

// glibc has accept4 (Linux 2.6.28) but declares it only under _GNU_SOURCE: accepting with
// SOCK_CLOEXEC saves an fcntl per connection.
int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);
#endif
