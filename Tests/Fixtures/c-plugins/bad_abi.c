/* Loader fixture: a plugin built against a future major (ABI 2.0). The host must refuse it
 * with one line naming the plugin, its ABI and the host's, and never call its init. */
#include <pattern_plugin.h>

#define LIT(literal) {literal, sizeof(literal) - 1}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    (void)host; (void)self; (void)error;
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = 2,
    .abi_minor = 0,
    .name = LIT("bad-abi"),
    .version = LIT("2.0.0"),
    .description = LIT("Fixture: built against ABI 2.0"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
