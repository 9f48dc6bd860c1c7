/* command_probe: command-line commands through the ABI (1.6) from plain C.
 *   pattern-server command_probe echo WORDS...   prints the words it got, exits 3
 *   pattern-server command_probe registrations   prints what add_command answered in init */
#include <pattern_plugin.h>
#include <stdio.h>

#define STR(s) ((pattern_str){s, sizeof(s) - 1})
static pattern_status bad_name_status, duplicate_status, no_summary_status;

static int32_t echo(const pattern_str *arguments, size_t count, void *userdata) {
    (void)userdata;
    printf("%zu:", count);
    for (size_t i = 0; i < count; i++) printf(" [%.*s]", (int)arguments[i].len, arguments[i].ptr);
    printf("\n");
    return 3;
}

static int32_t registrations(const pattern_str *arguments, size_t count, void *userdata) {
    (void)arguments;
    (void)count;
    printf("bad_name=%d duplicate=%d no_summary=%d userdata=%s\n", bad_name_status, duplicate_status,
           no_summary_status, userdata == (void *)&duplicate_status ? "kept" : "lost");
    return 0;
}

static pattern_status init(const pattern_host_v1 *h, pattern_plugin *self, pattern_error *e) {
    (void)e;
    if (!PATTERN_HAS_FIELD(h, pattern_host_v1, cli)) return PATTERN_OK; /* a host older than 1.6 */
    pattern_command command = {sizeof command, STR("echo"), STR("WORDS..."), STR("prints its arguments"), echo, NULL};
    pattern_status status = h->cli->add_command(self, &command);
    if (status != PATTERN_OK) return status;
    duplicate_status = h->cli->add_command(self, &command);
    command.name = STR("Bad_Name");
    bad_name_status = h->cli->add_command(self, &command);
    command.name = STR("quiet");
    command.summary = STR("");
    no_summary_status = h->cli->add_command(self, &command);
    pattern_command report = {sizeof report, STR("registrations"), STR(""), STR("what add_command answered"),
                              registrations, &duplicate_status};
    return h->cli->add_command(self, &report);
}

static const pattern_plugin_descriptor descriptor = {
    sizeof descriptor, PATTERN_ABI_MAJOR, PATTERN_ABI_MINOR, STR("command_probe"), STR("1.0.0"),
    STR("test probe: command-line commands"), NULL, 0, init, NULL};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) { return &descriptor; }
