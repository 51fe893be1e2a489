#pragma once
#include <curl/curl.h>

/* curl_easy_setopt / curl_multi_setopt / curl_share_setopt / curl_easy_getinfo are variadic
   and cannot be called from Swift; these typed wrappers forward one argument each. */

typedef size_t (*vt_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef curl_socket_t (*vt_opensocket_callback)(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);

static inline CURLcode vt_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vt_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vt_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vt_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vt_easy_setopt_share(CURL *h, CURLSH *v) { return curl_easy_setopt(h, CURLOPT_SHARE, v); }
static inline CURLcode vt_easy_setopt_data_callback(CURL *h, CURLoption o, vt_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vt_easy_setopt_opensocket(CURL *h, vt_opensocket_callback v) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v); }

static inline CURLcode vt_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode vt_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode vt_easy_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode vt_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLSHcode vt_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }

/* CURLMsg.data is a union; expose the result code. */
static inline CURLcode vt_msg_result(const CURLMsg *m) { return m->data.result; }
