/* Loader fixture: requires a plugin that is not loaded. The host must refuse to start with a
 * line naming this plugin and the missing one. */
#include <pattern_plugin.h>

#define LIT(literal) {literal, sizeof(literal) - 1}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    (void)host; (void)self; (void)error;
    return PATTERN_OK;
}

static const pattern_str requirements[] = {LIT("nonexistent")};

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("needs-missing"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: requires the plugin \"nonexistent\""),
    .requires = requirements,
    .requires_count = 1,
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
