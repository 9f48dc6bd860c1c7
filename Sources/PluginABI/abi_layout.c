/* Compile-time checks of the ABI's layout on this platform: a change that moves a field
 * fails the build instead of breaking plugins built against an earlier header. */
#include "pattern_plugin.h"
#include "pattern_login_throttle_service.h"
#include "pattern_providers_service.h"
#include "pattern_agents_service.h"
#include "pattern_groups_service.h"
#include "pattern_chat_service.h"
#include "pattern_mcp_service.h"

_Static_assert(sizeof(pattern_str) == 16, "pattern_str is (pointer, length)");
_Static_assert(offsetof(pattern_plugin_descriptor, init) == 72, "descriptor layout of 1.0");
_Static_assert(offsetof(pattern_host_v1, core) == 8, "host table layout of 1.0");
_Static_assert(offsetof(pattern_host_v1, config) == 72, "host table layout of 1.0");
_Static_assert(offsetof(pattern_route, openapi) == 80, "route layout of 1.0");
_Static_assert(offsetof(pattern_http_api, elapsed_seconds) == 216, "http table layout of 1.0");
_Static_assert(offsetof(pattern_http_api, exchange_summary) == 224, "http table layout of 1.2");
_Static_assert(offsetof(pattern_exchange_summary, elapsed_nanoseconds) == 56, "exchange summary layout of 1.2");
_Static_assert(offsetof(pattern_principal, rate_limit) == 64, "principal layout of 1.0");
_Static_assert(offsetof(pattern_principal, rate_limit_above_policy) == 96, "principal layout of 1.3");
_Static_assert(offsetof(pattern_ws_api, publish) == 48, "ws table layout of 1.1");
_Static_assert(offsetof(pattern_ws_api, close_sessions) == 56, "ws table layout of 1.3");
_Static_assert(offsetof(pattern_http_api, defer) == 232, "http table layout of 1.4");
_Static_assert(offsetof(pattern_http_api, may_block) == 240, "http table layout of 1.5");
_Static_assert(offsetof(pattern_host_v1, process) == 104, "host table layout of 1.4");
_Static_assert(offsetof(pattern_client_request, userdata) == 136, "client request layout of 1.4");
_Static_assert(offsetof(pattern_process_spec, userdata) == 96, "process spec layout of 1.4");
_Static_assert(offsetof(pattern_process_spec, cwd) == 104, "process spec layout of 1.4");
_Static_assert(offsetof(pattern_login_throttle_v1, record_failure) == 16, "login throttle layout of its first version");
_Static_assert(offsetof(pattern_host_v1, secrets) == 112, "host table layout of 1.4");
_Static_assert(offsetof(pattern_secrets_api, on_rotate) == 32, "secrets table layout of 1.4");
_Static_assert(offsetof(pattern_host_v1, cli) == 128, "host table layout of 1.6 (after json)");
_Static_assert(offsetof(pattern_command, userdata) == 64, "command layout of 1.6");
_Static_assert(offsetof(pattern_responses_api, abort) == 80, "responses table layout of 1.4");
_Static_assert(offsetof(pattern_providers_v1, resolve) == 24, "providers.v1 layout of its first version");
_Static_assert(offsetof(pattern_agents_v1, count_agents) == 16, "agents.v1 layout of its first version");
_Static_assert(offsetof(pattern_agents_v1, memory_tool) == 56, "agents.v1 layout with the chat slots");
_Static_assert(offsetof(pattern_agents_v1, update_memory) == 88, "agents.v1 layout with the API slots");
_Static_assert(offsetof(pattern_groups_v1, list_sleeptime_groups) == 32, "groups.v1 layout of its first version");
_Static_assert(offsetof(pattern_groups_v1, list_groups) == 40, "groups.v1 layout with list_groups");
_Static_assert(offsetof(pattern_chat_v1, search) == 24, "chat.v1 layout of its first version");
_Static_assert(offsetof(pattern_mcp_v1, call_tool) == 16, "mcp.v1 layout of its first version");
_Static_assert(offsetof(pattern_mcp_call_sink, on_complete) == 16, "mcp.v1 call sink layout of its first version");
