/*
 * The FastCGI floors: the least any libfcgi responder can do per lookup on this machine.
 *
 * Shaped like libfcgi's examples/threaded.c: THREADS threads, each looping on FCGX_Accept_r
 * under one accept mutex on the listening socket it was given on fd 0 (spawn-fcgi) and reading
 * the whole body. Without UPSTREAM it answers a fixed JSON body with the headers data-action
 * sends. With UPSTREAM (a base URL) each thread keeps one libcurl easy handle, does one
 * kept-alive GET UPSTREAM/1 per request and writes the mapped JSON (name, email, phone copied
 * out of the answer). No input parsing, no checks, no logging: whatever the service costs above
 * this is the service's own.
 *
 *   cc -O2 -o floor floor.c -lfcgi -lcurl -lpthread
 *   spawn-fcgi -n -s floor.sock -- ./floor [THREADS [UPSTREAM]]
 */
#include <curl/curl.h>
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

static const char *upstream_url;

struct buffer {
    char bytes[65536];
    size_t length;
};

static size_t collect(char *data, size_t size, size_t count, void *context) {
    struct buffer *buffer = context;
    size_t length = size * count;
    if (buffer->length + length >= sizeof buffer->bytes) return 0;
    memcpy(buffer->bytes + buffer->length, data, length);
    buffer->length += length;
    buffer->bytes[buffer->length] = 0;
    return length;
}

/* The string value of the first "key" member, copied into out (no escapes handled; blanks
 * around the colon allowed, as in the demo's pretty-printed users). */
static void field(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *start = strstr(json, pattern);
    out[0] = 0;
    if (!start) return;
    start += strlen(pattern);
    start += strspn(start, " \t\r\n");
    if (*start++ != ':') return;
    start += strspn(start, " \t\r\n");
    if (*start++ != '"') return;
    const char *end = strchr(start, '"');
    size_t length = end ? (size_t)(end - start) : 0;
    if (length >= size) length = size - 1;
    memcpy(out, start, length);
    out[length] = 0;
}

/* One kept-alive GET and the mapped answer; 502 when the upstream fails. */
static int lookup(CURL *curl, struct buffer *upstream, char *out, size_t size) {
    upstream->length = 0;
    if (curl_easy_perform(curl) != CURLE_OK) {
        return snprintf(out, size, "Status: 502 Bad Gateway\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{}");
    }
    char name[256], email[256], phone[256], json[1024];
    field(upstream->bytes, "name", name, sizeof name);
    field(upstream->bytes, "email", email, sizeof email);
    field(upstream->bytes, "phone", phone, sizeof phone);
    int length = snprintf(json, sizeof json,
                          "{\"outputs\":{\"userEmail\":\"%s\",\"userFound\":true,\"userName\":\"%s\",\"userPhone\":\"%s\"}}",
                          email, name, phone);
    return snprintf(out, size,
                    "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                    "Cache-Control: no-store\r\nContent-Length: %d\r\n\r\n%s",
                    length, json);
}

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    char body[65536];
    char mapped[2048];
    struct buffer *upstream = malloc(sizeof *upstream);
    CURL *curl = NULL;
    if (upstream_url) {
        char url[1024];
        snprintf(url, sizeof url, "%s/1", upstream_url);
        curl = curl_easy_init();
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, upstream);
    }
    FCGX_InitRequest(&request, 0, 0);
    for (;;) {
        pthread_mutex_lock(&accept_mutex);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_mutex);
        if (accepted < 0) break;
        while (FCGX_GetStr(body, sizeof body, request.in) > 0) {
        }
        if (curl) {
            FCGX_PutStr(mapped, lookup(curl, upstream, mapped, sizeof mapped), request.out);
        } else {
            FCGX_PutStr(answer, answer_length, request.out);
        }
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 64;
    if (threads < 1) threads = 1;
    upstream_url = argc > 2 ? argv[2] : NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
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
