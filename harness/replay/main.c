/* main.c - nodegate-replay: the entry point; dispatches to `generate` (corpus) and `run` (load replay). */
#include "replay.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char usage[] =
    "Usage: nodegate-replay COMMAND [flags]\n"
    "Load harness for nodegate-server (or any scheduler extender).\n"
    "\n"
    "Commands:\n"
    "  generate   write a realistic, deterministic corpus: nodes.json and request bodies\n"
    "  run        replay request bodies against a server; latency percentiles, checks\n"
    "\n"
    "  nodegate-replay generate --nodes 5000 --pods 16 --seed 2 --out corpus --skip-full\n"
    "  nodegate-server --nodes corpus/nodes.json --listen 127.0.0.1:8888 &\n"
    "  nodegate-replay run --url http://127.0.0.1:8888 --concurrency 4 --duration 10 --match names-filter corpus\n"
    "\n"
    "`nodegate-replay COMMAND --help` describes each command's flags. Bad flags exit with 2.\n";

int rp_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int rp_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "nodegate-replay %s: %s (see nodegate-replay %s --help)\n", cmd, msg, cmd);
    return 2;
}

int main(int argc, char **argv)
{
    host_set_program("nodegate-replay");
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "generate") == 0)
        return rp_generate_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return rp_run_main(argc - 1, argv + 1);
    fprintf(stderr, "nodegate-replay: unknown command '%s' (expected generate or run; see --help)\n", argv[1]);
    return 2;
}
