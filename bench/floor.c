/*
 * The FastCGI floor: the least any libfcgi responder can do per request on this machine.
 *
 * Shaped like libfcgi's examples/threaded.c: THREADS threads, each looping on FCGX_Accept_r
 * under one accept mutex on the listening socket it was given on fd 0 (spawn-fcgi), reading the
 * whole body and answering a fixed JSON body with the headers data-action sends. No parsing, no
 * upstream, no logging: whatever the service costs above this is the service's own.
 *
 *   cc -O2 -o floor floor.c -lfcgi -lpthread
 *   spawn-fcgi -n -s floor.sock -- ./floor [THREADS]
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t accept_mutex = PTHREAD_MUTEX_INITIALIZER;

/* The service's answer for user 1, byte for byte. */
static const char answer_body[] =
    "{\"outputs\":{\"userEmail\":\"Sincere@april.biz\",\"userFound\":true,"
    "\"userName\":\"Leanne Graham\",\"userPhone\":\"1-770-736-8031 x56442\"}}";
static char answer[512];
static int answer_length;

/* libfcgi's own SIGTERM handler does not wake threads blocked in accept: just leave. */
static void stop(int signal_number) {
    (void)signal_number;
    _exit(0);
}

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    char body[65536];
    FCGX_InitRequest(&request, 0, 0);
    for (;;) {
        pthread_mutex_lock(&accept_mutex);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_mutex);
        if (accepted < 0) break;
        while (FCGX_GetStr(body, sizeof body, request.in) > 0) {
        }
        FCGX_PutStr(answer, answer_length, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 64;
    if (threads < 1) threads = 1;
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    answer_length = snprintf(answer, sizeof answer,
                             "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                             "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n%s",
                             sizeof answer_body - 1, answer_body);
    FCGX_Init();
    signal(SIGTERM, stop);
    for (int index = 1; index < threads; index++) pthread_create(&ids[index], NULL, serve, NULL);
    serve(NULL);
    return 0;
}
