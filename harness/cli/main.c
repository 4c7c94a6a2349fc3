/* main.c - nodegate: the lesson's commands (explain, taint, label, cordon, get, describe) against a
 * nodegate-server or, offline, a file of nodes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "xalloc.h"

static const char usage[] =
    "nodegate: why a pod or DaemonSet lands where it does, and kubectl's node commands, against a\n"
    "nodegate-server's node cache or a file of nodes.\n"
    "\n"
    "Usage: nodegate [--server URL | --nodes FILE] [--plugin PATH] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  explain -f FILE [-o table|json]          why each node fits a Pod, workload or DaemonSet, or not\n"
    "  get nodes [-o wide|json]                 the nodes, their taints and whether they are cordoned\n"
    "  describe node NAME                       one node's labels, taints and scheduling state\n"
    "  taint node NAME KEY[=VALUE]:EFFECT[-]... add, change or remove taints (KEY- removes every one of the key)\n"
    "  label node NAME KEY=VALUE|KEY- ...       add, change (--overwrite) or remove labels\n"
    "  cordon NAME, uncordon NAME               mark a node unschedulable, or schedulable again\n"
    "\n"
    "Flags:\n"
    "  --server URL   a running nodegate-server (default http://127.0.0.1:8888)\n"
    "  --nodes FILE   offline: a NodeList in JSON or YAML (kubectl get nodes -o yaml as is); the\n"
    "                 commands that change nodes refuse to, since nothing would keep the change\n"
    "  --plugin PATH  the libnodegate.so to load (default: the one beside this program, or installed)\n"
    "\n"
    "`nodegate COMMAND --help` describes each command. Exit status: 0, 1 when the command failed,\n"
    "2 for a usage error.\n";

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

static const struct {
    const char *name;
    int (*run)(cli_ctx *, int, char **);
} commands[] = {
    {"explain", cli_explain_main}, {"get", cli_get_main},       {"describe", cli_describe_main},
    {"taint", cli_taint_main},     {"label", cli_label_main},   {"cordon", cli_cordon_main},
    {"uncordon", cli_cordon_main},
};

/* --flag VALUE or --flag=VALUE at argv[*i]; advances *i past what it used. */
static bool flag_value(int argc, char **argv, int *i, const char *flag, const char **out)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *out = NULL;
        return true;
    }
    *out = argv[++*i];
    return true;
}

int main(int argc, char **argv)
{
    host_set_program("nodegate");
    cli_backend b = {.server = NULL};
    const char *server = NULL, *nodes = NULL, *plugin = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        }
        const char **slot = flag_value(argc, argv, &i, "--server", &v)   ? &server
                            : flag_value(argc, argv, &i, "--nodes", &v)  ? &nodes
                            : flag_value(argc, argv, &i, "--plugin", &v) ? &plugin
                                                                         : NULL;
        if (!slot)
            return cli_error(CLI_USAGE, "unknown flag: %s\nSee 'nodegate --help' for usage.", argv[i]);
        if (!v)
            return cli_error(CLI_USAGE, "flag needs an argument: %s", argv[i]);
        *slot = v;
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (server && nodes)
        return cli_error(CLI_USAGE, "--server and --nodes exclude each other: a server, or a file offline");
    size_t k = 0;
    while (k < sizeof commands / sizeof *commands && strcmp(commands[k].name, argv[i]) != 0)
        k++;
    if (k == sizeof commands / sizeof *commands)
        return cli_error(CLI_USAGE, "unknown command \"%s\" for \"nodegate\"\nSee 'nodegate --help' for usage.",
                         argv[i]);
    b.server = nodes ? NULL : server ? server : "http://127.0.0.1:8888";
    b.nodes_file = nodes;
    cli_ctx c = {.b = &b, .color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0])};
    if (cli_wants_help(argc - i, argv + i))   /* help needs no plugin and no server */
        return commands[k].run(&c, argc - i, argv + i);
    char err[2048];
    if (!cli_backend_open(&b, plugin, err, sizeof err)) {
        cli_backend_close(&b);
        return cli_error(CLI_FAILED, "%s", err);
    }
    int rc = commands[k].run(&c, argc - i, argv + i);
    cli_backend_close(&b);
    return rc;
}
