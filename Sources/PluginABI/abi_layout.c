/* Compile-time checks of the ABI's layout on this platform: a change that moves a field
 * fails the build instead of breaking plugins built against an earlier header. */
#include "pattern_plugin.h"

_Static_assert(sizeof(pattern_str) == 16, "pattern_str is (pointer, length)");
_Static_assert(offsetof(pattern_plugin_descriptor, init) == 72, "descriptor layout of 1.0");
_Static_assert(offsetof(pattern_host_v1, core) == 8, "host table layout of 1.0");
_Static_assert(offsetof(pattern_host_v1, config) == 72, "host table layout of 1.0");
_Static_assert(offsetof(pattern_route, openapi) == 80, "route layout of 1.0");
