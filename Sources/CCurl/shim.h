// The whole C surface this project uses of libcurl: the easy interface. curl_easy_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call, so each argument type gets a typed
// wrapper here.
#ifndef DATA_ACTION_CCURL_SHIM_H
#define DATA_ACTION_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*data_action_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode data_action_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode data_action_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode data_action_curl_set_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode data_action_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode data_action_curl_set_write_callback(CURL *handle, data_action_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode data_action_curl_response_code(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}
#endif
