/*
 * pattern_plugin_util.h: optional helpers for plugins written in C, all `static inline`, so
 * including this header adds no symbol and no link dependency (like SQLite's sqlite3ext.h
 * macros). Nothing here calls the host: the helpers build what a plugin hands to it.
 *
 *   PATTERN_LIT("text")           a pattern_str of a literal, in initializers
 *   PATTERN_STR("text")           the same as an expression
 *   pattern_buffer                a growable byte buffer with a size bound
 *   pattern_buffer_json_string()  appends a JSON string literal (quotes included), escaping
 *                                 what JSON requires and replacing malformed UTF-8 by U+FFFD;
 *                                 pattern_buffer_json_escape() the same without the quotes
 *   pattern_fail()                fills init's pattern_error and returns a status
 *
 * Example (a handler answering {"message":"hello, <name>"}):
 *
 *     pattern_buffer body = PATTERN_BUFFER_INIT(4096);
 *     pattern_buffer_append(&body, PATTERN_STR("{\"message\":"));
 *     pattern_buffer_json_string(&body, name);
 *     pattern_buffer_append(&body, PATTERN_STR("}"));
 *     pattern_status status = body.failed ? PATTERN_INTERNAL
 *                                         : http->write_body(request, pattern_buffer_str(&body));
 *     pattern_buffer_free(&body);
 */
#ifndef PATTERN_PLUGIN_UTIL_H
#define PATTERN_PLUGIN_UTIL_H

#include "pattern_plugin.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A pattern_str of a string literal (not a pointer): sizeof counts the terminating NUL. */
#define PATTERN_LIT(literal) {(literal), sizeof(literal) - 1}
#define PATTERN_STR(literal) ((pattern_str)PATTERN_LIT(literal))

/* Bytes on the heap, grown on demand up to `limit`. An append that would pass the limit, or
 * that cannot allocate, sets `failed` and leaves the contents as they were, so a caller may
 * append a whole document and check once at the end. */
typedef struct pattern_buffer {
    char *bytes;
    size_t len;
    size_t capacity;
    size_t limit;
    int failed;
} pattern_buffer;

#define PATTERN_BUFFER_INIT(limit_bytes) {NULL, 0, 0, (limit_bytes), 0}

static inline int pattern_buffer_reserve(pattern_buffer *b, size_t more) {
    if (b->failed)
        return 0;
    if (more > b->limit - b->len || b->len > b->limit) {
        b->failed = 1;
        return 0;
    }
    if (b->len + more <= b->capacity)
        return 1;
    size_t capacity = b->capacity ? b->capacity : 64;
    while (capacity < b->len + more)
        capacity = capacity > b->limit / 2 ? b->limit : capacity * 2;
    char *grown = (char *)realloc(b->bytes, capacity);
    if (grown == NULL) {
        b->failed = 1;
        return 0;
    }
    b->bytes = grown;
    b->capacity = capacity;
    return 1;
}

static inline void pattern_buffer_append(pattern_buffer *b, pattern_str text) {
    if (text.len > 0 && pattern_buffer_reserve(b, text.len)) {
        memcpy(b->bytes + b->len, text.ptr, text.len);
        b->len += text.len;
    }
}

/* Appends a decimal integer. */
static inline void pattern_buffer_int(pattern_buffer *b, int64_t value) {
    char digits[24];
    size_t n = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        digits[sizeof digits - 1 - n++] = '-';
    pattern_buffer_append(b, (pattern_str){digits + sizeof digits - n, n});
}

/* Length of the well-formed UTF-8 sequence at s[0..len), or 0 when it is malformed (overlong
 * forms, surrogates and code points above U+10FFFF included). */
static inline size_t pattern_utf8_sequence_length(const unsigned char *s, size_t len) {
    unsigned char c = s[0];
    size_t n;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Appends `text` as the inside of a JSON string (no quotes): `"` and `\` escaped, control
 * characters and DEL as \n, \r, \t or \u00XX (the host's own escaper does the same),
 * malformed UTF-8 replaced by \ufffd, so the output is always valid JSON. */
static inline void pattern_buffer_json_escape(pattern_buffer *b, pattern_str text) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text.ptr;
    size_t i = 0, run = 0; /* s[run..i) is copied as it is */
    while (i < text.len) {
        unsigned char c = s[i];
        char escape[6] = {'\\', 0, 0, 0, 0, 0};
        size_t escape_len = 2;
        size_t step = 1;
        if (c == '"' || c == '\\') {
            escape[1] = (char)c;
        } else if (c == '\n') {
            escape[1] = 'n';
        } else if (c == '\r') {
            escape[1] = 'r';
        } else if (c == '\t') {
            escape[1] = 't';
        } else if (c < 0x20) { /* what RFC 8259 requires, as PatternText.JSONString does */
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[c >> 4];
            escape[5] = hex[c & 0xF];
            escape_len = 6;
        } else if ((step = pattern_utf8_sequence_length(s + i, text.len - i)) == 0) {
            memcpy(escape + 1, "ufffd", 5);
            escape_len = 6;
            step = 1;
        } else {
            i += step;
            continue;
        }
        pattern_buffer_append(b, (pattern_str){(const char *)s + run, i - run});
        pattern_buffer_append(b, (pattern_str){escape, escape_len});
        i += step;
        run = i;
    }
    pattern_buffer_append(b, (pattern_str){(const char *)s + run, i - run});
}

/* Appends `text` as a JSON string literal, quotes included. */
static inline void pattern_buffer_json_string(pattern_buffer *b, pattern_str text) {
    pattern_buffer_append(b, PATTERN_STR("\""));
    pattern_buffer_json_escape(b, text);
    pattern_buffer_append(b, PATTERN_STR("\""));
}

static inline pattern_str pattern_buffer_str(const pattern_buffer *b) {
    return (pattern_str){b->bytes, b->len};
}

static inline void pattern_buffer_free(pattern_buffer *b) {
    free(b->bytes);
    *b = (pattern_buffer)PATTERN_BUFFER_INIT(b->limit);
}

/* For init: copies `message` (truncated to fit) into `error` when the host passed one large
 * enough, and returns `status`. */
static inline pattern_status pattern_fail(pattern_error *error, pattern_status status, const char *message) {
    if (error != NULL && error->struct_size >= sizeof *error) {
        size_t n = strlen(message);
        if (n >= sizeof error->message)
            n = sizeof error->message - 1;
        memcpy(error->message, message, n);
        error->message[n] = '\0';
    }
    return status;
}

#endif /* PATTERN_PLUGIN_UTIL_H */
