// The whole C surface this project uses: libfcgi's reentrant application API.
#ifndef DATA_ACTION_CFASTCGI_SHIM_H
#define DATA_ACTION_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
