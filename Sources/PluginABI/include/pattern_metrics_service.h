/*
 * pattern_metrics_service.h: the "metrics.v1" named service.
 *
 * Provided by the metrics plugin, used by any plugin that wants its own metrics on
 * GET /metrics (e.g. auth's logins by result). A plugin defines a metric family once
 * (a counter, gauge or histogram with fixed label names), keeps the handle, and then adds,
 * sets or observes values by label values. Everything here is thread-safe and never
 * blocks for long: call it from handlers and INLINE middleware alike.
 *
 * The metrics plugin is optional, and plugins do not `require` it, so look the service up
 * lazily, on first use after the host started serving (services are frozen after init):
 *     const pattern_metrics_v1 *m = NULL;
 *     host->services->lookup(PATTERN_STR(PATTERN_METRICS_SERVICE_V1), (const void **)&m);
 * When it is absent (PATTERN_NOT_FOUND), skip the calls: metrics are then simply not kept.
 * Swift plugins use PluginKit's `Metrics`, which does exactly this.
 *
 * Naming (Prometheus conventions; define refuses what breaks them with PATTERN_INVALID):
 *   - family names match [a-zA-Z_][a-zA-Z0-9_]*, in base units (`_seconds`, `_bytes`);
 *     counters end in `_total` and nothing else does; no `_bucket/_sum/_count` suffixes.
 *   - label names match [a-zA-Z_][a-zA-Z0-9_]*, never start with `__`, never `le`.
 *   - label values are any UTF-8; keep their set small and bounded (no ids, no raw paths):
 *     each family keeps at most PATTERN_METRICS_MAX_SERIES label combinations, and
 *     observations of further combinations are dropped (PATTERN_BUSY).
 *
 * Ownership: every string and array is borrowed for the call and copied when kept.
 * A family handle lives as long as the process.
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_METRICS_SERVICE_H
#define PATTERN_METRICS_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_METRICS_SERVICE_V1 "metrics.v1"

/* Family types. */
#define PATTERN_METRIC_COUNTER 0   /* only goes up: add(delta >= 0) */
#define PATTERN_METRIC_GAUGE 1     /* goes up and down: add(any delta), set(value) */
#define PATTERN_METRIC_HISTOGRAM 2 /* observe(value) into cumulative buckets */

/* Label combinations kept per family; further ones are dropped. */
#define PATTERN_METRICS_MAX_SERIES 1000
/* Label names per family, and buckets per histogram. */
#define PATTERN_METRICS_MAX_LABELS 8
#define PATTERN_METRICS_MAX_BUCKETS 32

/* A defined family; opaque, valid for the life of the process. */
typedef struct pattern_metric_family pattern_metric_family;

typedef struct pattern_metrics_v1 {
    uint32_t struct_size;
    /* Defines a family and returns its handle in *family.
     *   type        PATTERN_METRIC_*
     *   name, help  the family's name and one line of help text (any UTF-8)
     *   label_names label_count names (0 ≤ count ≤ PATTERN_METRICS_MAX_LABELS)
     *   buckets     histograms only: bucket_count finite, strictly increasing upper bounds
     *               (the +Inf bucket is implicit); NULL and 0 choose the API defaults
     *               0.0005 … 10 (seconds). Ignored for counters and gauges.
     * Defining a name again with the same type, label names and buckets returns the same
     * handle (so a plugin may define on first use from several threads); a different
     * definition of an existing name is PATTERN_CONFLICT. PATTERN_INVALID for a bad name,
     * label name or bucket list. Any thread, any time. */
    pattern_status (*define)(int32_t type, pattern_str name, pattern_str help,
                             const pattern_str *label_names, size_t label_count,
                             const double *buckets, size_t bucket_count,
                             pattern_metric_family **family);
    /* Counters and gauges: adds `delta` to the series of these label values (label_count
     * values, in the order of the family's label names). A counter refuses a negative or
     * non-finite delta (PATTERN_INVALID). PATTERN_BUSY when the family is full. */
    pattern_status (*add)(pattern_metric_family *family, const pattern_str *label_values,
                          size_t label_count, double delta);
    /* Gauges only: sets the series to `value`. */
    pattern_status (*set)(pattern_metric_family *family, const pattern_str *label_values,
                          size_t label_count, double value);
    /* Histograms only: records one observation of `value` (e.g. seconds, bytes). */
    pattern_status (*observe)(pattern_metric_family *family, const pattern_str *label_values,
                              size_t label_count, double value);
} pattern_metrics_v1;

#endif
