/* Loader fixture: init fails with a message. The host must refuse to start and print the
 * plugin's name and its message. */
#include <pattern_plugin.h>

#define LIT(literal) {literal, sizeof(literal) - 1}

#include <string.h>

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    (void)host; (void)self;
    static const char message[] = "database unreachable: example";
    if (error != NULL && error->struct_size >= sizeof *error)
        memcpy(error->message, message, sizeof message);
    return PATTERN_INTERNAL;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("init-fails"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: init returns PATTERN_INTERNAL"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
