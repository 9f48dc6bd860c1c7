/* ABI 1.2 fixture: a RESPONSE-phase middleware that reads http.exchange_summary twice, once
 * with the whole struct and once with a struct_size that ends after `method` (as a plugin
 * built against a shorter struct would), and reports both in an X-Exchange header:
 *   status=<s>;method=<m>;route=<template>;request=<n>;response=<n>;elapsed_ok=<0|1>;short_ok=<0|1>
 * short_ok says the short read filled status and method and left everything after alone. */
#include <pattern_plugin.h>

#include <stdio.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;

static pattern_status describe(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_exchange_summary full = {.struct_size = sizeof full};
    if (http->exchange_summary(request, &full) != PATTERN_OK)
        return PATTERN_CONTINUE;
    pattern_exchange_summary partial;
    memset(&partial, 0xAB, sizeof partial);
    partial.struct_size = offsetof(pattern_exchange_summary, route_template);
    http->exchange_summary(request, &partial);
    unsigned char untouched[sizeof partial - offsetof(pattern_exchange_summary, route_template)];
    memset(untouched, 0xAB, sizeof untouched);
    int short_ok = partial.struct_size == offsetof(pattern_exchange_summary, route_template)
                && partial.status == full.status && partial.method.len == full.method.len
                && memcmp((char *)&partial + offsetof(pattern_exchange_summary, route_template), untouched,
                          sizeof untouched) == 0;
    char value[512];
    int length = snprintf(value, sizeof value, "status=%d;method=%.*s;route=%.*s;request=%llu;response=%llu;"
                          "elapsed_ok=%d;short_ok=%d", full.status, (int)full.method.len, full.method.ptr,
                          (int)full.route_template.len, full.route_template.ptr,
                          (unsigned long long)full.request_body_size, (unsigned long long)full.response_body_size,
                          full.elapsed_nanoseconds > 0 && full.elapsed_nanoseconds < 60000000000ULL, short_ok);
    if (length > 0 && (size_t)length < sizeof value)
        http->add_header(request, STR("X-Exchange"), (pattern_str){value, (size_t)length});
    return PATTERN_CONTINUE;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    (void)error;
    http = host->http;
    if (!PATTERN_HAS_FIELD(http, pattern_http_api, exchange_summary))
        return PATTERN_UNSUPPORTED;
    const pattern_middleware middleware = {
        .struct_size = sizeof(pattern_middleware), .phase = PATTERN_PHASE_RESPONSE,
        .order = 100, .run = describe, .flags = PATTERN_INLINE,
    };
    return http->add_middleware(self, &middleware);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("exchange-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: reports http.exchange_summary in a header"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
