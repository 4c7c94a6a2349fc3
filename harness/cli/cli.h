/* cli.h - what the subcommands share: the backend, the output conventions and the exit codes. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "backend.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

typedef struct {
    cli_backend *b;
    bool color;    /* stdout is a terminal and NO_COLOR is unset */
} cli_ctx;

/* "error: ..." on stderr, as kubectl writes it; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The subcommands: args after the subcommand's name (argv[0] is the subcommand). */
int cli_explain_main(cli_ctx *c, int argc, char **argv);
int cli_get_main(cli_ctx *c, int argc, char **argv);
int cli_describe_main(cli_ctx *c, int argc, char **argv);
int cli_taint_main(cli_ctx *c, int argc, char **argv);
int cli_label_main(cli_ctx *c, int argc, char **argv);
int cli_cordon_main(cli_ctx *c, int argc, char **argv);   /* cordon and uncordon */

/* True when argv holds -h or --help: the caller prints its help and exits 0. */
bool cli_wants_help(int argc, char **argv);

#endif
