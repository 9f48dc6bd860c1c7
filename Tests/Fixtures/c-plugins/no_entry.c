/* Loader fixture: a shared library that exports no pattern_plugin_entry_v1. The host must
 * refuse it with a line naming the file and the missing symbol. */
#include <pattern_plugin.h>

PATTERN_EXPORT int not_a_pattern_plugin(void) {
    return 42;
}
